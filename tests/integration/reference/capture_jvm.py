#!/usr/bin/env python3
"""Regenerate jvm_4.1.0_observations.md: what the reference JVM Connect 4.1.0 worker answers.

Starts a fresh single-node broker and one JVM distributed worker (tests/integration/services.sh),
drives a FileStreamSink connector through its whole REST life cycle, and writes every request
with the exact status line, response headers (Date masked) and body, then the records the worker
wrote to its config and status topics (key + value, as read with kcat) and the sink's committed
consumer-group offsets. Ports and temp paths are replaced by placeholders so reruns diff cleanly.

    $KC_CACHE/venv/bin/python tests/integration/reference/capture_jvm.py [--out FILE]

Needs `services.sh fetch` (scripts/setup.sh) first. Takes about a minute; uses one broker and one
JVM worker, both stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import kc  # noqa: E402

HERE = Path(__file__).resolve().parent
WORKER = "ref"  # group.id ref, topics ref-configs / ref-offsets / ref-status
TOPIC = "ref-input"
C = "fsink"


class Capture:
    def __init__(self, url: str, subs: list[tuple[str, str]]):
        self.url = url
        self.subs = subs
        self.out: list[str] = []
        self.summary: list[str] = []
        self.n = 0

    def norm(self, text: str) -> str:
        for a, b in self.subs:
            text = text.replace(a, b)
        return text

    def section(self, title: str, text: str = "") -> None:
        self.out.append(f"\n## {title}\n")
        if text:
            self.out.append(text + "\n")

    def note(self, text: str) -> None:
        self.out.append(text + "\n")

    def req(self, title: str, method: str, path: str, body=None, raw: bytes | str | None = None,
            headers: dict | None = None, show_body: bool = True,
            show_request: bool = True) -> requests.Response:
        self.n += 1
        hdrs = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif raw is not None:
            data = raw.encode() if isinstance(raw, str) else raw
        # a fresh connection per request: Jetty may close a kept-alive connection after an error
        # answer whose request body it did not read (e.g. 415), which would fail the next one
        with requests.Session() as s:
            r = s.request(method, self.url + path, data=data, headers=hdrs, timeout=90,
                          allow_redirects=False)
        shown = self.norm(path)
        if len(shown) > 100:
            shown = f"{shown[:60]}...({len(path)} chars)"
        lines = [f"### {self.n}. {title}", "", f"`{method} {shown}`"]
        self.summary.append(f"| {self.n} | {title} | `{method} {shown}` | {r.status_code} |")
        sent = {k: v for k, v in hdrs.items() if len(v) < 200}
        if sent:
            lines.append(" " + ", ".join(f"`{k}: {v}`" for k, v in sent.items()))
        if data is not None and show_request:
            lines += ["", "request body:", "```json", self.norm(data.decode()), "```"]
        elif data is not None:
            lines += ["", f"request body: {len(data)} bytes (not shown)"]
        lines += ["", f"response: **{r.status_code} {r.reason}**", "```"]
        for k, v in r.headers.items():
            lines.append(f"{k}: {'<date>' if k.lower() == 'date' else self.norm(v)}")
        lines.append("```")
        body_text = r.content.decode("utf-8", errors="replace")
        if show_body and body_text:
            lines += ["```", self.norm(body_text), "```"]
        elif body_text:
            lines += [f"(body {len(r.content)} bytes, not shown)"]
        else:
            lines += ["(empty body)"]
        self.out.append("\n".join(lines) + "\n")
        print(f"{self.n:3d} {method} {path[:60]} -> {r.status_code}", file=sys.stderr)
        return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(HERE / "jvm_4.1.0_observations.md"))
    args = ap.parse_args()

    run_dir = Path(tempfile.mkdtemp(prefix="kc-capture."))
    svc = kc.Services(run_dir)
    svc.fetch()
    try:
        kenv = svc.start_kafka()
        kafka = kc.Kafka(kenv["KC_BOOTSTRAP"], run_dir)
        kafka.produce(TOPIC, [json.dumps({"id": i, "msg": f"hello-{i}"}) for i in range(5)])
        env = svc.start_jvm_connect(WORKER)
        port = env["KC_CONNECT_PORT"]
        out_dir = run_dir / "out"
        out_dir.mkdir()
        subs = [(str(out_dir), "{TMP}"), (f"127.0.0.1:{port}", "127.0.0.1:{REST_PORT}"),
                (kenv["KC_BOOTSTRAP"], "127.0.0.1:{KAFKA_PORT}"), (str(run_dir), "{RUN_DIR}")]
        cap = Capture(env["KC_CONNECT_URL"], subs)
        rest = kc.Rest(env["KC_CONNECT_URL"])
        run(cap, rest, kafka, out_dir)
        text = render(cap, kafka, env)
        kafka.close()
        Path(args.out).write_text(text)
        print(f"wrote {args.out}", file=sys.stderr)
    finally:
        svc.stop()
        if not os.environ.get("KC_KEEP_RUN_DIR"):
            import shutil
            shutil.rmtree(run_dir, ignore_errors=True)
    return 0


def state(rest: kc.Rest, name: str):
    r = rest.get(f"/connectors/{name}/status")
    if r.status_code != 200:
        return None
    j = r.json()
    return (j["connector"]["state"], tuple(t["state"] for t in j["tasks"]))


def wait_state(rest: kc.Rest, name: str, conn: str, tasks: tuple | None) -> None:
    """Wait for the connector state and (unless tasks is None) the task states."""
    seen = []

    def ok():
        st = state(rest, name)
        seen.append(st)
        return st is not None and st[0] == conn and (tasks is None or st[1] == tasks)

    try:
        kc.wait_until(ok, timeout=60, what=f"{name} {conn} {tasks}")
    except AssertionError as e:
        raise AssertionError(f"{e}; last state {seen[-1] if seen else None}") from None


def run(cap: Capture, rest: kc.Rest, kafka: kc.Kafka, out_dir: Path) -> None:
    fcfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": TOPIC,
            "file": str(out_dir / "fsink.txt")}
    FS = "/connector-plugins/FileStreamSinkConnector/config/validate"

    cap.section("Worker, plugins, validation (no connectors yet)")
    cap.req("root", "GET", "/")
    cap.req("health", "GET", "/health")
    cap.req("list connectors (empty)", "GET", "/connectors")
    cap.req("connector plugins", "GET", "/connector-plugins")
    cap.req("all plugins (connectorsOnly=false)", "GET", "/connector-plugins?connectorsOnly=false")
    cap.req("plugin config definition, short alias", "GET", "/connector-plugins/FileStreamSink/config")
    cap.req("plugin config definition, full class", "GET",
            "/connector-plugins/org.apache.kafka.connect.file.FileStreamSinkConnector/config")
    cap.req("plugin config of unknown plugin", "GET", "/connector-plugins/Nope/config")
    cap.req("validate: valid config", "PUT", FS, body=fcfg)
    cap.req("validate: missing topics", "PUT", FS,
            body={k: v for k, v in fcfg.items() if k != "topics"})
    cap.req("validate: both topics and topics.regex", "PUT", FS,
            body={**fcfg, "topics.regex": "ref-.*"})
    cap.req("validate: connector.class differs from path", "PUT",
            "/connector-plugins/FileStreamSourceConnector/config/validate", body=fcfg)
    cap.req("validate: unknown plugin", "PUT", "/connector-plugins/Nope/config/validate", body=fcfg)

    cap.section("Create")
    cap.req("create", "POST", "/connectors", body={"name": C, "config": fcfg})
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("create duplicate", "POST", "/connectors", body={"name": C, "config": fcfg})
    cap.req("create: malformed JSON", "POST", "/connectors", raw='{"name": "x", "config": {',
            headers={"Content-Type": "application/json"})
    cap.req("create: wrong content type", "POST", "/connectors",
            raw=json.dumps({"name": "x", "config": fcfg}), headers={"Content-Type": "text/plain"})
    cap.req("create: no content type", "POST", "/connectors",
            raw=json.dumps({"name": "x", "config": fcfg}))
    cap.req("create: missing name", "POST", "/connectors", body={"config": fcfg})
    cap.req("create: missing connector.class", "POST", "/connectors",
            body={"name": "x", "config": {"topics": TOPIC}})
    cap.req("create: unknown connector.class", "POST", "/connectors",
            body={"name": "x", "config": {**fcfg, "connector.class": "com.example.Nope"}})
    cap.req("create: invalid config (missing topics)", "POST", "/connectors",
            body={"name": "x", "config": {k: v for k, v in fcfg.items() if k != "topics"}})
    cap.req("create: name in body differs from config name", "POST", "/connectors",
            body={"name": "x", "config": {**fcfg, "name": "y"}})
    cap.req("create with initial_state PAUSED", "POST", "/connectors",
            body={"name": "fsink-paused", "config": {**fcfg, "file": str(out_dir / "p.txt")},
                  "initial_state": "PAUSED"})
    cap.req("create via PUT /connectors/{name}/config", "PUT", "/connectors/fsink-put/config",
            body={**fcfg, "file": str(out_dir / "put.txt")})
    cap.req("update via PUT /connectors/{name}/config", "PUT", "/connectors/fsink-put/config",
            body={**fcfg, "file": str(out_dir / "put2.txt")})
    wait_state(rest, "fsink-put", "RUNNING", ("RUNNING",))
    wait_state(rest, "fsink-paused", "PAUSED", None)

    cap.section("Read")
    cap.req("list", "GET", "/connectors")
    cap.req("list ?expand=status", "GET", "/connectors?expand=status")
    cap.req("list ?expand=info", "GET", "/connectors?expand=info")
    cap.req("list ?expand=status&expand=info", "GET", "/connectors?expand=status&expand=info")
    cap.req("connector info", "GET", f"/connectors/{C}")
    cap.req("connector config", "GET", f"/connectors/{C}/config")
    cap.req("connector status", "GET", f"/connectors/{C}/status")
    cap.req("paused connector status", "GET", "/connectors/fsink-paused/status")
    cap.req("tasks", "GET", f"/connectors/{C}/tasks")
    cap.req("tasks-config (removed in 4.0?)", "GET", f"/connectors/{C}/tasks-config")
    cap.req("task status", "GET", f"/connectors/{C}/tasks/0/status")
    cap.req("unknown task status", "GET", f"/connectors/{C}/tasks/5/status")
    cap.req("active topics", "GET", f"/connectors/{C}/topics")
    cap.req("unknown connector", "GET", "/connectors/nope")
    cap.req("unknown connector status", "GET", "/connectors/nope/status")
    cap.req("unknown route", "GET", "/nope")
    cap.req("unknown sub-route", "GET", f"/connectors/{C}/nope")
    cap.req("wrong method: DELETE /connectors", "DELETE", "/connectors")
    cap.req("wrong method: POST /connectors/{name}", "POST", f"/connectors/{C}", body={})
    cap.req("OPTIONS /connectors", "OPTIONS", "/connectors")
    cap.req("HEAD /", "HEAD", "/")

    cap.section("Offsets while running")
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{C}").get((TOPIC, 0)) == 5,
                  timeout=60, what="fsink committed 5")
    cap.req("offsets (running)", "GET", f"/connectors/{C}/offsets")
    cap.req("delete offsets while running", "DELETE", f"/connectors/{C}/offsets")
    patch = {"offsets": [{"partition": {"kafka_topic": TOPIC, "kafka_partition": 0},
                          "offset": {"kafka_offset": 2}}]}
    cap.req("patch offsets while running", "PATCH", f"/connectors/{C}/offsets", body=patch)

    cap.section("Pause / resume / restart")
    cap.req("pause", "PUT", f"/connectors/{C}/pause")
    wait_state(rest, C, "PAUSED", ("PAUSED",))
    cap.req("status after pause", "GET", f"/connectors/{C}/status")
    cap.req("pause again (already paused)", "PUT", f"/connectors/{C}/pause")
    cap.req("resume", "PUT", f"/connectors/{C}/resume")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("pause unknown connector", "PUT", "/connectors/nope/pause")
    cap.req("restart (connector only)", "POST", f"/connectors/{C}/restart")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("restart ?includeTasks=true", "POST", f"/connectors/{C}/restart?includeTasks=true")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("restart ?onlyFailed=true (nothing failed)", "POST",
            f"/connectors/{C}/restart?onlyFailed=true")
    cap.req("restart ?includeTasks=true&onlyFailed=true (nothing failed)", "POST",
            f"/connectors/{C}/restart?includeTasks=true&onlyFailed=true")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("restart ?includeTasks=false&onlyFailed=false", "POST",
            f"/connectors/{C}/restart?includeTasks=false&onlyFailed=false")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("restart unknown connector", "POST", "/connectors/nope/restart")
    cap.req("task restart", "POST", f"/connectors/{C}/tasks/0/restart")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    cap.req("unknown task restart", "POST", f"/connectors/{C}/tasks/9/restart")
    cap.req("topics reset", "PUT", f"/connectors/{C}/topics/reset")
    cap.req("topics after reset", "GET", f"/connectors/{C}/topics")
    cap.req("internal task-config endpoint without signature", "POST",
            f"/connectors/{C}/tasks", body=[{"task.class": "x"}])
    cap.req("fence endpoint on a sink", "PUT", f"/connectors/{C}/fence")

    cap.section("Stop and offsets")
    cap.req("stop", "PUT", f"/connectors/{C}/stop")
    wait_state(rest, C, "STOPPED", ())
    cap.req("status after stop", "GET", f"/connectors/{C}/status")
    cap.req("tasks after stop", "GET", f"/connectors/{C}/tasks")
    cap.req("offsets (stopped)", "GET", f"/connectors/{C}/offsets")
    cap.req("patch offsets (stopped)", "PATCH", f"/connectors/{C}/offsets", body=patch)
    cap.req("offsets after patch", "GET", f"/connectors/{C}/offsets")
    cap.req("patch offsets: empty body", "PATCH", f"/connectors/{C}/offsets", body={})
    cap.req("patch offsets: empty list", "PATCH", f"/connectors/{C}/offsets",
            body={"offsets": []})
    cap.req("patch offsets: bad partition keys", "PATCH", f"/connectors/{C}/offsets",
            body={"offsets": [{"partition": {"topic": TOPIC}, "offset": {"kafka_offset": 1}}]})
    cap.req("patch offsets: null offset (= reset that partition)", "PATCH",
            f"/connectors/{C}/offsets",
            body={"offsets": [{"partition": {"kafka_topic": TOPIC, "kafka_partition": 0},
                               "offset": None}]})
    cap.req("offsets after null patch", "GET", f"/connectors/{C}/offsets")
    cap.req("patch again, then delete", "PATCH", f"/connectors/{C}/offsets", body=patch)
    cap.req("delete offsets (stopped)", "DELETE", f"/connectors/{C}/offsets")
    cap.req("offsets after delete", "GET", f"/connectors/{C}/offsets")
    cap.req("offsets of unknown connector", "GET", "/connectors/nope/offsets")
    cap.req("resume from STOPPED", "PUT", f"/connectors/{C}/resume")
    wait_state(rest, C, "RUNNING", ("RUNNING",))
    kc.wait_until(lambda: len((out_dir / "fsink.txt").read_text().splitlines()) >= 10,
                  timeout=60, what="records re-delivered after offset reset")

    cap.section("A failing task (file in a directory that does not exist)")
    bad = {**fcfg, "file": str(out_dir / "no-such-dir" / "x.txt")}
    cap.req("create fsink-fail", "POST", "/connectors", body={"name": "fsink-fail", "config": bad})
    wait_state(rest, "fsink-fail", "RUNNING", ("FAILED",))
    cap.req("status with a FAILED task", "GET", "/connectors/fsink-fail/status")
    cap.req("failed task status", "GET", "/connectors/fsink-fail/tasks/0/status")
    cap.req("restart ?includeTasks=true&onlyFailed=true (task failed)", "POST",
            "/connectors/fsink-fail/restart?includeTasks=true&onlyFailed=true")
    wait_state(rest, "fsink-fail", "RUNNING", ("FAILED",))
    cap.req("delete fsink-fail", "DELETE", "/connectors/fsink-fail")

    cap.section("Loggers")
    cap.req("all loggers", "GET", "/admin/loggers")
    cap.req("root logger", "GET", "/admin/loggers/root")
    cap.req("unknown logger", "GET", "/admin/loggers/com.example.nope")
    cap.req("set logger level", "PUT", "/admin/loggers/org.apache.kafka.connect.file",
            body={"level": "DEBUG"})
    cap.req("logger after set", "GET", "/admin/loggers/org.apache.kafka.connect.file")
    cap.req("child logger after set on parent", "GET",
            "/admin/loggers/org.apache.kafka.connect.file.FileStreamSinkTask")
    cap.req("set logger level scope=worker", "PUT",
            "/admin/loggers/org.apache.kafka.connect.runtime.rest?scope=worker",
            body={"level": "WARN"})
    cap.req("set logger level scope=cluster", "PUT",
            "/admin/loggers/org.apache.kafka.connect.json?scope=cluster", body={"level": "INFO"})
    time.sleep(1)
    cap.req("set logger: invalid level", "PUT", "/admin/loggers/org.apache.kafka",
            body={"level": "NOPE"})
    cap.req("set logger: missing level", "PUT", "/admin/loggers/org.apache.kafka", body={})
    cap.req("all loggers after set", "GET", "/admin/loggers")
    cap.req("set logger: unknown scope (treated as worker)", "PUT",
            "/admin/loggers/org.apache.kafka?scope=galaxy", body={"level": "INFO"})
    cap.req("logger after a parent was set", "GET",
            "/admin/loggers/org.apache.kafka.connect.file")

    cap.section("Sizes")
    big = {"name": "big", "config": {"connector.class": "com.example.Nope",
                                    "pad": "x" * (2 * 1024 * 1024)}}
    cap.req("2 MiB request body (invalid connector, so nothing is written)", "POST",
            "/connectors", body=big, show_request=False)
    cap.req("16 KiB request header", "GET", "/", headers={"X-Pad": "y" * 16384})
    cap.req("8 KiB URL", "GET", "/connectors/" + "z" * 8192, show_body=False)

    cap.section("Delete")
    cap.req("delete", "DELETE", f"/connectors/{C}")
    kc.wait_until(lambda: rest.get(f"/connectors/{C}").status_code == 404, timeout=30,
                  what="fsink gone")
    cap.req("delete again", "DELETE", f"/connectors/{C}")
    cap.req("status after delete", "GET", f"/connectors/{C}/status")
    for extra in ("fsink-paused", "fsink-put", "fsink-fail"):
        rest.delete(f"/connectors/{extra}")
    kc.wait_until(lambda: rest.get("/connectors").json() == [], timeout=30, what="no connectors")
    cap.req("list after deletes", "GET", "/connectors")
    time.sleep(3)  # let the status writer flush tombstones


def render(cap: Capture, kafka: kc.Kafka, env: dict) -> str:
    head = f"""# JVM Connect 4.1.0: observed REST answers and internal-topic records

Generated by `tests/integration/reference/capture_jvm.py` (do not edit by hand; rerun it):
a fresh single-node KRaft broker and one JVM distributed worker (`connect-runtime` +
`connect-file` 4.1.0 from Maven Central, log4j2 2.24.3, OpenJDK 17) started by
`tests/integration/services.sh`, worker properties as in services.sh (`group.id={WORKER}`,
topics `{WORKER}-configs` / `{WORKER}-offsets` / `{WORKER}-status`, JsonConverter with
`schemas.enable=false`, replication factor 1, `offset.flush.interval.ms=1000`).

Placeholders: `{{REST_PORT}}` the worker's REST port (worker id `127.0.0.1:{{REST_PORT}}`),
`{{KAFKA_PORT}}` the broker port, `{{TMP}}` a temp directory. Response headers are printed as
received (Date masked). Requests are sent with python-requests (it adds `Accept: */*`,
`Accept-Encoding: gzip, deflate`, `User-Agent`); the `Content-Type` sent is shown. Bodies and
headers are exact except for the placeholders (so `Content-Length` counts the bytes before
substitution). Internal-topic records are printed one per line as
`partition:offset key value` (value `null` = tombstone; the session key's bytes are masked).
Input topic
`{TOPIC}` holds 5 JSON records `{{"id":N,"msg":"hello-N"}}`. Connector `{C}` is a FileStreamSink.
"""
    notes = """## Observed outside this script (by hand, same worker build)

- While the herder still reads its internal topics, `GET /connectors` already answers `200 []`
  but `GET /health` answers **503** with
  `{"status":"starting","message":"Worker is still starting up. The worker is currently initializing and reading to the end of internal topics, which began at 2026-11-21T12:44:44.629Z."}`.
  With an impossible `config.storage.replication.factor=3` on one broker the worker stays in
  that state (health 503, /connectors 200) and does not exit on SIGTERM within 30 s.
- Jetty may close a kept-alive connection after answering 415 without reading the request
  body; a client reusing that connection sees "connection closed without response".
- Between runs, timestamps and the interleaving of records of different keys in the status
  topic vary (status writes are asynchronous); the sequence per key is what is stable. Note the
  sink task writes one `status-topic-...` record per record of its first batch (5 here), before
  its own cache says the topic is known.
"""
    parts = [head, notes, "## Summary\n", "| # | what | request | status |", "|---|---|---|---|",
             *cap.summary, ""]
    parts += cap.out
    parts.append("\n## Internal topics as the worker wrote them (read with kcat, in offset order)\n")
    for label, topic in (("config topic", f"{WORKER}-configs"),
                         ("status topic", f"{WORKER}-status"),
                         ("offsets topic", f"{WORKER}-offsets")):
        recs = kafka.consume(topic)
        parts.append(f"### {label} `{topic}` ({len(recs)} records)\n")
        if not recs:
            parts.append("(empty)\n")
            continue
        rows = ["```"]
        for r in recs:
            v = "null" if r.value is None else cap.norm(r.value)
            if r.key == "session-key" and r.value:
                v = re.sub(r'"key":"[^"]*"', '"key":"<base64 of the key bytes>"', v)
            hdr = " headers " + repr(r.headers) if r.headers else ""
            rows.append(f"{r.partition}:{r.offset} {r.key} {v}{hdr}")
        rows.append("```")
        parts.append("\n".join(rows) + "\n")
    try:
        cfg = kafka.describe_topic_config(f"{WORKER}-configs")
        parts.append("### internal topic settings (DescribeConfigs)\n")
        rows = ["| topic | partitions | cleanup.policy |", "|---|---|---|"]
        for t in (f"{WORKER}-configs", f"{WORKER}-offsets", f"{WORKER}-status"):
            cfg = kafka.describe_topic_config(t)
            rows.append(f"| `{t}` | {kafka.partitions(t)} | `{cfg.get('cleanup.policy')}` |")
        parts.append("\n".join(rows) + "\n")
    except Exception as e:  # noqa: BLE001 - informative only
        parts.append(f"(topic settings unavailable: {e})\n")
    return "\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
