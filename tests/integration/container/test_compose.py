"""The pipelines' compose files (docker/pipelines/*/compose.yaml), checked as far as this machine
allows: no registry is reachable, so Kafka, ClickHouse, QuestDB, MinIO, Prometheus and Grafana
images cannot be pulled.

1. `podman-compose config` (PyPI podman-compose, tests/requirements.txt: Debian's 1.0.3 has no
   `config`) accepts every file, and every file or directory a service mounts exists.
2. The `connect` service of each file runs from the image the suite builds (conftest.py), with
   exactly the file's environment except what points at the compose network: host networking,
   the suite's broker, a free REST port, unique internal topics, replication factor 1, and (for
   the Confluent Cloud pipeline) PLAINTEXT instead of SASL_SSL. The file's connectors are
   registered by the same docker/pipelines/register.sh the `connect-init` service runs, with the
   hosts pointed at the suite's own services (ClickHouse: the chdb engine behind
   ../clickhouse/chdb_http_front.py, since Debian's 18.16 server lacks DateTime64 and TTL;
   QuestDB 9.3 and S3Proxy from services.sh), the users' records are produced, and the rows or
   objects are read back from the target.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import kc
from podman_util import HERE, IMAGE, REPO, podman

PIPELINES = REPO / "docker" / "pipelines"
SERVICES = HERE.parent / "services.sh"
FILES = sorted(p.parent.name for p in PIPELINES.glob("*/compose.yaml"))
# what the files need from the environment (app-logs: the managed cluster's address and key)
COMPOSE_ENV = {"KAFKA_BOOTSTRAP_SERVER": "pkc-example.us-east-1.aws.confluent.cloud:9092",
               "KAFKA_SASL_USERNAME": "APIKEY", "KAFKA_SASL_PASSWORD": "APISECRET"}


def podman_compose() -> str:
    exe = Path(sys.executable).parent / "podman-compose"
    if not exe.exists():
        pytest.skip("podman-compose from tests/requirements.txt is not installed")
    return str(exe)


def compose_config(name: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.update(COMPOSE_ENV if env is None else env)
    e["CONTAINERS_CONF"] = str(HERE / "containers.conf")
    return subprocess.run([podman_compose(), "-f", str(PIPELINES / name / "compose.yaml"),
                           "config"], env=e, capture_output=True, text=True, timeout=120)


def parsed_config(name: str) -> dict:
    import yaml
    p = compose_config(name)
    assert p.returncode == 0, f"podman-compose config refused {name}:\n{p.stderr[-3000:]}"
    return yaml.safe_load(p.stdout)


def test_the_files_cover_the_five_pipelines():
    assert FILES == ["app-logs-clickhouse", "github-questdb", "iot-minio",
                     "telemetry-clickhouse-s3", "user-events-clickhouse"]


@pytest.mark.parametrize("name", FILES)
def test_compose_config_accepts_the_file(name):
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    cfg = parsed_config(name)
    services = cfg["services"]
    assert {"connect", "connect-init", "prometheus", "grafana"} <= services.keys()
    connect = services["connect"]
    assert connect["image"] == "connect-c:latest"
    assert connect["build"]["dockerfile"] == "docker/Dockerfile"
    assert Path(connect["build"]["context"]).resolve() == REPO
    env = connect["environment"]
    for k in ("CONNECT_BOOTSTRAP_SERVERS", "CONNECT_GROUP_ID", "CONNECT_CONFIG_STORAGE_TOPIC",
              "CONNECT_OFFSET_STORAGE_TOPIC", "CONNECT_STATUS_STORAGE_TOPIC"):
        assert env.get(k), f"{name}: connect has no {k}"
    init = services["connect-init"]
    assert init["image"] == "connect-c:latest"
    assert init["entrypoint"][:2] == ["/bin/sh", "/pipelines/register.sh"]
    # every bind mount's source exists (relative to the file's folder, as compose reads them)
    for svc_name, svc in services.items():
        for v in svc.get("volumes", []):
            src = v["source"] if isinstance(v, dict) else v.split(":", 1)[0]
            assert (PIPELINES / name / src).exists(), f"{name}: {svc_name} mounts missing {src}"
    # connectors parse as JSON once register.sh's ${VAR:-default} are expanded
    for f in (PIPELINES / name / "connectors").glob("*.json"):
        json.loads(expand(f.read_text(), {}))


def test_compose_config_refuses_a_broken_file(tmp_path):
    """The check above can fail: a missing required variable and a bad mapping are refused."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    p = compose_config("app-logs-clickhouse", env={"KAFKA_BOOTSTRAP_SERVER": ""})
    assert p.returncode != 0 and "KAFKA_BOOTSTRAP_SERVER" in p.stderr
    bad = tmp_path / "compose.yaml"
    bad.write_text("services:\n  connect:\n    image: [unclosed\n")
    p = subprocess.run([podman_compose(), "-f", str(bad), "config"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0


def expand(text: str, env: dict) -> str:
    """What register.sh's here-document does to ${VAR:-default}."""
    def sub(m):
        v = env.get(m.group(1))
        return v if v else (m.group(2) or "")
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", sub, text)


# --- the connect service of each file, run for real ---------------------------------------

class Chdb:
    """chdb behind the test HTTP front (../clickhouse/chdb_http_front.py)."""

    def __init__(self, tmp: Path):
        pytest.importorskip("chdb")
        port_file = tmp / "front.port"
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE.parent / "clickhouse" / "chdb_http_front.py"), "--data",
             str(tmp / "chdb"), "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL, stderr=open(tmp / "front.log", "wb"))
        kc.wait_until(port_file.exists, timeout=kc.scaled(60), what="chdb front port")
        self.port = int(port_file.read_text())

    def q(self, sql: str) -> str:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/", data=sql.encode())
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read().decode()

    def run_file(self, path: Path) -> None:
        sql = "\n".join(line for line in path.read_text().splitlines()
                        if not line.lstrip().startswith("--"))
        for stmt in filter(None, (s.strip() for s in sql.split(";"))):
            self.q(stmt)

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def chdb_front(tmp_path_factory):
    f = Chdb(tmp_path_factory.mktemp("chdb"))
    yield f
    f.stop()


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    run = tmp_path_factory.mktemp("s3proxy")
    out = subprocess.run([str(SERVICES), "start-s3", str(run)], check=True, text=True,
                         capture_output=True, timeout=kc.scaled(600)).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    yield env
    subprocess.run([str(SERVICES), "stop", str(run)], check=False, timeout=120)


@pytest.fixture(scope="module")
def questdb(tmp_path_factory):
    run = tmp_path_factory.mktemp("questdb")
    p = subprocess.run(["bash", str(SERVICES), "start-questdb", str(run)], capture_output=True,
                       text=True, timeout=kc.scaled(300))
    assert p.returncode == 0, f"QuestDB did not start: {p.stderr[-2000:]}"
    try:
        yield kc.read_env_file(run / "questdb.env")
    finally:
        subprocess.run(["bash", str(SERVICES), "stop-one", str(run), "questdb"], timeout=120)


def s3_curl(env: dict, method: str, path: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["curl", "-sS", "-X", method, "--aws-sigv4", "aws:amz:us-east-1:s3",
         "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-u",
         f"{env['KC_S3_ACCESS_KEY']}:{env['KC_S3_SECRET_KEY']}", "-w", "\n%{http_code}",
         env["KC_S3_ENDPOINT"] + path], capture_output=True, text=True, timeout=60)


def s3_keys(env: dict, bucket: str, prefix: str) -> list[str]:
    r = s3_curl(env, "GET", f"/{bucket}?list-type=2&prefix={urllib.parse.quote(prefix, safe='')}")
    body, status = r.stdout.rsplit("\n", 1)
    assert status == "200", r.stdout
    return sorted(k for k in re.findall(r"<Key>([^<]*)</Key>", body) if not k.endswith("/"))


def s3_get_bytes(env: dict, bucket: str, key: str) -> bytes:
    p = subprocess.run(
        ["curl", "-fsS", "--aws-sigv4", "aws:amz:us-east-1:s3", "-H",
         "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-u",
         f"{env['KC_S3_ACCESS_KEY']}:{env['KC_S3_SECRET_KEY']}",
         f"{env['KC_S3_ENDPOINT']}/{bucket}/{urllib.parse.quote(key)}"],
        capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


def s3_get(env: dict, bucket: str, key: str) -> str:
    r = s3_curl(env, "GET", f"/{bucket}/{urllib.parse.quote(key)}")
    body, status = r.stdout.rsplit("\n", 1)
    assert status == "200", r.stdout
    return body


class ConnectService:
    """The file's connect service in a container with host networking."""

    def __init__(self, name: str, kafka, tag: str, tmp: Path):
        svc = parsed_config(name)["services"]["connect"]
        env = {k: str(v) for k, v in svc["environment"].items()}
        for k in list(env):  # the compose network's Kafka security (Confluent Cloud) goes
            if re.match(r"CONNECT_(|CONSUMER_|PRODUCER_)(SECURITY_PROTOCOL|SASL_)", k):
                del env[k]
        self.port = kc.free_port()
        env.update({
            "CONNECT_BOOTSTRAP_SERVERS": kafka.bootstrap,
            "CONNECT_LISTENERS": f"http://127.0.0.1:{self.port}",
            "CONNECT_REST_ADVERTISED_HOST_NAME": "127.0.0.1",
            "CONNECT_GROUP_ID": f"{env['CONNECT_GROUP_ID']}-{tag}",
        })
        for k in ("CONFIG", "OFFSET", "STATUS"):
            env[f"CONNECT_{k}_STORAGE_TOPIC"] += f"-{tag}"
            env[f"CONNECT_{k}_STORAGE_REPLICATION_FACTOR"] = "1"
        self.env, self.tmp = env, tmp
        self.cname = f"kc-compose-{tag}"
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["run", "-d", "--name", self.cname, "--network", "host"]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        podman(*args, IMAGE)

    def register(self, name: str, hosts: dict) -> None:
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_"))}
        e.update(hosts)
        p = subprocess.run(["sh", str(PIPELINES / "register.sh"), self.url,
                            str(PIPELINES / name / "connectors")], env=e, capture_output=True,
                           text=True, timeout=kc.scaled(240))
        assert p.returncode == 0, f"register.sh:\n{p.stdout}\n{p.stderr}\n{self.logs()[-3000:]}"
        rest = kc.Rest(self.url)
        for f in (PIPELINES / name / "connectors").glob("*.json"):
            rest.wait_running(f.stem, tasks=int(json.loads(expand(f.read_text(), {}))
                                                .get("tasks.max", 1)))

    def logs(self) -> str:
        p = podman("logs", self.cname, check=False)
        return p.stdout + p.stderr

    def stop(self) -> None:
        (self.tmp / f"{self.cname}.log").write_text(self.logs())
        podman("rm", "-f", "-t", "0", self.cname, check=False)


@pytest.fixture
def run_connect(image, kafka, unique_name, tmp_path):
    started = []

    def start(name: str) -> ConnectService:
        c = ConnectService(name, kafka, unique_name("cmp"), tmp_path)
        started.append(c)
        return c
    yield start
    for c in started:
        c.stop()


def test_user_events_pipeline(run_connect, kafka, chdb_front, unique_name):
    name = "user-events-clickhouse"
    chdb_front.run_file(PIPELINES / name / "clickhouse" / "init.sql")
    tag = unique_name("u")
    events = [{"user_id": f"{tag}_{i % 100}", "event_type": ["login", "view", "purchase"][i % 3],
               "timestamp": f"2025-09-18T10:{i // 60:02d}:{i % 60:02d}Z",
               "session_id": f"sess_{i}", "device": "mobile"} for i in range(100)]
    kafka.produce("events", events)
    c = run_connect(name)
    c.register(name, {"CLICKHOUSE_HOST": "127.0.0.1", "CLICKHOUSE_PORT": str(chdb_front.port)})
    q = f"SELECT count() FROM bitpin.events WHERE startsWith(user_id, '{tag}_')"
    kc.wait_until(lambda: chdb_front.q(q).strip() == "100", timeout=kc.scaled(60),
                  what="100 events in bitpin.events")
    # (inserted_at's DEFAULT now() is not checked here: the test front inserts through file(),
    # which knows no column defaults; ../clickhouse/test_clickhouse_core.py covers
    # RowBinaryWithDefaults)
    row = chdb_front.q(f"SELECT toString(timestamp), device FROM bitpin.events "
                       f"WHERE session_id = 'sess_61' AND startsWith(user_id, '{tag}_')")
    assert row == "2025-09-18 10:01:01.000\tmobile\n"


def test_app_logs_pipeline(run_connect, kafka, chdb_front, unique_name):
    name = "app-logs-clickhouse"
    chdb_front.run_file(PIPELINES / name / "clickhouse" / "init.sql")
    base = int(time.time()) % 1_000_000 * 1000
    logs = [{"eventId": base + i, "level": ["Info", "Warning", "Error"][i % 3], "source": "app",
             "timestamp": f"2025-09-18 10:00:{i % 60:02d}.123456", "computer": "host-1",
             "user": "svc", "message": f"line {i}"} for i in range(90)]
    kafka.produce("logs_4", logs)
    c = run_connect(name)
    c.register(name, {"CLICKHOUSE_HOST": "127.0.0.1", "CLICKHOUSE_PORT": str(chdb_front.port)})
    q = (f"SELECT level, count() FROM KafkaEngine.logs WHERE eventId >= {base} AND "
         f"eventId < {base + 90} GROUP BY level ORDER BY level")
    kc.wait_until(lambda: chdb_front.q(q) == "Error\t30\nInfo\t30\nWarning\t30\n",
                  timeout=kc.scaled(60), what="90 log lines in KafkaEngine.logs")


def test_telemetry_pipeline(run_connect, kafka, chdb_front, s3, unique_name):
    name = "telemetry-clickhouse-s3"
    chdb_front.run_file(PIPELINES / name / "clickhouse" / "init.sql")
    bucket = unique_name("tel").lower()
    assert s3_curl(s3, "PUT", f"/{bucket}").stdout.strip().endswith("200")
    batch = unique_name("b")
    # processing time, naive ISO with µs, as the processor writes it; recent, or the tables'
    # 6-month TTL drops the rows
    ts = time.strftime("%Y-%m-%dT%H:%M:%S.123456", time.gmtime())
    nodes = [[{"node_name": f"srl-{i}", "batch_id": batch, "timestamp": ts, "system_ip": "1.1.1.1",
               "mgmt_ip": "10.0.0.1"}] for i in range(5)]
    ifaces = [[{"node_name": "srl-0", "interface_name": f"ethernet-1/{i}", "batch_id": batch,
                "timestamp": ts, "admin_status": "up", "oper_status": "down"},
               {"node_name": "srl-0", "interface_name": f"ethernet-1/{i}", "batch_id": batch,
                "timestamp": ts, "in_octets": 150000, "out_octets": 7}] for i in range(4)]
    addrs = [[{"node_name": "srl-0", "interface_name": "ethernet-1/1", "subinterface_index": "0",
               "address_ip_prefix": f"12.0.0.{i}/31", "origin": "static", "status": "preferred",
               "batch_id": batch, "timestamp": ts}] for i in range(3)]
    kafka.produce("node-data", nodes)
    kafka.produce("interface-data", ifaces)
    kafka.produce("address-data", addrs)
    c = run_connect(name)
    c.register(name, {"CLICKHOUSE_HOST": "127.0.0.1", "CLICKHOUSE_PORT": str(chdb_front.port),
                      "S3_ENDPOINT": s3["KC_S3_ENDPOINT"], "S3_BUCKET": bucket,
                      "AWS_ACCESS_KEY_ID": s3["KC_S3_ACCESS_KEY"],
                      "AWS_SECRET_ACCESS_KEY": s3["KC_S3_SECRET_KEY"],
                      "S3_ROTATE_INTERVAL_MS": "3000"})
    counts = {"node_data": 5, "interface_data": 8, "address_data": 3}

    def landed():
        return all(chdb_front.q(f"SELECT count() FROM telemetry.{t} WHERE batch_id = '{batch}'")
                   .strip() == str(n) for t, n in counts.items())
    kc.wait_until(landed, timeout=kc.scaled(60), what="telemetry rows in ClickHouse")
    # S3: JSON lines under processed/<topic>/YYYY/MM/dd/HH/, flushed by the scheduled rotation (3 s here); the
    # arrays are kept whole, one message per line
    def objects():
        return {t: s3_keys(s3, bucket, f"processed/{t}/") for t in ("node-data", "address-data")}
    kc.wait_until(lambda: all(objects().values()), timeout=kc.scaled(120),
                  what="telemetry objects in S3")
    keys = objects()
    assert all(re.match(r"processed/address-data/\d{4}/\d{2}/\d{2}/\d{2}/address-data\+0\+\d{10}"
                        r"\.json$", k) for k in keys["address-data"]), keys
    lines = [json.loads(line) for k in keys["address-data"]
             for line in s3_get(s3, bucket, k).splitlines()]
    assert [x for x in lines if x[0]["batch_id"] == batch] == addrs


def test_github_questdb_pipeline(run_connect, kafka, questdb, unique_name):
    name = "github-questdb"
    repo = unique_name("r")
    events = [{"type": ["PushEvent", "WatchEvent"][i % 2], "repo": f"{repo}/{i % 3}",
               "actor": f"user{i}"} for i in range(60)]
    kafka.produce("github_events", events)
    c = run_connect(name)
    c.register(name, {"QUESTDB_ILP": f"127.0.0.1:{questdb['KC_QUESTDB_ILP_PORT']}"})
    http = questdb["KC_QUESTDB_HTTP_PORT"]

    def rows(sql):
        url = f"http://127.0.0.1:{http}/exec?" + urllib.parse.urlencode({"query": sql})
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.loads(r.read()).get("dataset", [])
        except urllib.error.HTTPError:
            return []
    q = (f"SELECT repo, count() FROM github_events WHERE repo LIKE '{repo}/%' "
         f"GROUP BY repo ORDER BY repo")
    kc.wait_until(lambda: rows(q) == [[f"{repo}/{i}", 20] for i in range(3)],
                  timeout=kc.scaled(60), what="60 GitHub events in QuestDB")
    # the users' check: SAMPLE BY over the server-stamped designated timestamp
    sampled = rows(f"SELECT timestamp, count() FROM github_events WHERE repo LIKE '{repo}/%' "
                   "SAMPLE BY 5m")
    assert sum(r[1] for r in sampled) == 60


def test_iot_minio_pipeline(run_connect, kafka, s3, unique_name):
    name = "iot-minio"
    bucket = unique_name("iot").lower()
    assert s3_curl(s3, "PUT", f"/{bucket}").stdout.strip().endswith("200")
    dev = unique_name("d")
    events = [{"event_duration": 1.5, "device_type": "temperature_sensor",
               "device_id": f"{dev}_{i % 5}", "timestamp": f"2025-07-28T14:{i % 60:02d}:00Z",
               "location": "Living Room", "value": 20.0 + i / 10, "unit": "°C",
               "battery_level": 85, "signal_strength": -65,
               "metadata": {"firmware_version": "1.2.3"}} for i in range(300)]
    kafka.produce("iot-events", events)
    c = run_connect(name)
    c.register(name, {"S3_ENDPOINT": s3["KC_S3_ENDPOINT"], "S3_BUCKET": bucket,
                      "AWS_ACCESS_KEY_ID": s3["KC_S3_ACCESS_KEY"],
                      "AWS_SECRET_ACCESS_KEY": s3["KC_S3_SECRET_KEY"]})
    prefix = "raw/iot-events/year=2025/month=07/day=28/hour=14/"

    def rows():
        import io

        import pyarrow.parquet as pq
        return sum(pq.read_table(io.BytesIO(s3_get_bytes(s3, bucket, k))).num_rows
                   for k in s3_keys(s3, bucket, prefix))
    # flush.size 100: whole files of 100 rows (the 30 s scheduled rotation would close the rest)
    kc.wait_until(lambda: rows() >= 300, timeout=kc.scaled(90), what="300 IoT rows in Parquet")
    assert rows() == 300
