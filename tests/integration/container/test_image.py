"""The container image (docker/Dockerfile), built and run with podman as users run the JVM image.

The image is built from the repository with `podman build --pull=never`: its base,
debian:bookworm-slim, is made locally by base-image.sh (debootstrap, no registry here), and the
librdkafka/libmicrohttpd source tarballs scripts/setup.sh cached in $KC_CACHE/downloads are put in
docker/sources/ first (HTTPS inside a container build fails certificate verification on the CI
machines). Podman keeps the layers, so a rerun rebuilds only the worker's layer when its sources
changed; stale layers of this image are pruned after each build.

The container runs with host networking on 127.0.0.1 against the suite's broker, configured with
CONNECT_* variables only, the way a compose file for the JVM image configures it. The test
creates a FileStreamSink connector with curl writing into a bind-mounted directory, checks the
records, the HEALTHCHECK, SIGTERM (`podman stop`: exit 0 within podman's 10 s, offsets
committed) and prints the figures: image size, idle RSS, `podman run` to healthy.

Skipped with a reason when podman is not installed (scripts/setup.sh installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import kc

from podman_util import IMAGE, MAX_IMAGE_BYTES, STOP_GRACE_S, podman  # noqa: E402

if shutil.which("podman") is None:
    pytest.skip("podman is not installed (scripts/setup.sh installs podman, runc, debootstrap)",
                allow_module_level=True)


def test_image_shape(image):
    cfg = image["Config"]
    assert image["Size"] < MAX_IMAGE_BYTES, f"image is {image['Size']} bytes"
    assert cfg["User"] not in ("", "0", "root") and not cfg["User"].startswith("0:")
    hc = image.get("Healthcheck") or cfg.get("Healthcheck") or {}
    assert hc.get("Test", [None])[0] in ("CMD", "CMD-SHELL"), f"no HEALTHCHECK: {cfg}"
    assert cfg["Entrypoint"] == ["/opt/connect-c/bin/connect-distributed"]
    assert cfg.get("StopSignal") in (None, "", "SIGTERM", "15")


def proc_status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def test_image_runs_like_the_jvm_image(image, kafka, unique_name, tmp_path):
    name = unique_name("img")
    topic = f"{name}-in"
    port = kc.free_port()
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)  # the worker runs as appuser (1000), not as the test's user
    env = {  # what a compose file for confluentinc/cp-kafka-connect sets
        "CONNECT_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "CONNECT_GROUP_ID": name,
        "CONNECT_CONFIG_STORAGE_TOPIC": f"{name}-configs",
        "CONNECT_OFFSET_STORAGE_TOPIC": f"{name}-offsets",
        "CONNECT_STATUS_STORAGE_TOPIC": f"{name}-status",
        "CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR": "1",
        "CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR": "1",
        "CONNECT_STATUS_STORAGE_REPLICATION_FACTOR": "1",
        "CONNECT_KEY_CONVERTER": "org.apache.kafka.connect.storage.StringConverter",
        "CONNECT_VALUE_CONVERTER": kc.JSON_CONVERTER,
        "CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE": "false",
        "CONNECT_REST_ADVERTISED_HOST_NAME": "127.0.0.1",
        "CONNECT_LISTENERS": f"http://127.0.0.1:{port}",
        "CONNECT_PLUGIN_PATH": "/usr/share/java,/usr/share/confluent-hub-components",
        "CONNECT_LOG4J_ROOT_LOGLEVEL": "INFO",
    }
    cname = f"kc-{name}"
    args = ["run", "-d", "--name", cname, "--network", "host", "-v", f"{data}:/data"]
    for k, v in env.items():
        args += ["-e", f"{k}={v}"]
    n1, n2 = 500, 300
    kafka.produce(topic, [json.dumps(f"rec-{i}") for i in range(n1)])
    try:
        t0 = time.monotonic()
        podman(*args, IMAGE)

        def healthy():
            st = podman("inspect", "--format", "{{.State.Status}}", cname).stdout.strip()
            if st != "running":
                raise kc.GiveUp(f"container is {st}:\n{podman('logs', cname).stderr[-4000:]}")
            return podman("healthcheck", "run", cname, check=False).returncode == 0
        kc.wait_until(healthy, timeout=60, interval=0.1, what="podman healthcheck run")
        to_healthy = time.monotonic() - t0
        assert podman("inspect", "--format", "{{.State.Health.Status}}",
                      cname).stdout.strip() == "healthy"

        pid = int(podman("inspect", "--format", "{{.State.Pid}}", cname).stdout)
        status = proc_status(pid)
        assert status["Uid"].split()[0] == "1000", f"worker runs as uid {status['Uid']}"
        time.sleep(2)  # idle: groups joined, internal topics read, no connector
        idle_rss_kib = int(proc_status(pid)["VmRSS"].split()[0])

        # the connector, created with curl as users do
        cfg = {"name": name, "config": {"connector.class": kc.FILE_SINK, "tasks.max": "1",
                                        "topics": topic, "file": "/data/out.txt"}}
        p = subprocess.run(["curl", "-fsS", "-X", "POST", "-H", "Content-Type: application/json",
                            "--data", json.dumps(cfg), f"http://127.0.0.1:{port}/connectors"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["name"] == name
        kc.Rest(f"http://127.0.0.1:{port}").wait_running(name, tasks=1)
        out = data / "out.txt"
        kc.wait_until(lambda: len(kc.complete_lines(out)) >= n1, timeout=60,
                      what=f"{n1} lines in {out}")
        # a second batch that only the SIGTERM commit can cover (offset.flush.interval.ms is
        # 60 s by default)
        kafka.produce(topic, [json.dumps(f"rec-{i}") for i in range(n1, n1 + n2)])
        kc.wait_until(lambda: len(kc.complete_lines(out)) >= n1 + n2, timeout=60,
                      what=f"{n1 + n2} lines in {out}")
        assert out.read_text().splitlines() == [f"rec-{i}" for i in range(n1 + n2)]
        assert podman("healthcheck", "run", cname, check=False).returncode == 0
        busy_rss_kib = int(proc_status(pid)["VmRSS"].split()[0])
        before = kafka.committed_offsets(f"connect-{name}").get((topic, 0), 0)

        t1 = time.monotonic()
        podman("stop", "-t", str(STOP_GRACE_S), cname, timeout=STOP_GRACE_S + 30)
        stop_s = time.monotonic() - t1
        code = int(podman("inspect", "--format", "{{.State.ExitCode}}", cname).stdout)
        logs = podman("logs", cname).stdout + podman("logs", cname).stderr
        assert code == 0, f"exit status {code} after SIGTERM:\n{logs[-4000:]}"
        assert stop_s < STOP_GRACE_S, f"podman stop took {stop_s:.1f} s"
        assert kafka.committed_offsets(f"connect-{name}") == {(topic, 0): n1 + n2}, \
            f"committed before SIGTERM: {before}"
        assert "plugin.path is ignored" in logs
        assert "isn't a known config" not in logs, "a CONNECT_* variable of the JVM image " \
            "maps to no worker key"
        print(f"\n[image] size {image['Size'] / 1e6:.1f} MB; podman run -> healthy "
              f"{to_healthy:.2f} s; idle RSS {idle_rss_kib / 1024:.1f} MiB; RSS after "
              f"{n1 + n2} records {busy_rss_kib / 1024:.1f} MiB; podman stop {stop_s:.2f} s "
              f"(exit {code}); committed before SIGTERM {before}, after {n1 + n2}")
    finally:
        p = podman("logs", cname, check=False)
        if p.returncode == 0:
            (tmp_path / "container.log").write_text(p.stdout + p.stderr)
        podman("rm", "-f", "-t", "0", cname, check=False)
