#!/usr/bin/env python3
"""tests/bench/s3/bench_s3.py: the S3 sink, 1M ~200-byte schemaless JSON records -> Parquet
(Snappy, schema inferred per file), on the local store (store.url=file:///dir) and an S3 server
(S3Proxy by default, or MinIO: SigV4, multipart), --runs runs per store, interleaved. Same data
as tests/bench/worker (its make_records/ensure_topic).

Per run: rows/s and MB/s of Parquet written (wall time from POST /connectors until the group
has committed all N offsets, i.e. every object is visible), CPU-seconds of the worker per million
rows (utime+stime of the whole process over that window), peak RSS (VmHWM), the S3 server's
CPU-seconds. Beside them the raw consume ceiling: kc_bench_raw_consume (our librdkafka build,
the task's consumer settings) and kcat -C, each the fastest of 3 runs. Per store, the best run
against the ceiling (like against like) and the median; and each run against a ceiling run
made just before it (paired: both saw the same machine, whose speed drifts between minutes).
Where the worker's CPU went per run (its task thread, busy for what share of the wall; the
upload thread; librdkafka; the reaper) and how many of the machine's cores were busy. Every run
writes under its own topics.dir; every file is opened by pyarrow and the total row count
checked.

The JVM peer, with KC_S3_JVM_PLUGIN_DIR=<the plugin.path dir that
tests/bench/s3/build-jvm-connector.sh makes> and s3 in --stores: Aiven's S3 sink
(io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector) in one JVM Connect 4.1.0 worker
(services.sh start-jvm-connect, -Xms128m -Xmx1g, offset.flush.interval.ms=1000 as connect-c's),
writing Parquet to the same S3 server. It needs schema'd records for typed columns, so the same
records are also produced as JsonConverter envelopes (schema + payload, 8 typed fields, ~700
bytes; topic bench-s3-typed-<N>-1p, reused when it exists), and each run adds connect-c's S3 sink
on that topic ("s3-typed", value.converter.schemas.enable=true) and the peer on it
("aiven-typed": format.output.fields=value, format.output.envelope=false, file.max.records =
--flush-size, file.compression.type = --codec; it writes its files at each offset commit).
--peer-modes text adds the peer on the schemaless topic with the JSON text in one column
(StringConverter). Measured the same way (the java process's utime+stime and VmHWM; its peak
RSS covers the worker's life, start-up included), rows checked by pyarrow, and the ratios
connect-c/peer printed: rows per CPU-second and peak RSS. The JVM worker lives through the
runs; before each run the bench waits until it is idle (it compiles and collects for seconds
after its own run, on the same two cores), and its CPU during connect-c's runs is logged.
--typed runs connect-c on the typed topic without the peer too.

Usage: $KC_CACHE/venv/bin/python tests/bench/s3/bench_s3.py [--records N] [--stores local,s3]
       [--runs N] [--partitioner default|time] [--s3-server s3proxy|minio] [--flush-size N]
       [--typed] [--peer-modes typed,text] [--keep]
Environment: KC_BOOTSTRAP (reuse a broker), KC_BUILD_DIR / KC_CONNECT_BIN, KC_CACHE,
KC_S3_JVM_PLUGIN_DIR (the peer).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "tests" / "bench" / "worker"))

import kc  # noqa: E402
from bench_worker import (CLK_TCK, cpu_seconds, ensure_topic, make_records,  # noqa: E402
                          status_kib)

SERVICES = REPO / "tests" / "integration" / "services.sh"
PEER_CLASS = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"
# make_records' fields as a Connect struct: the typed topic's JsonConverter envelope schema
TYPED_SCHEMA = {"type": "struct", "name": "bench.Event", "optional": False, "fields": [
    {"field": f, "type": t, "optional": False} for f, t in (
        ("user_id", "int64"), ("event_type", "string"), ("timestamp", "int64"),
        ("session_id", "string"), ("device", "string"), ("value", "double"), ("seq", "int64"),
        ("pad", "string"))]}
TYPED = {"value.converter": kc.JSON_CONVERTER, "value.converter.schemas.enable": "true"}


def log(msg: str) -> None:
    print(f"[bench_s3] {msg}", file=sys.stderr, flush=True)


def raw_consume(bootstrap: str, topic: str, n: int, runs: int = 3) -> dict:
    """kcat -C of the topic's n values to /dev/null; the fastest of `runs` runs (the ceiling is
    what the machine can do, so a slow run caused by something else does not lower it)."""
    best = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e",
                        "-q", "-c", str(n), "-f", "%s\n"], stdout=subprocess.DEVNULL,
                       check=True, timeout=600)
        wall = time.monotonic() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or wall < best["wall"]:
            best = {"wall": wall, "cpu": cpu}
    return best


def raw_consume_ours(bootstrap: str, topic: str, n: int, runs: int = 3) -> dict | None:
    """tests/bench/worker's kc_bench_raw_consume: our librdkafka build with the task's consumer
    settings, records thrown away; the fastest of `runs` (the issue's ceiling). None when the
    binary is not built."""
    binary = kc.build_dir() / "tests" / "bench" / "worker" / "kc_bench_raw_consume"
    if not binary.exists():
        return None
    best = None
    for _ in range(runs):
        out = subprocess.run([str(binary), "-b", bootstrap, "-t", topic, "-n", str(n)],
                             capture_output=True, text=True, timeout=600, check=True).stdout
        fields = dict(kv.split("=", 1) for kv in out.split())
        r = {"wall": float(fields["wall_s"]), "cpu": float(fields["cpu_s"])}
        if best is None or r["wall"] < best["wall"]:
            best = r
    return best


def thread_cpu(pid: int) -> dict[str, tuple[float, float, int, int]]:
    """Per thread name, summed over the live threads of pid that have it: (seconds on a CPU,
    seconds runnable but waiting for one, times it went to sleep, minor page faults), from
    /proc/PID/task/TID/schedstat (nanoseconds), .../status (voluntary_ctxt_switches) and
    .../stat (minflt, the 10th field). The
    worker names its threads: "<connector>-<task>", "s3-upload", "kc-reaper", librdkafka's
    "rdk:..."."""
    out: dict[str, tuple[float, float, int, int]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out  # the worker is gone: the run's own check says why
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().rstrip("\n")
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run_ns, wait_ns = (int(x) for x in f.read().split()[:2])
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                sleeps = next(int(l.split()[1]) for l in f
                              if l.startswith("voluntary_ctxt_switches:"))
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                # after the ")" that ends comm: state is field 3, minflt field 10
                faults = int(f.read().rsplit(")", 1)[1].split()[7])
        except (OSError, StopIteration, IndexError, ValueError):
            continue  # exited between the listing and the read
        cpu, wait, n, pf = out.get(name, (0.0, 0.0, 0, 0))
        out[name] = (cpu + run_ns / 1e9, wait + wait_ns / 1e9, n + sleeps, pf + faults)
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, steal) jiffies of all CPUs so far, from /proc/stat's first line; busy leaves out
    idle, iowait and steal (another guest's time)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    return sum(v[:7]) - v[3] - v[4], v[7]


def thread_split(before: dict, after: dict, task: str) -> dict:
    """Where the worker's CPU went over the run, by the threads alive at its end (one that
    exited during the run is not counted): the task thread, the S3 sink's upload thread,
    librdkafka's threads, the message reaper, the rest; and how long the task thread was
    runnable but waited for a core ("task_queued") and how often it went to sleep
    ("task_sleeps": on an empty queue, a lock, the upload thread)."""
    split = {"task": 0.0, "upload": 0.0, "librdkafka": 0.0, "reaper": 0.0, "other": 0.0,
             "task_queued": 0.0, "task_sleeps": 0, "task_faults": 0}
    for name, (sec, wait, sleeps, faults) in after.items():
        b = before.get(name, (0.0, 0.0, 0, 0))
        d = sec - b[0]
        if name == task:
            split["task"] += d
            split["task_queued"] += wait - b[1]
            split["task_sleeps"] += sleeps - b[2]
            split["task_faults"] += faults - b[3]
        elif name == "s3-upload":
            split["upload"] += d
        elif name.startswith("rdk:"):
            split["librdkafka"] += d
        elif name == "kc-reaper":
            split["reaper"] += d
        else:
            split["other"] += d
    return split


def s3_auth(env: dict) -> list[str]:
    return ["--aws-sigv4", "aws:amz:us-east-1:s3", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            "-u", f"{env['KC_S3_ACCESS_KEY']}:{env['KC_S3_SECRET_KEY']}", "-sS", "-f", "-o",
            os.devnull]


def s3_bucket(env: dict, bucket: str) -> None:
    subprocess.run(["curl", *s3_auth(env), "-X", "PUT", f"{env['KC_S3_ENDPOINT']}/{bucket}"],
                   check=True, timeout=60)


def warm_s3(env: dict, base: Path, puts: int = 24, size: int = 5 << 20) -> float:
    """PUT `puts` objects of `size` bytes (the bench's file size) before the timed run: a fresh
    S3Proxy JVM compiles its request path during the first hundred MiB, and that JIT work on the
    shared cores is the test server's start-up, not the sink's cost. Returns the server's
    CPU-seconds spent on it."""
    body = base / "warm.bin"
    body.write_bytes(os.urandom(size))
    pid = int(env["pid"])
    cpu0 = cpu_seconds(pid)
    auth = s3_auth(env)
    s3_bucket(env, "warmup")
    for i in range(puts):
        subprocess.run(["curl", *auth, "-T", str(body), f"{env['KC_S3_ENDPOINT']}/warmup/{i}"],
                       check=True, timeout=60)
    return cpu_seconds(pid) - cpu0


def ensure_typed_topic(kafka: kc.Kafka, topic: str, n: int, base: Path) -> None:
    """The topic of make_records' n records (same seed, same order) as JsonConverter envelopes
    with their schema (TYPED_SCHEMA: 8 typed fields), ~700 bytes each; reused when it exists."""
    data = base / "typed.jsonl"
    if topic not in kafka.admin().list_topics(timeout=kc.scaled(30)).topics:
        plain = base / "records.jsonl"
        if not plain.exists():
            make_records(plain, n)
        head = '{"schema":' + json.dumps(TYPED_SCHEMA, separators=(",", ":")) + ',"payload":'
        with open(plain) as src, open(data, "w", buffering=1 << 20) as dst:
            for line in src:
                dst.write(head + line.rstrip("\n") + "}\n")
    ensure_topic(kafka, topic, n, 1, data)


def thread_cpu_tid(pid: int) -> dict[int, tuple[str, float]]:
    """Per live thread of pid: (its name, seconds on a CPU), from /proc/PID/task/TID/comm and
    .../schedstat. By thread id: the JVM names the threads of every connector's task alike."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().rstrip("\n")
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[int(tid)] = (name, int(f.read().split()[0]) / 1e9)
        except (OSError, ValueError, IndexError):
            continue
    return out


def measure(pid: int, rest: kc.Rest, cname: str, cfg: dict, args, bootstrap: str,
            s3env: dict | None, threads=thread_cpu) -> dict:
    """POST the connector to the worker `pid`, wait until its group has committed all N offsets;
    the worker's wall, CPU (utime+stime), peak RSS (VmHWM, and VmRSS sampled every 100 ms), its
    threads' CPU before and after, the machine's busy cores, the S3 server's CPU."""
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            try:
                peak = max(peak, status_kib(pid, "VmRSS"))
            except (OSError, KeyError):
                return
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    # the S3 server shares the machine's cores: its CPU over the run is reported beside ours
    on_s3 = cfg.get("store.url", "").startswith("http") or "aws.s3.endpoint" in cfg
    server = int(s3env["pid"]) if on_s3 and s3env and s3env.get("pid") else None
    srv0 = cpu_seconds(server) if server else 0.0
    cpu0 = cpu_seconds(pid)
    threads0 = threads(pid)
    busy0, steal0 = machine_busy()
    t0 = time.monotonic()
    rest.create_connector(cname, cfg)
    group = f"connect-{cname}"
    kafka = kc.Kafka(bootstrap)
    next_status = t0 + 2

    def done() -> bool:
        nonlocal next_status
        if time.monotonic() > next_status:  # a failed task never commits: stop at once
            trace = rest.failure(cname)
            if trace:
                raise kc.GiveUp(f"{cname} failed:\n{trace[:4000]}")
            next_status = time.monotonic() + 2
        return sum(kafka.committed_offsets(group).values()) >= args.records

    try:
        # polled every 10 ms: the ceiling is timed inside its process, and a coarser poll
        # added up to its interval to this run's wall time
        kc.wait_until(done, timeout=args.timeout, interval=0.01, what="all offsets committed")
    finally:
        kafka.close()
    wall = time.monotonic() - t0
    cpu = cpu_seconds(pid) - cpu0
    busy1, steal1 = machine_busy()
    threads1 = threads(pid)
    srv = cpu_seconds(server) - srv0 if server else None
    hwm = status_kib(pid, "VmHWM")
    stop.set()
    th.join()
    return {"wall": wall, "cpu": cpu, "hwm_kib": hwm, "peak_kib": peak, "server_cpu": srv,
            "threads0": threads0, "threads1": threads1,
            "machine_cores": (busy1 - busy0) / CLK_TCK / wall,
            "steal_cores": (steal1 - steal0) / CLK_TCK / wall}


def count_rows(s3env: dict | None, root: Path | None, part: str) -> tuple[int, int, int]:
    """(files, bytes, rows) of the .parquet files whose path holds `part`, under the local root
    or, without one (MinIO), the bucket "bench" read through S3; each file opened by pyarrow."""
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq
    if root is None:  # MinIO: its files are its own format; read the objects through S3
        fs = pafs.S3FileSystem(access_key=s3env["KC_S3_ACCESS_KEY"],
                               secret_key=s3env["KC_S3_SECRET_KEY"], region="us-east-1",
                               endpoint_override=s3env["KC_S3_ENDPOINT"].split("://", 1)[1],
                               scheme="http")
        top = "bench"
    else:
        fs, top = pafs.LocalFileSystem(), str(root)
    infos = [i for i in fs.get_file_info(pafs.FileSelector(top, recursive=True))
             if i.path.endswith(".parquet") and part in i.path]
    rows = 0
    for i in infos:
        with fs.open_input_file(i.path) as f:
            rows += pq.ParquetFile(f).metadata.num_rows
    return len(infos), sum(i.size for i in infos), rows


def s3_root(s3env: dict) -> Path | None:
    return Path(s3env["KC_S3_DATA"]) / "bench" if "KC_S3_DATA" in s3env else None


def run_store(kind: str, run: int, args, bootstrap: str, topic: str, base: Path,
              s3env: dict | None, label: str | None = None, extra: dict | None = None) -> dict:
    """connect-c's S3 sink on `topic` in a fresh worker; `extra` is merged into the connector
    config (the typed topic's converter)."""
    label = label or kind
    w = kc.ConnectC(bootstrap, base / f"worker-{label}", name=kc.unique(f"bench-s3-{kind}"))
    w.start()
    cname = kc.unique(f"s3-{kind}")
    cfg = {
        "connector.class": "io.confluent.connect.s3.S3SinkConnector", "tasks.max": "1",
        "topics": topic, "s3.bucket.name": "bench", "topics.dir": f"topics-{run}",
        "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
        "parquet.codec": args.codec, "flush.size": str(args.flush_size),
    }
    if args.partitioner == "time":
        # the IoT pipeline's layout: hourly Hive paths from a field of the record
        cfg.update({"partitioner.class": "io.confluent.connect.storage.partitioner."
                                         "TimeBasedPartitioner",
                    "path.format": "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
                    "partition.duration.ms": "3600000", "locale": "en-US", "timezone": "UTC",
                    "timestamp.extractor": "RecordField", "timestamp.field": "timestamp"})
    if kind == "s3":
        cfg.update({"store.url": s3env["KC_S3_ENDPOINT"],
                    "aws.access.key.id": s3env["KC_S3_ACCESS_KEY"],
                    "aws.secret.access.key": s3env["KC_S3_SECRET_KEY"],
                    "s3.part.size": str(8 << 20), "s3.spool.dir": str(base)})
        root = s3_root(s3env)
    else:
        root = base / "lake"
        cfg["store.url"] = f"file://{root}"
    cfg.update(extra or {})
    try:
        m = measure(w.pid, w, cname, cfg, args, bootstrap, s3env)
    finally:
        w.stop()
    # the task thread's name: the connector's, cut to leave room for "-0" (kc_thread_name)
    split = thread_split(m.pop("threads0"), m.pop("threads1"), cname[:13] + "-0")
    files, size, rows = count_rows(s3env, root, f"/topics-{run}/{topic}/")
    res = {"kind": label, "run": run, **m, "files": files, "parquet_bytes": size, "rows": rows,
           "threads": split, "side": "connect-c", "topic": topic}
    log(f"{label} run {run + 1}: {res}")
    return res


def jvm_split(before: dict, after: dict) -> dict:
    """The JVM worker's CPU over the run by thread: the sink task ("task-thread-<connector>-0",
    cut to 15 characters), the garbage collector, the JIT compilers, the rest (Kafka clients,
    the herder, the S3 client's threads)."""
    split = {"task": 0.0, "gc": 0.0, "jit": 0.0, "other": 0.0}
    for tid, (name, sec) in after.items():
        d = sec - before.get(tid, (name, 0.0))[1]
        if name.startswith("task-thread-"):
            split["task"] += d
        elif name.startswith(("GC Thread", "G1 ")):
            split["gc"] += d
        elif name.startswith(("C1 CompilerThre", "C2 CompilerThre")):
            split["jit"] += d
        else:
            split["other"] += d
    return split


def run_peer(mode: str, run: int, args, bootstrap: str, topic: str, s3env: dict,
             jvm: dict) -> dict:
    """The JVM peer, Aiven's S3 sink, on `topic` in the JVM worker `jvm` (started once), to the
    same S3 server. typed: the envelopes' struct as Parquet columns (format.output.fields=value,
    no envelope); text: the schemaless topic's JSON text as one string column (StringConverter).
    file.max.records = --flush-size; the files are written at each offset commit (the worker's
    offset.flush.interval.ms, 1000 as connect-c's)."""
    label = f"aiven-{mode}"
    cname = kc.unique(f"aiven-{mode}")
    cfg = {
        "connector.class": PEER_CLASS, "tasks.max": "1", "topics": topic,
        "aws.access.key.id": s3env["KC_S3_ACCESS_KEY"],
        "aws.secret.access.key": s3env["KC_S3_SECRET_KEY"],
        "aws.s3.bucket.name": "bench", "aws.s3.endpoint": s3env["KC_S3_ENDPOINT"],
        "aws.s3.region": "us-east-1",
        "format.output.type": "parquet", "format.output.fields": "value",
        "format.output.fields.value.encoding": "none",
        "file.compression.type": args.codec, "file.max.records": str(args.flush_size),
        "file.name.template": f"{label}-{run}/{{{{topic}}}}-{{{{partition}}}}-"
                              f"{{{{start_offset}}}}.parquet",
        # its grouper wants a key schema too: StringConverter gives the null keys one
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    }
    if mode == "typed":
        cfg.update(TYPED)
        cfg["format.output.envelope"] = "false"  # the struct's fields as top-level columns
    else:
        cfg["value.converter"] = "org.apache.kafka.connect.storage.StringConverter"
    try:
        m = measure(jvm["pid"], jvm["rest"], cname, cfg, args, bootstrap, s3env,
                    threads=thread_cpu_tid)
    except Exception:
        log(f"JVM worker log tail:\n{jvm['log_tail']()}")
        raise
    jvm["rest"].delete(f"/connectors/{cname}")  # the next run's connector has the worker alone
    split = jvm_split(m.pop("threads0"), m.pop("threads1"))
    files, size, rows = count_rows(s3env, s3_root(s3env), f"/{label}-{run}/")
    res = {"kind": label, "run": run, **m, "files": files, "parquet_bytes": size, "rows": rows,
           "threads": split, "side": "peer", "topic": topic}
    log(f"{label} run {run + 1}: {res}")
    return res


def quiesce(pid: int, limit: float = 60.0) -> float:
    """Wait until process pid uses under 5% of a core over a second: after its run the JVM
    keeps compiling and collecting for a while, on the same two cores as the next run. Returns
    the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        a = cpu_seconds(pid)
        time.sleep(1.0)
        if cpu_seconds(pid) - a < 0.05:
            break
    return time.monotonic() - t0


def start_peer_worker(base: Path, bootstrap: str, plugin_dir: Path) -> tuple[kc.Services, dict]:
    """A JVM Connect 4.1.0 worker (services.sh start-jvm-connect: -Xms128m -Xmx1g,
    offset.flush.interval.ms=1000) with plugin.path = plugin_dir."""
    svc = kc.Services(base / "jvm")
    env = svc.start_jvm_connect("aiven-peer", {"plugin.path": str(plugin_dir)}, bootstrap)
    rest = kc.Rest(env["KC_CONNECT_URL"])
    log_path = Path(env["KC_CONNECT_LOG"])
    plugins = rest.get("/connector-plugins").json()
    if not any(p.get("class") == PEER_CLASS for p in plugins):
        svc.stop_one("aiven-peer")
        raise SystemExit(f"no {PEER_CLASS} in {plugin_dir}: {plugins}")
    return svc, {"pid": int(env["KC_CONNECT_PID"]), "rest": rest,
                 "log_tail": lambda n=80: "\n".join(
                     log_path.read_text(errors="replace").splitlines()[-n:])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--stores", default="local,s3")
    ap.add_argument("--flush-size", type=int, default=100_000)
    ap.add_argument("--partitioner", choices=["default", "time"], default="default",
                    help="time: TimeBasedPartitioner, hourly year=/month=/day=/hour= paths from "
                         "the record's timestamp field (timestamp.extractor=RecordField)")
    ap.add_argument("--codec", default="snappy", help="parquet.codec (default snappy)")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--s3-server", choices=["s3proxy", "minio"], default="s3proxy",
                    help="the S3 store's server: S3Proxy (Maven Central, as the tests) or MinIO "
                         "(built from the Go module proxy on first use, as the user pipelines)")
    ap.add_argument("--cold-s3", action="store_true",
                    help="skip the S3Proxy warm-up PUTs (its JIT then runs during the timed run)")
    ap.add_argument("--topic")
    ap.add_argument("--typed-topic", help="the typed topic's name (default "
                    "bench-s3-typed-<records>-1p)")
    ap.add_argument("--typed", action="store_true",
                    help="run connect-c on the typed topic (JsonConverter envelopes) too, with "
                         "or without the peer")
    ap.add_argument("--peer-modes", default="typed",
                    help="with KC_S3_JVM_PLUGIN_DIR: the peer's runs, comma-separated: typed "
                         "(the typed topic, 8 columns; connect-c runs it too), text (the "
                         "schemaless topic's JSON text in one column)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per store, interleaved (default 3): the best is set beside the "
                         "ceiling, itself the best of 3; the median is printed too")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temp dir (worker logs, records, lake) after a good run too")
    args = ap.parse_args()
    stores = args.stores.split(",")
    peer_dir = os.environ.get("KC_S3_JVM_PLUGIN_DIR")
    peer_modes = [m for m in args.peer_modes.split(",") if m] if peer_dir else []
    if peer_dir:
        peer_dir = Path(peer_dir).resolve()
        if not list(peer_dir.glob("*/s3-sink-connector-for-apache-kafka-*.jar")):
            raise SystemExit(f"KC_S3_JVM_PLUGIN_DIR={peer_dir} holds no Aiven S3 sink jar "
                             "(tests/bench/s3/build-jvm-connector.sh makes one)")
        if "s3" not in stores:
            log("KC_S3_JVM_PLUGIN_DIR is set but --stores has no s3: no peer runs")
            peer_modes = []
        if set(peer_modes) - {"typed", "text"}:
            raise SystemExit(f"--peer-modes: typed and/or text, not {args.peer_modes}")
    peer_version = "?"
    if peer_dir and (peer_dir / "VERSION").exists():
        peer_version = (peer_dir / "VERSION").read_text().split()[0]
    base = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    svc = None
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    if not bootstrap:
        svc = kc.Services(base / "run")
        bootstrap = svc.start_kafka()["KC_BOOTSTRAP"]
    topic = args.topic or f"bench-worker-{args.records}-1p"
    typed_topic = args.typed_topic or f"bench-s3-typed-{args.records}-1p"
    typed = "typed" in peer_modes or args.typed
    kafka = kc.Kafka(bootstrap)
    ensure_topic(kafka, topic, args.records, 1, base / "records.jsonl")
    if typed:
        ensure_typed_topic(kafka, typed_topic, args.records, base)
    kafka.close()
    raw = raw_consume(bootstrap, topic, args.records)
    log(f"raw consume (kcat): {raw}")
    ours = raw_consume_ours(bootstrap, topic, args.records)
    log(f"raw consume (kc_bench_raw_consume): {ours}")
    ceilings = {topic: ours or raw}
    if typed:
        ceilings[typed_topic] = raw_consume_ours(bootstrap, typed_topic, args.records) or \
            raw_consume(bootstrap, typed_topic, args.records)
        log(f"raw consume of {typed_topic}: {ceilings[typed_topic]}")
    s3env = None
    results = []
    ok_run = False
    peer_svc = None
    try:
        if "s3" in stores:
            minio = args.s3_server == "minio"
            out = subprocess.run([str(SERVICES), "start-minio" if minio else "start-s3",
                                  str(base / "s3run")], check=True, text=True,
                                 capture_output=True, timeout=1800).stdout
            s3env = dict(l.split("=", 1) for l in out.splitlines() if "=" in l)
            s3env["pid"] = (base / "s3run" / ("minio.pid" if minio else "s3.pid")).read_text() \
                .strip()
            s3_bucket(s3env, "bench")
            if not args.cold_s3 and not minio:
                log(f"S3Proxy warm-up: {warm_s3(s3env, base):.2f} CPU-s of the server")
        jvm = None
        for run in range(args.runs):
            # (kind, label, topic, connector overrides) of connect-c's runs, then the peer's
            plan = [("c", kind, kind, topic, None) for kind in stores]
            if typed:
                plan.append(("c", "s3" if "s3" in stores else "local",
                             "s3-typed" if "s3" in stores else "local-typed", typed_topic,
                             TYPED))
            plan += [("peer", "s3", mode, typed_topic if mode == "typed" else topic, None)
                     for mode in peer_modes]
            for side, kind, label, t, extra in plan:
                if jvm is not None:  # the peer's worker idle before any run
                    waited = quiesce(jvm["pid"])
                    if waited > 1.5:
                        log(f"waited {waited:.1f} s for the JVM worker to go idle")
                # a ceiling run just before each sink run: the pair saw the same machine
                pair = raw_consume_ours(bootstrap, t, args.records, runs=1)
                if side == "c":
                    jvm0 = cpu_seconds(jvm["pid"]) if jvm is not None else None
                    r = run_store(kind, run, args, bootstrap, t, base, s3env, label, extra)
                    if jvm0 is not None:
                        log(f"the idle JVM worker during {label} run {run + 1}: "
                            f"{cpu_seconds(jvm['pid']) - jvm0:.2f} CPU-s")
                else:
                    if jvm is None:
                        peer_svc, jvm = start_peer_worker(base, bootstrap, peer_dir)
                    r = run_peer(label, run, args, bootstrap, t, s3env, jvm)
                r["pair_ceiling"] = pair["wall"] if pair is not None else None
                results.append(r)
        ok_run = True
    finally:
        if peer_svc is not None:
            peer_svc.stop()
        if (base / "s3run").exists():  # also when its start failed half way
            subprocess.run([str(SERVICES), "stop", str(base / "s3run")], check=False)
        if svc is not None:
            svc.stop()
        if ok_run and not args.keep:
            shutil.rmtree(base, ignore_errors=True)  # the records, the lake, the server's data
        else:
            log(f"kept {base}" + ("" if ok_run else " (logs of the failed run)"))
    n = args.records
    print(f"\nS3 sink bench: {n} records of ~200 bytes, schemaless JSON -> Parquet ({args.codec}), "
          f"flush.size={args.flush_size}, {args.partitioner} partitioner, 1 task, 1 partition"
          + (f", S3 store on {args.s3_server}" if s3env is not None else ""))
    print(f"raw consume (kcat -C to /dev/null, best of 3, Debian librdkafka): "
          f"{n / raw['wall']:,.0f} rows/s, "
          f"{raw['cpu'] / n * 1e6:.2f} CPU-s per million rows")
    if ours is not None:
        print(f"raw consume ceiling (kc_bench_raw_consume, our librdkafka build, the task's "
              f"consumer settings, best of 3): {n / ours['wall']:,.0f} rows/s, "
              f"{ours['cpu'] / n * 1e6:.2f} CPU-s per million rows")
    if typed_topic in ceilings:
        c = ceilings[typed_topic]
        print(f"typed topic {typed_topic} ({n} JsonConverter envelopes, schema + payload, "
              f"~{envelope_size():.0f} bytes): raw consume ceiling {n / c['wall']:,.0f} rows/s, "
              f"{c['cpu'] / n * 1e6:.2f} CPU-s per million rows; its runs are set against it")
    if peer_modes:
        print(f"peer: Aiven S3 sink {peer_version} ({PEER_CLASS}) in a JVM Connect 4.1.0 worker "
              f"(-Xms128m -Xmx1g, offset.flush.interval.ms=1000), file.max.records="
              f"{args.flush_size}, {peer_dir}")
    print(f"{'store':<11} {'run':>3} {'rows/s':>10} {'MB/s pq':>8} {'CPU-s/M':>8} "
          f"{'rows/CPU-s':>11} {'peak RSS':>9} {'files':>5} {'pq MiB':>7} {'vs ceiling':>10} "
          f"{'vs paired':>9}")
    ok = True
    for r in results:
        ok &= r["rows"] == n
        ceil = ceilings[r["topic"]]
        per_cpu = f"{n / r['cpu']:>11,.0f}" if r["cpu"] > 0 else f"{'n/a':>11}"  # perf wrappers
        print(f"{r['kind']:<11} {r['run'] + 1:>3} {n / r['wall']:>10,.0f} "
              f"{r['parquet_bytes'] / r['wall'] / 1e6:>8.1f} {r['cpu'] / n * 1e6:>8.2f} {per_cpu} "
              f"{r['hwm_kib'] / 1024:>7.0f}Mi {r['files']:>5} {r['parquet_bytes'] / 2**20:>7.1f} "
              f"{(n / r['wall']) / (n / ceil['wall']):>9.0%} "
              + (f"{r['pair_ceiling'] / r['wall']:>9.0%}" if r.get("pair_ceiling") else ""))
    # Like against like: the ceiling is the best of its runs, so the sink's best is set beside it;
    # the median says what a typical run does.
    for kind in dict.fromkeys(r["kind"] for r in results):
        ceil = ceilings[next(r["topic"] for r in results if r["kind"] == kind)]
        walls = sorted(r["wall"] for r in results if r["kind"] == kind)
        best, med = n / walls[0], n / statistics.median(walls)
        print(f"{kind}: best of {len(walls)} {best:,.0f} rows/s ({best * ceil['wall'] / n:.0%} of "
              f"the ceiling), median {med:,.0f} rows/s ({med * ceil['wall'] / n:.0%})")
        pairs = [r["pair_ceiling"] / r["wall"] for r in results
                 if r["kind"] == kind and r.get("pair_ceiling")]
        if pairs:
            print(f"{kind}: against the ceiling run just before each run (paired): median "
                  f"{statistics.median(pairs):.0%}, range {min(pairs):.0%}-{max(pairs):.0%}")
    # The task thread does the sink's work (JSON to Parquet columns); the other threads and the
    # broker share the machine's cores with it: "machine" is every process's CPU over the run.
    print("where the CPU went (seconds per run; task thread busy = its CPU / the run's wall):")
    for r in results:
        th = r["threads"]
        where = (f"task {th['task']:.2f} (busy {th['task'] / r['wall']:.0%}, waited "
                 f"{th['task_queued']:.2f} for a core, slept {th['task_sleeps']} times, "
                 f"{th['task_faults']} page faults), upload {th['upload']:.2f}, librdkafka "
                 f"{th['librdkafka']:.2f}, reaper {th['reaper']:.2f}, other {th['other']:.2f}"
                 if r["side"] == "connect-c" else
                 f"JVM task thread {th['task']:.2f} (busy {th['task'] / r['wall']:.0%}), GC "
                 f"{th['gc']:.2f}, JIT {th['jit']:.2f}, other {th['other']:.2f}")
        print(f"  {r['kind']} run {r['run'] + 1}: {where}; machine {r['machine_cores']:.2f} of "
              f"{os.cpu_count()} cores busy, steal {r['steal_cores']:.2f}")
    for r in results:
        if r.get("server_cpu") is not None:
            print(f"{args.s3_server} (same machine) during {r['kind']} run {r['run'] + 1}: "
                  f"{r['server_cpu']:.2f} CPU-s")
    print("rows read back by pyarrow:",
          ", ".join(f"{r['kind']} run {r['run'] + 1}={r['rows']}" for r in results))
    compare_peer(results, n, peer_version)
    return 0 if ok else 1


def envelope_size() -> float:
    """The typed topic's mean record size: a ~200-byte record in its envelope."""
    return len('{"schema":' + json.dumps(TYPED_SCHEMA, separators=(",", ":")) +
               ',"payload":}') + 200


def compare_peer(results: list, n: int, version: str) -> None:
    """connect-c against the peer: rows per CPU-second (median of the runs) and peak RSS (the
    highest VmHWM; the JVM worker's grows over its runs, connect-c's is one worker per run)."""
    pairs = [("s3-typed", "aiven-typed", "same typed topic, 8 typed columns"),
             ("s3", "aiven-text", "schemaless topic; connect-c infers the columns, the peer "
                                  "writes the JSON text as one column")]
    for ours, peer, what in pairs:
        a = [r for r in results if r["kind"] == ours and r["cpu"] > 0]
        b = [r for r in results if r["kind"] == peer and r["cpu"] > 0]
        if not a or not b:
            continue
        ra, rb = (statistics.median(n / r["cpu"] for r in x) for x in (a, b))
        wa, wb = (statistics.median(n / r["wall"] for r in x) for x in (a, b))
        ma, mb = (max(r["hwm_kib"] for r in x) / 1024 for x in (a, b))
        sa, sb = (max(r["peak_kib"] for r in x) / 1024 for x in (a, b))
        print(f"\nconnect-c ({ours}) vs the JVM peer ({peer}, Aiven S3 sink {version}), {what}, "
              f"median of {len(a)}/{len(b)} run(s):")
        print(f"  rows per CPU-second: {ra:,.0f} vs {rb:,.0f}: {ra / rb:.1f}x"
              + (" (target >= 10x: " + ("met" if ra / rb >= 10 else "not met") + ")"
                 if ours == "s3-typed" else ""))
        print(f"  peak RSS (VmHWM): {ma:.0f} MiB vs {mb:.0f} MiB: 1/{mb / ma:.1f}"
              + (" (target <= 1/20: " + ("met" if mb / ma >= 20 else "not met") + ")"
                 if ours == "s3-typed" else "")
              + f"; highest RSS sampled during the runs {sa:.0f} vs {sb:.0f} MiB")
        print(f"  rows/s: {wa:,.0f} vs {wb:,.0f}: {wa / wb:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
