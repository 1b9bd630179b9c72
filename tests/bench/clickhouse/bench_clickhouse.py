#!/usr/bin/env python3
"""tests/bench/clickhouse/bench_clickhouse.py: the ClickHouse sink against its ceiling and its peer.

N (default 1M) ~200-byte JSON records (the worker bench's generator, tests/bench/worker) already
in one Kafka topic; one ClickHouse server (Debian's 18.16, services.sh start-clickhouse); one run
each, one after the other (the machines have 2 cores), printed side by side:

  * raw consume (the ceiling): tests/bench/worker's kc_bench_raw_consume reads the topic from
    the beginning as a task's consumer does (the worker's librdkafka) and throws records away;
  * connect-c: the worker with one ClickHouseSinkConnector task (JsonConverter schemas.enable=false,
    no transform: the raw-JSON RowBinary path) into table bench.events_cc, from POST /connectors
    until SELECT count() = N (polled every 100 ms);
  * Kafka engine: ClickHouse's own Kafka table (JSONEachRow, one consumer) and a materialized
    view into bench.events_ke, the same columns, from CREATE until count() = N.

Per run: wall seconds, rows/s, CPU-seconds (utime+stime from /proc/PID/stat over the window) of
the worker and of clickhouse-server, and their sum per million rows; peak RSS (VmHWM) of the
worker. Usage:
  $KC_CACHE/venv/bin/python tests/bench/clickhouse/bench_clickhouse.py [--records N]
Environment: KC_BOOTSTRAP (reuse a broker), KC_BUILD_DIR (our build), KC_CLICKHOUSE_SERVER.

The table (18.16 has no DateTime64; the records' timestamp is epoch milliseconds, kept as UInt64):
  user_id UInt64, event_type LowCardinality(String), timestamp UInt64, session_id String,
  device LowCardinality(String), value Float64, seq UInt64, pad String
  ENGINE = MergeTree ORDER BY (event_type, seq)
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "tests" / "bench" / "worker"))

import bench_worker as bw  # noqa: E402
import kc  # noqa: E402

SERVICES = REPO / "tests" / "integration" / "services.sh"
COLUMNS = ("user_id UInt64, event_type LowCardinality(String), timestamp UInt64, "
           "session_id String, device LowCardinality(String), value Float64, seq UInt64, "
           "pad String")


def log(msg: str) -> None:
    bw.log(msg)


class Server:
    def __init__(self, run: Path):
        self.run = run
        subprocess.run([str(SERVICES), "start-clickhouse", str(run)], check=True,
                       capture_output=True, timeout=180)
        env = kc.read_env_file(run / "clickhouse.env")
        self.port = int(env["KC_CLICKHOUSE_HTTP_PORT"])
        self.pid = int((run / "clickhouse.pid").read_text().split()[0])

    def q(self, sql: str) -> str:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/", data=sql.encode())
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read().decode()

    def count(self, table: str) -> int:
        return int(self.q(f"SELECT count() FROM {table}").strip())

    def stop(self):
        subprocess.run([str(SERVICES), "stop-one", str(self.run), "clickhouse"], timeout=120,
                       capture_output=True)


def wait_count(ch: Server, table: str, n: int, timeout: float, sample=None) -> float:
    t0 = time.monotonic()
    while True:
        c = ch.count(table)
        now = time.monotonic()
        if c >= n:
            return now
        if now - t0 > timeout:
            raise RuntimeError(f"{table}: {c} of {n} rows after {timeout:.0f} s")
        if sample:
            sample()
        time.sleep(0.1)


def run_raw(args, bootstrap: str, topic: str) -> dict:
    """tests/bench/worker's raw_consume: the task's consumer, records thrown away."""
    binary = Path(os.environ.get("KC_BUILD_DIR", REPO / "build")) / "tests" / "bench" / \
        "worker" / "kc_bench_raw_consume"
    cmd = [str(binary), "-b", bootstrap, "-t", topic, "-n", str(args.records)]
    log(f"raw consume: {shlex.join(cmd)}")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=True)
    fields = dict(kv.split("=", 1) for kv in p.stdout.split())
    return {"wall": float(fields["wall_s"]), "cpu_children": float(fields["cpu_s"])}


def run_cc(args, bootstrap: str, topic: str, ch: Server, base: Path) -> dict:
    ch.q(f"CREATE TABLE bench.events_cc ({COLUMNS}) ENGINE = MergeTree ORDER BY (event_type, seq)")
    w = kc.ConnectC(bootstrap, base / "connect-c", overrides={"offset.flush.interval.ms": 60000})
    w.start()
    try:
        cfg = {"connector.class": "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
               "tasks.max": "1", "topics": topic, "hostname": "127.0.0.1",
               "port": str(ch.port), "ssl": "false", "database": "bench",
               "topic2TableMap": f"{topic}=events_cc",
               "value.converter": "org.apache.kafka.connect.json.JsonConverter",
               "value.converter.schemas.enable": "false"}
        cfg.update(dict(kv.split("=", 1) for kv in args.cc_config))
        pid = w.pid
        cpu_w0, cpu_s0 = bw.cpu_seconds(pid), bw.cpu_seconds(ch.pid)
        peak = [0]

        def sample():
            peak[0] = max(peak[0], bw.status_kib(pid, "VmRSS"))
        t0 = time.monotonic()
        w.create_connector(f"bench-clickhouse-{int(time.time())}", cfg)  # a new group
        t1 = wait_count(ch, "bench.events_cc", args.records, args.timeout, sample)
        cpu_w, cpu_s = bw.cpu_seconds(pid) - cpu_w0, bw.cpu_seconds(ch.pid) - cpu_s0
        hwm = bw.status_kib(pid, "VmHWM")
        rows = ch.count("bench.events_cc")
        return {"wall": t1 - t0, "cpu_worker": cpu_w, "cpu_server": cpu_s,
                "peak_rss_kib": hwm, "sampled_rss_kib": peak[0], "rows": rows}
    finally:
        w.stop()


def run_kafka_engine(args, bootstrap: str, topic: str, ch: Server) -> dict:
    ch.q(f"CREATE TABLE bench.events_ke ({COLUMNS}) ENGINE = MergeTree ORDER BY (event_type, seq)")
    group = f"bench-ke-{int(time.time())}"
    cpu_s0 = bw.cpu_seconds(ch.pid)
    t0 = time.monotonic()
    ch.q(f"CREATE TABLE bench.queue ({COLUMNS}) ENGINE = Kafka SETTINGS "
         f"kafka_broker_list = '{bootstrap}', kafka_topic_list = '{topic}', "
         f"kafka_group_name = '{group}', kafka_format = 'JSONEachRow', kafka_num_consumers = 1")
    ch.q("CREATE MATERIALIZED VIEW bench.mv TO bench.events_ke AS SELECT * FROM bench.queue")
    try:
        t1 = wait_count(ch, "bench.events_ke", args.records, args.timeout)
        cpu_s = bw.cpu_seconds(ch.pid) - cpu_s0
        return {"wall": t1 - t0, "cpu_server": cpu_s, "rows": ch.count("bench.events_ke")}
    finally:
        ch.q("DROP TABLE IF EXISTS bench.mv")
        ch.q("DROP TABLE IF EXISTS bench.queue")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--topic", help="default bench-worker-<records>-1p (shared with bench_worker)")
    ap.add_argument("--runs", default="raw,cc,ke", help="which runs, in order")
    ap.add_argument("--cc-config", action="append", default=[], metavar="KEY=VALUE",
                    help="extra connector config for connect-c (repeatable)")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    command = shlex.join([sys.executable, *sys.argv])
    base = Path(tempfile.mkdtemp(prefix="kc-bench-ch-"))
    services = None
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    if not bootstrap:
        services = kc.Services(base / "services")
        bootstrap = services.start_kafka()["KC_BOOTSTRAP"]
    kafka = kc.Kafka(bootstrap)
    topic = args.topic or f"bench-worker-{args.records}-1p"
    bw.ensure_topic(kafka, topic, args.records, 1, base / "records.jsonl")
    ch = Server(base / "clickhouse")
    res: dict = {}
    try:
        ch.q("CREATE DATABASE bench")
        version = ch.q("SELECT version()").strip()
        runs = args.runs.split(",")
        if "raw" in runs:
            res["raw"] = run_raw(args, bootstrap, topic)
        if "cc" in runs:
            res["cc"] = run_cc(args, bootstrap, topic, ch, base)
        if "ke" in runs:
            res["ke"] = run_kafka_engine(args, bootstrap, topic, ch)
    finally:
        ch.stop()
        if services is not None:
            services.stop()
    n = args.records
    m = n / 1e6
    print(f"\nClickHouse sink bench: {n} records (~200-byte JSON) in topic {topic}, "
          f"ClickHouse {version}, {os.cpu_count()} CPUs")
    print(f"command: {command}\n")
    print(f"{'run':<28}{'wall s':>9}{'rows/s':>12}{'worker CPU-s/M':>16}"
          f"{'server CPU-s/M':>16}{'total CPU-s/M':>15}{'peak RSS MiB':>14}")
    if "raw" in res:
        r = res["raw"]
        print(f"{'raw consume (ceiling)':<28}{r['wall']:>9.2f}{n / r['wall']:>12.0f}"
              f"{r['cpu_children'] / m:>16.2f}{'-':>16}{r['cpu_children'] / m:>15.2f}{'-':>14}")
    if "cc" in res:
        r = res["cc"]
        print(f"{'connect-c ClickHouse sink':<28}{r['wall']:>9.2f}{n / r['wall']:>12.0f}"
              f"{r['cpu_worker'] / m:>16.2f}{r['cpu_server'] / m:>16.2f}"
              f"{(r['cpu_worker'] + r['cpu_server']) / m:>15.2f}"
              f"{r['peak_rss_kib'] / 1024:>14.1f}")
    if "ke" in res:
        r = res["ke"]
        print(f"{'ClickHouse Kafka engine':<28}{r['wall']:>9.2f}{n / r['wall']:>12.0f}"
              f"{'-':>16}{r['cpu_server'] / m:>16.2f}{r['cpu_server'] / m:>15.2f}{'-':>14}")
    if "raw" in res and "cc" in res:
        print(f"\nconnect-c / ceiling: {res['raw']['wall'] / res['cc']['wall'] * 100:.0f}% "
              f"(target >= 70%)")
    if "ke" in res and "cc" in res:
        cc, ke = res["cc"], res["ke"]
        print(f"connect-c wall / Kafka engine wall: {cc['wall'] / ke['wall']:.2f} (target < 0.5); "
              f"total CPU {cc['cpu_worker'] + cc['cpu_server']:.2f} s vs {ke['cpu_server']:.2f} s")
    for k in ("cc", "ke"):
        if k in res and res[k]["rows"] != n:
            print(f"WRONG: {k} has {res[k]['rows']} rows, expected {n}")
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
