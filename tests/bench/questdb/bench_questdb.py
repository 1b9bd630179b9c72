#!/usr/bin/env python3
"""tests/bench/questdb/bench_questdb.py: 1M ~200-byte JSON records -> QuestDB through connect-c,
one run per transport (ILP/HTTP, ILP/TCP, PostgreSQL wire), beside the raw consume rate of the
same topic.

Same records as tests/bench/worker/bench_worker.py (its make_records / ensure_topic): user_id,
event_type, timestamp (epoch ms), session_id, device, value, seq, pad. Each transport gets a fresh
worker and its own table; the connector sends event_type and device as symbols and `timestamp` as
the designated timestamp (units auto -> ms). Measured per transport:

  * rows/s: from PUT /connectors/<name>/config until the connector's group has committed all N
    offsets (the sink commits only what QuestDB acknowledged), and until SELECT count() shows N
    (QuestDB applies WAL tables asynchronously; reported separately);
  * CPU-s per million rows: utime+stime of the worker over the first window; QuestDB's own CPU
    over the same window is printed beside it;
  * peak RSS: the worker's VmHWM.
The ceiling: kcat consuming the N records to /dev/null (Debian's kcat, librdkafka 2.0.2): wall
time and CPU-s (RUSAGE_CHILDREN).

Usage: KC_BOOTSTRAP=... $KC_CACHE/venv/bin/python tests/bench/questdb/bench_questdb.py
       [--records N] [--transports http,tcp,pg]
With KC_QUESTDB_JVM_PLUGIN_DIR=<a plugin.path dir holding the JVM QuestDB connector> (made by
tests/bench/questdb/build-jvm-connector.sh), each of http and tcp is also run with that connector
(same topic, same connector config) in a JVM Connect 4.1.0 worker started by services.sh
start-jvm-connect with plugin.path=<that dir>; its CPU (utime+stime of the java process) and
peak RSS (VmHWM) are measured the same way, and the connect-c/JVM ratios printed. The load
average is printed with the figures (the machine may be shared).
QuestDB: KC_QUESTDB_HTTP_PORT / KC_QUESTDB_ILP_PORT / KC_QUESTDB_PG_PORT (and KC_QUESTDB_PID for
its CPU) of a running server, else one is started with services.sh start-questdb.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
JVM_TRANSPORTS = ("http", "tcp")  # the JVM connector has no PostgreSQL wire mode
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
import kc  # noqa: E402

spec = importlib.util.spec_from_file_location("bench_worker",
                                              REPO / "tests" / "bench" / "worker" / "bench_worker.py")
bw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bw)


def log(msg: str) -> None:
    print(f"[bench_questdb] {msg}", file=sys.stderr, flush=True)


def qdb_count(port: int, table: str) -> int:
    url = f"http://127.0.0.1:{port}/exec?" + urllib.parse.urlencode(
        {"query": f'SELECT count() FROM "{table}"'})
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.loads(r.read())["dataset"][0][0]
    except Exception:
        return 0


def raw_consume(bootstrap: str, topic: str, n: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(["kcat", "-C", "-q", "-b", bootstrap, "-t", topic, "-o", "beginning", "-c",
                    str(n), "-f", "%s\n"], stdout=subprocess.DEVNULL, check=True, timeout=600)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rate": n / wall, "peak_rss": after.ru_maxrss * 1024}


def client_conf(q: dict, transport: str) -> str:
    if transport == "http":
        return f"http::addr=127.0.0.1:{q['KC_QUESTDB_HTTP_PORT']};"
    if transport == "tcp":
        return f"tcp::addr=127.0.0.1:{q['KC_QUESTDB_ILP_PORT']};"
    return f"pg::addr=127.0.0.1:{q['KC_QUESTDB_PG_PORT']};username=admin;password=quest;"


def connector_config(q: dict, transport: str, topic: str, table: str) -> dict:
    return {"connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
            "table": table, "client.conf.string": client_conf(q, transport),
            "include.key": "false", "symbols": "event_type,device",
            "timestamp.field.name": "timestamp",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false"}


def measure(label: str, transport: str, args, q: dict, kafka: kc.Kafka, topic: str,
            rest: kc.Rest, pid: int, alive, log_tail, name: str, table: str) -> dict:
    """PUT the connector, wait for all N offsets committed, then all N rows visible."""
    m: dict = {"label": label, "transport": transport}
    qpid = int(q["KC_QUESTDB_PID"]) if q.get("KC_QUESTDB_PID") else None
    connector = f"{name}-sink"
    group = f"connect-{connector}"
    cpu0 = bw.cpu_seconds(pid)
    qcpu0 = bw.cpu_seconds(qpid) if qpid else 0.0
    t0 = time.monotonic()
    r = rest.put(f"/connectors/{connector}/config",
                 json=connector_config(q, transport, topic, table))
    assert r.status_code in (200, 201), r.text
    deadline = t0 + kc.scaled(args.timeout)
    next_status = t0 + 2
    while sum(kafka.committed_offsets(group).values()) < args.records:
        now = time.monotonic()
        if not alive() or now > deadline:
            raise RuntimeError(f"{label}: stopped at {kafka.committed_offsets(group)}\n"
                               f"{log_tail()}")
        if now > next_status:
            trace = rest.failure(connector)
            if trace:
                raise RuntimeError(f"{label}: connector failed:\n{trace[:4000]}")
            next_status = now + 2
        time.sleep(0.1)
    t1 = time.monotonic()
    m["cpu"] = bw.cpu_seconds(pid) - cpu0
    m["qdb_cpu"] = (bw.cpu_seconds(qpid) - qcpu0) if qpid else None
    m["wall"] = t1 - t0
    m["peak_rss"] = bw.status_kib(pid, "VmHWM") * 1024
    while qdb_count(int(q["KC_QUESTDB_HTTP_PORT"]), table) < args.records:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{label}: rows did not all become visible")
        time.sleep(0.2)
    m["visible"] = time.monotonic() - t0
    m["rows"] = qdb_count(int(q["KC_QUESTDB_HTTP_PORT"]), table)
    m["rate"] = args.records / m["wall"]
    m["cpu_per_m"] = m["cpu"] / args.records * 1e6
    log(f"{label}: {args.records} rows acknowledged in {m['wall']:.2f} s, visible after "
        f"{m['visible']:.2f} s, {m['cpu']:.2f} CPU-s, peak RSS {m['peak_rss'] / 2**20:.1f} MiB, "
        f"load {load()}")
    return m


def run(transport: str, args, q: dict, kafka: kc.Kafka, topic: str, base: Path) -> dict:
    tag = uuid.uuid4().hex[:6]
    name = f"bq-{transport}-{tag}"
    table = f"bench_{transport}_{tag}"
    workdir = base / transport
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "plugins").mkdir(exist_ok=True)
    port = kc.free_port()
    props = bw.worker_props(kafka.bootstrap, name, port, workdir / "plugins", 1000)
    props_path = workdir / "worker.properties"
    kc.write_properties(props_path, props)
    w = bw.Worker(transport, [str(kc.connect_bin()), str(props_path)], workdir, port)
    w.start()
    try:
        return measure(f"connect-c {transport}", transport, args, q, kafka, topic, w.rest, w.pid,
                       lambda: w.proc.poll() is None, w.log_tail, name, table)
    finally:
        w.stop()


def run_jvm(transport: str, args, q: dict, kafka: kc.Kafka, topic: str, base: Path,
            plugin_dir: Path, version: str) -> dict:
    """The JVM QuestDB connector in a JVM Connect 4.1.0 worker (services.sh start-jvm-connect,
    its defaults: -Xms128m -Xmx1g, offset.flush.interval.ms=1000 as for connect-c above),
    plugin.path = plugin_dir."""
    tag = uuid.uuid4().hex[:6]
    name = f"bqj-{transport}-{tag}"
    table = f"bench_jvm_{transport}_{tag}"
    svc = kc.Services(base / "jvm")
    env = svc.start_jvm_connect(name, {"plugin.path": str(plugin_dir)}, kafka.bootstrap)
    pid = int(env["KC_CONNECT_PID"])
    rest = kc.Rest(env["KC_CONNECT_URL"])
    log_path = Path(env["KC_CONNECT_LOG"])

    def log_tail(n: int = 60) -> str:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-n:])

    try:
        plugins = rest.get("/connector-plugins").json()
        if not any(p.get("class") == "io.questdb.kafka.QuestDBSinkConnector" for p in plugins):
            raise RuntimeError(f"no QuestDBSinkConnector in {plugin_dir}: {plugins}")
        return measure(f"JVM {version} {transport}", transport, args, q, kafka, topic, rest, pid,
                       lambda: os.path.exists(f"/proc/{pid}"), log_tail, name, table)
    finally:
        svc.stop_one(name)


def load() -> str:
    """The load averages (1, 5, 15 min) of /proc/loadavg."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--transports", default="http,tcp,pg")
    ap.add_argument("--topic", default=None)
    ap.add_argument("--timeout", type=float, default=900)
    args = ap.parse_args()
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    if not bootstrap:
        raise SystemExit("set KC_BOOTSTRAP (tests/integration/services.sh start-kafka)")
    kafka = kc.Kafka(bootstrap)
    base = Path(tempfile.mkdtemp(prefix="bench-questdb-"))
    q = {k: v for k, v in os.environ.items() if k.startswith("KC_QUESTDB_")}
    started = None
    if "KC_QUESTDB_HTTP_PORT" not in q:
        started = base / "qdb"
        subprocess.run(["bash", str(REPO / "tests/integration/services.sh"), "start-questdb",
                        str(started)], check=True, stdout=subprocess.DEVNULL)
        q = kc.read_env_file(started / "questdb.env")
        q["KC_QUESTDB_PID"] = (started / "questdb.pid").read_text().strip()
    topic = args.topic or f"bench-questdb-{args.records}"
    data = Path(os.environ.get("KC_CACHE", "/tmp")) / f"bench-records-{args.records}.jsonl"
    bw.ensure_topic(kafka, topic, args.records, 1, data)
    jvm_dir = os.environ.get("KC_QUESTDB_JVM_PLUGIN_DIR")
    jvm_version = "?"
    if jvm_dir:
        jvm_dir = str(Path(jvm_dir).resolve())
        if not any(Path(jvm_dir).glob("*/kafka-questdb-connector-*.jar")) and \
                not any(Path(jvm_dir).glob("kafka-questdb-connector-*.jar")):
            raise SystemExit(f"KC_QUESTDB_JVM_PLUGIN_DIR={jvm_dir} holds no "
                             "kafka-questdb-connector jar (tests/bench/questdb/"
                             "build-jvm-connector.sh makes one)")
        vf = Path(jvm_dir) / "VERSION"
        jvm_version = vf.read_text().split()[0] if vf.exists() else Path(jvm_dir).name
    load0 = load()
    results = []
    try:
        ceiling = raw_consume(bootstrap, topic, args.records)
        log(f"kcat raw consume: {ceiling['rate']:.0f} rec/s, {ceiling['cpu']:.2f} CPU-s")
        for t in args.transports.split(","):
            results.append(run(t, args, q, kafka, topic, base))
            if jvm_dir and t in JVM_TRANSPORTS:
                results.append(run_jvm(t, args, q, kafka, topic, base, Path(jvm_dir),
                                       jvm_version))
    finally:
        if started:
            subprocess.run(["bash", str(REPO / "tests/integration/services.sh"), "stop-one",
                            str(started), "questdb"])
    print(f"\n{args.records} records of ~200 bytes, topic {topic} (1 partition), 1 task; "
          f"load average {load0} at start, {load()} at end ({os.cpu_count()} CPUs)")
    print(f"{'':22} {'rows/s':>10} {'% ceiling':>10} {'CPU-s/M':>9} {'rows/CPU-s':>11} "
          f"{'peak RSS':>10} {'QuestDB CPU-s':>14} {'visible s':>10}")
    print(f"{'kcat consume (ceiling)':22} {ceiling['rate']:>10.0f} {100:>9.0f}% "
          f"{ceiling['cpu'] / args.records * 1e6:>9.2f} {args.records / ceiling['cpu']:>11.0f} "
          f"{ceiling['peak_rss'] / 2**20:>8.1f}Mi {'':>14} {'':>10}")
    for m in results:
        qc = f"{m['qdb_cpu']:.1f}" if m.get("qdb_cpu") is not None else "-"
        print(f"{m['label']:22} {m['rate']:>10.0f} "
              f"{100 * m['rate'] / ceiling['rate']:>9.0f}% {m['cpu_per_m']:>9.2f} "
              f"{args.records / m['cpu']:>11.0f} {m['peak_rss'] / 2**20:>8.1f}Mi {qc:>14} "
              f"{m['visible']:>10.1f}")
    if jvm_dir:
        print(f"\nconnect-c vs the JVM QuestDB connector {jvm_version} ({jvm_dir}):")
        for t in args.transports.split(","):
            c = next((m for m in results if m["label"] == f"connect-c {t}"), None)
            j = next((m for m in results if m["label"].startswith("JVM ") and
                      m["transport"] == t), None)
            if not c or not j:
                continue
            print(f"  {t:5} rows/s {ratio(c['rate'], j['rate'])}, "
                  f"rows per CPU-s {ratio(j['cpu_per_m'], c['cpu_per_m'])} "
                  f"({c['cpu_per_m']:.2f} vs {j['cpu_per_m']:.2f} CPU-s per 1M rows), "
                  f"peak RSS 1/{j['peak_rss'] / c['peak_rss']:.1f} "
                  f"({c['peak_rss'] / 2**20:.1f} vs {j['peak_rss'] / 2**20:.1f} MiB)")
    env = f"KC_QUESTDB_JVM_PLUGIN_DIR={jvm_dir} " if jvm_dir else ""
    print(f"\ncommand: {env}KC_BOOTSTRAP={bootstrap} {sys.executable} {' '.join(sys.argv)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
