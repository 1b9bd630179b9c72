#!/usr/bin/env python3
"""tests/bench/worker/bench_worker.py: connect-c vs the JVM Connect 4.1.0 worker, one run, same data.

Both workers run FileStreamSink with JsonConverter (schemas.enable=false) on the same topic of
N (default 1M) ~200-byte JSON records. Measured per worker, one worker at a time (2 cores):

  * exec -> REST ready: from spawning the worker process until `GET /connectors` answers 200
    (also reported: until `GET /health` answers 200, i.e. the herder finished startup);
  * idle RSS: VmRSS ~3 s after the herder is ready (no connector);
  * records/s: wall time from `POST /connectors` until the output file holds N lines;
  * CPU-seconds per million records: utime+stime of the whole worker process (all threads, from
    /proc/PID/stat) over that same window;
  * peak RSS: VmHWM of the worker at the end of the run (also the max VmRSS sampled every 100 ms
    during the window).

Then the two output files are compared (byte for byte, and after sorting).

Usage (with the venv python, from anywhere):
  $KC_CACHE/venv/bin/python tests/bench/worker/bench_worker.py [--records N] [--partitions P]
Environment: KC_BOOTSTRAP (reuse a broker instead of starting one), KC_BUILD_DIR /
KC_CONNECT_BIN (our binary, as for the integration tests), KC_CACHE (JVM jars), JAVA.

The JVM worker is spawned directly (not through services.sh, which would add its own polling and
bash start-up to the exec->ready time) with the command line services.sh start-jvm-connect uses:
  java -Xms128m -Xmx1g <JVM_OPTS of services.sh> -Dlog4j2.configurationFile=<services.sh log4j2>
       -cp $KC_CACHE/connect-4.1.0/lib/* org.apache.kafka.connect.cli.ConnectDistributed <props>
check_services_sh() warns when services.sh no longer has that command line. Both workers get the
same worker properties (those of services.sh / kc.ConnectC) except offset.flush.interval.ms,
which is the JVM default 60000 for both (--offset-flush-ms).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import kc  # noqa: E402

KAFKA_VERSION = "4.1.0"
JVM_HEAP = ["-Xms128m", "-Xmx1g"]
JVM_OPTS = ["-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true"]
LOG4J2 = """status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.ak.name = org.apache.kafka
logger.ak.level = WARN
logger.connect.name = org.apache.kafka.connect
logger.connect.level = INFO
"""

# The targets, as (metric key, description, predicate on (ours, jvm)).
TARGETS = [
    ("rec_per_cpu", ">= 5x records per CPU-second", lambda o, j: o / j >= 5.0),
    ("peak_rss", "<= 1/20 peak RSS", lambda o, j: o <= j / 20.0),
    ("idle_rss", "idle RSS <= 10 MiB", lambda o, j: o <= 10 * 1024 * 1024),
    ("ready_connectors", ">= 50x faster exec -> REST ready", lambda o, j: j / o >= 50.0),
]

# The sink runtime issue's aim: the whole FileStreamSink path within this many times a raw
# consume's CPU per record (kc_bench_raw_consume, same librdkafka, same topic, same run).
RAW_CPU_TARGET = 1.3

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# /proc


def cpu_seconds(pid: int) -> float:
    """utime+stime of the whole process (every thread, live or exited), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kib(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def threads(pid: int) -> int:
    return status_kib(pid, "Threads")


# ------------------------------------------------------------------------------------------------
# data


def make_records(path: Path, n: int, seed: int = 42) -> tuple[int, int]:
    """n JSON lines of ~200 bytes each into path; returns (bytes, min line length)."""
    rnd = random.Random(seed)
    events = ["click", "view", "purchase", "scroll", "add_to_cart", "login"]
    devices = ["ios", "android", "web", "tv"]
    target = 200
    total = 0
    shortest = 1 << 30
    t0 = 1_700_000_000_000
    with open(path, "w", buffering=1 << 20) as f:
        for i in range(n):
            rec = {
                "user_id": rnd.randrange(1, 10_000_000),
                "event_type": events[rnd.randrange(len(events))],
                "timestamp": t0 + i * 7 + rnd.randrange(7),
                "session_id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                "device": devices[rnd.randrange(len(devices))],
                "value": round(rnd.uniform(0, 10_000), rnd.randrange(1, 5)),
                "seq": i,
                "pad": "",
            }
            line = json.dumps(rec, separators=(",", ":"))
            rec["pad"] = "x" * max(0, target - len(line))
            line = json.dumps(rec, separators=(",", ":"))
            f.write(line)
            f.write("\n")
            total += len(line) + 1
            shortest = min(shortest, len(line))
    return total, shortest


def ensure_topic(kafka: kc.Kafka, topic: str, n: int, partitions: int, data: Path) -> None:
    """Create and fill the topic once; a topic that already holds n records is reused."""
    # all-topics metadata: asking for one topic by name would auto-create it on this broker
    if topic in kafka.admin().list_topics(timeout=kc.scaled(30)).topics:
        ends = kafka.end_offsets(topic)
        if sum(ends.values()) == n and len(ends) == partitions:
            log(f"topic {topic} already holds {n} records in {partitions} partition(s): reused")
            return
        raise SystemExit(f"topic {topic} exists with {ends}; expected {n} records in "
                         f"{partitions} partition(s) (delete it or use another --topic)")
    kafka.create_topic(topic, partitions=partitions)
    if not data.exists():
        t = time.monotonic()
        size, shortest = make_records(data, n)
        log(f"generated {n} records, {size / n:.1f} bytes/line incl. newline (shortest {shortest})"
            f" in {time.monotonic() - t:.1f} s -> {data}")
    cmd = ["kcat", "-P", "-q", "-b", kafka.bootstrap, "-t", topic,
           "-X", "linger.ms=20", "-X", "batch.num.messages=10000", "-X", "compression.codec=none"]
    if partitions == 1:
        cmd += ["-p", "0"]
    t = time.monotonic()
    with open(data, "rb") as f:
        subprocess.run(cmd, stdin=f, check=True, timeout=kc.scaled(600))
    kc.wait_until(lambda: sum(kafka.end_offsets(topic).values()) == n, timeout=60,
                  what=f"{n} records in {topic}")
    log(f"produced {n} records to {topic} ({partitions} partition(s)) in "
        f"{time.monotonic() - t:.1f} s: {shlex.join(cmd)} < {data}")


# ------------------------------------------------------------------------------------------------
# workers


def worker_props(bootstrap: str, name: str, port: int, plugins: Path, flush_ms: int) -> dict:
    """The worker properties of services.sh start-jvm-connect and kc.ConnectC."""
    return {
        "bootstrap.servers": bootstrap,
        "group.id": name,
        "listeners": f"http://127.0.0.1:{port}",
        "rest.advertised.host.name": "127.0.0.1",
        "rest.advertised.port": port,
        "key.converter": kc.JSON_CONVERTER,
        "value.converter": kc.JSON_CONVERTER,
        "key.converter.schemas.enable": "false",
        "value.converter.schemas.enable": "false",
        "config.storage.topic": f"{name}-configs",
        "config.storage.replication.factor": 1,
        "offset.storage.topic": f"{name}-offsets",
        "offset.storage.replication.factor": 1,
        "offset.storage.partitions": 1,
        "status.storage.topic": f"{name}-status",
        "status.storage.replication.factor": 1,
        "status.storage.partitions": 1,
        "offset.flush.interval.ms": flush_ms,
        "plugin.path": str(plugins),
    }


def jvm_command(props: Path, log4j2: Path) -> list[str]:
    java = os.environ.get("JAVA", "java")
    cache = Path(os.environ.get("KC_CACHE") or
                 Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "connect-c")
    lib = cache / f"connect-{KAFKA_VERSION}" / "lib"
    if not (lib / ".complete").exists():
        raise SystemExit(f"no JVM Connect jars in {lib}: run tests/integration/services.sh fetch")
    return [java, *JVM_HEAP, *JVM_OPTS, f"-Dlog4j2.configurationFile={log4j2}",
            "-cp", f"{lib}/*", "org.apache.kafka.connect.cli.ConnectDistributed", str(props)]


def check_services_sh() -> None:
    """Warn when services.sh no longer starts the JVM worker the way jvm_command() does."""
    text = kc.SERVICES_SH.read_text()
    m = re.search(r"JVM_OPTS=\((.*?)\)", text, re.S)
    opts = m.group(1).split() if m else None
    problems = []
    if opts != JVM_OPTS:
        problems.append(f"JVM_OPTS there: {opts}")
    if '"$JAVA" -Xms128m -Xmx1g "${JVM_OPTS[@]}"' not in text:
        problems.append("heap flags changed")
    if f"KAFKA_VERSION={KAFKA_VERSION}" not in text:
        problems.append("Kafka version changed")
    if "org.apache.kafka.connect.cli.ConnectDistributed" not in text:
        problems.append("main class changed")
    if LOG4J2.strip() not in text:
        problems.append("log4j2 config changed")
    if problems:
        log("WARNING: services.sh start-jvm-connect differs from this benchmark's JVM command "
            "line: " + "; ".join(problems))


def http_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    except OSError:
        return None
    finally:
        c.close()


class Worker:
    def __init__(self, label: str, cmd: list[str], workdir: Path, port: int,
                 env: dict[str, str] | None = None):
        self.env = env
        self.label = label
        self.cmd = cmd
        self.workdir = workdir
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / "worker.log"
        self.rest = kc.Rest(f"http://127.0.0.1:{port}")

    def start(self) -> dict:
        """Spawn; return exec->ready times (s) for GET /connectors and GET /health."""
        logf = open(self.log_path, "wb")
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.STDOUT, cwd=self.workdir, env=self.env)
        logf.close()
        out: dict = {}
        deadline = t0 + kc.scaled(180)
        path = "/connectors"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode} before it "
                                   f"was ready; log {self.log_path}:\n{self.log_tail()}")
            st = http_status(self.port, path)
            now = time.monotonic()
            if st == 200:
                out["ready_connectors" if path == "/connectors" else "ready_health"] = now - t0
                if path == "/health":
                    return out
                path = "/health"
                continue
            if now > deadline:
                raise RuntimeError(f"{self.label} not ready ({path}) after {now - t0:.0f} s; "
                                   f"log {self.log_path}:\n{self.log_tail()}")
            el = now - t0
            # fine polling early (connect-c is ready in milliseconds), coarser later
            time.sleep(0.001 if el < 0.3 else 0.005 if el < 2 else 0.02)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self, grace: float = 30) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=kc.scaled(grace))
        except subprocess.TimeoutExpired:
            log(f"{self.label} (pid {self.pid}) ignored SIGTERM for {grace} s: SIGKILL")
            self.proc.kill()
            self.proc.wait(timeout=30)
        return self.proc.returncode

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""


class LineCounter:
    """Counts '\\n' in a growing file incrementally."""

    def __init__(self, path: Path):
        self.path = path
        self.off = 0
        self.lines = 0
        self.f = None

    def poll(self) -> int:
        if self.f is None:
            try:
                self.f = open(self.path, "rb")
            except FileNotFoundError:
                return 0
        while True:
            b = self.f.read(1 << 22)
            if not b:
                break
            self.off += len(b)
            self.lines += b.count(b"\n")
        return self.lines

    def close(self) -> None:
        if self.f is not None:
            self.f.close()


def run_worker(label: str, kind: str, args, bootstrap: str, topic: str, base: Path) -> dict:
    """Start one worker, measure, run the FileStreamSink, stop it. Returns the metrics."""
    tag = uuid.uuid4().hex[:6]
    name = f"bench-{kind}-{tag}"
    workdir = base / kind
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "plugins").mkdir(exist_ok=True)
    port = kc.free_port()
    props_path = workdir / "worker.properties"
    props = worker_props(bootstrap, name, port, workdir / "plugins", args.offset_flush_ms)
    for kv in args.prop + (args.cc_prop if kind == "cc" else args.jvm_prop):
        k, _, v = kv.partition("=")
        props[k] = v
    kc.write_properties(props_path, props)
    if kind == "cc":
        binary = kc.connect_bin()
        if not (binary.is_file() and os.access(binary, os.X_OK)):
            raise SystemExit(f"connect-c binary not built: {binary} (set KC_BUILD_DIR)")
        cmd = [str(binary), str(props_path)]
    else:
        log4j2 = workdir / "log4j2.properties"
        log4j2.write_text(LOG4J2)
        cmd = jvm_command(props_path, log4j2)
    out_file = workdir / "sink.out"
    if out_file.exists():
        out_file.unlink()
    m: dict = {"label": label, "cmd": shlex.join(cmd), "out_file": out_file,
               "log": workdir / "worker.log"}
    extra_env = dict(kv.partition("=")[::2] for kv in (args.cc_env if kind == "cc" else []))
    env = dict(os.environ, **extra_env)
    if kind == "cc":
        ldd = subprocess.run(["ldd", cmd[0]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, env=env).stdout
        m["librdkafka"] = next((ln.split("=>")[1].split("(")[0].strip()
                                for ln in ldd.splitlines() if "librdkafka" in ln), "?")
        m["env"] = " ".join(f"{k}={v}" for k, v in extra_env.items())
    else:
        jv = subprocess.run([cmd[0], "-version"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True).stdout.splitlines()
        m["java"] = jv[0] if jv else "?"
    w = Worker(label, cmd, workdir, port, env)
    log(f"{label}: exec {shlex.join(cmd)}" + (f" (env {m['env']})" if m.get("env") else ""))
    try:
        m.update(w.start())
        log(f"{label}: pid {w.pid}, GET /connectors 200 after {m['ready_connectors'] * 1e3:.1f} ms,"
            f" GET /health 200 after {m['ready_health'] * 1e3:.1f} ms")
        time.sleep(args.idle_wait)
        m["idle_rss"] = status_kib(w.pid, "VmRSS") * 1024
        m["idle_rss_anon"] = status_kib(w.pid, "RssAnon") * 1024
        m["idle_rss_file"] = status_kib(w.pid, "RssFile") * 1024
        m["idle_threads"] = threads(w.pid)
        m["idle_cpu"] = cpu_seconds(w.pid)  # CPU used by start-up and idling so far
        log(f"{label}: idle RSS {m['idle_rss'] / 2**20:.1f} MiB ({m['idle_threads']} threads), "
            f"{m['idle_cpu']:.2f} CPU-s since exec")

        counter = LineCounter(out_file)
        cfg = {"connector.class": kc.FILE_SINK, "tasks.max": str(args.tasks), "topics": topic,
               "file": str(out_file)}
        cpu0 = cpu_seconds(w.pid)
        t0 = time.monotonic()
        w.rest.create_connector(f"bench-sink-{tag}", cfg)
        m["post"] = time.monotonic() - t0
        peak_sampled = 0
        first_line = None
        deadline = t0 + kc.scaled(args.timeout)
        next_sample = t0
        while True:
            now = time.monotonic()
            if now >= next_sample:
                peak_sampled = max(peak_sampled, status_kib(w.pid, "VmRSS") * 1024)
                next_sample = now + 0.1
            n = counter.poll()
            if n and first_line is None:
                first_line = time.monotonic() - t0
            if n >= args.records:
                break
            if w.proc.poll() is not None:
                raise RuntimeError(f"{label} died during the run:\n{w.log_tail()}")
            if now > deadline:
                raise RuntimeError(f"{label}: only {n} of {args.records} lines after "
                                   f"{now - t0:.0f} s; log {w.log_path}")
            time.sleep(0.02)
        t1 = time.monotonic()
        cpu1 = cpu_seconds(w.pid)
        m["wall"] = t1 - t0
        m["first_line"] = first_line
        m["cpu"] = cpu1 - cpu0
        m["peak_rss"] = status_kib(w.pid, "VmHWM") * 1024
        m["peak_rss_sampled"] = max(peak_sampled, status_kib(w.pid, "VmRSS") * 1024)
        m["run_threads"] = threads(w.pid)
        time.sleep(0.5)  # anything written after the last expected line shows up as extra lines
        m["lines"] = counter.poll()
        counter.close()
        m["rec_per_s"] = args.records / m["wall"]
        if first_line is not None and m["wall"] > first_line:
            m["rec_per_s_flow"] = args.records / (m["wall"] - first_line)
        m["cpu_per_m"] = m["cpu"] / args.records * 1e6
        m["rec_per_cpu"] = args.records / m["cpu"] if m["cpu"] > 0 else float("inf")
        log(f"{label}: {args.records} lines in {m['wall']:.2f} s (first line after "
            f"{(first_line or 0) * 1e3:.0f} ms), {m['cpu']:.2f} CPU-s, peak RSS "
            f"{m['peak_rss'] / 2**20:.1f} MiB (sampled {m['peak_rss_sampled'] / 2**20:.1f} MiB), "
            f"{m['run_threads']} threads")
    finally:
        rc = w.stop()
        m["exit"] = rc
        log(f"{label}: stopped, exit status {rc}")
    return m


def raw_bin() -> Path:
    return kc.build_dir() / "tests" / "bench" / "worker" / "kc_bench_raw_consume"


def run_raw(args, bootstrap: str, topic: str) -> dict:
    """The ceiling: kc_bench_raw_consume (the task's consumer settings, records thrown away)
    reads the same N records; its own getrusage() CPU at the Nth record, consumer creation and
    group join included as in the workers' POST -> N lines window."""
    binary = raw_bin()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise SystemExit(f"raw consumer not built: {binary} (ninja kc_bench_raw_consume)")
    cmd = [str(binary), "-b", bootstrap, "-t", topic, "-n", str(args.records)]
    m: dict = {"label": "raw consume", "cmd": shlex.join(cmd)}
    ldd = subprocess.run(["ldd", cmd[0]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    m["librdkafka"] = next((ln.split("=>")[1].split("(")[0].strip()
                            for ln in ldd.splitlines() if "librdkafka" in ln), "?")
    log(f"raw consume: exec {m['cmd']}")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=kc.scaled(args.timeout))
    line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    if p.returncode != 0 or int(f.get("records", -1)) != args.records:
        raise RuntimeError(f"raw consume failed (exit {p.returncode}): {line}\n{p.stderr}")
    m["lines"] = int(f["records"])
    m["exit"] = p.returncode
    m["wall"] = float(f["wall_s"])
    m["first_line"] = float(f["first_s"])
    m["cpu"] = float(f["cpu_s"])
    m["peak_rss"] = int(f["maxrss_kib"]) * 1024
    m["rec_per_s"] = args.records / m["wall"]
    if m["wall"] > m["first_line"] > 0:
        m["rec_per_s_flow"] = args.records / (m["wall"] - m["first_line"])
    m["cpu_per_m"] = m["cpu"] / args.records * 1e6
    m["rec_per_cpu"] = args.records / m["cpu"] if m["cpu"] > 0 else float("inf")
    log(f"raw consume: {args.records} records in {m['wall']:.2f} s (first after "
        f"{m['first_line'] * 1e3:.0f} ms), {m['cpu']:.2f} CPU-s (user {float(f['user_s']):.2f}, "
        f"sys {float(f['sys_s']):.2f}), max RSS {m['peak_rss'] / 2**20:.1f} MiB")
    return m


# ------------------------------------------------------------------------------------------------
# output comparison


def compare_outputs(a: Path, b: Path, base: Path, show: int = 3) -> dict:
    res: dict = {"identical": False, "identical_sorted": False, "diffs": []}
    res["identical"] = subprocess.run(["cmp", "-s", str(a), str(b)]).returncode == 0
    if res["identical"]:
        res["identical_sorted"] = True
        return res
    env = dict(os.environ, LC_ALL="C")
    sa, sb = base / "cc.sorted", base / "jvm.sorted"
    for src, dst in ((a, sa), (b, sb)):
        subprocess.run(["nice", "sort", "-S", "256M", "--parallel=1", "-T", str(base), "-o",
                        str(dst), str(src)], check=True, env=env)
    res["identical_sorted"] = subprocess.run(["cmp", "-s", str(sa), str(sb)]).returncode == 0
    # a few differing lines, paired by seq (the record's own sequence number)
    if not res["identical_sorted"]:
        seq_re = re.compile(r"seq=(\d+)")
        with open(a, errors="replace") as fa, open(b, errors="replace") as fb:
            for i, (la, lb) in enumerate(zip(fa, fb)):
                if la != lb:
                    sqa, sqb = seq_re.search(la), seq_re.search(lb)
                    res["diffs"].append((i, la.rstrip("\n"), lb.rstrip("\n"),
                                         sqa.group(1) if sqa else "?",
                                         sqb.group(1) if sqb else "?"))
                    if len(res["diffs"]) >= show:
                        break
        p = subprocess.run(["comm", "-3", str(sa), str(sb)], stdout=subprocess.PIPE, env=env,
                           text=True, errors="replace")
        lines = p.stdout.splitlines()
        res["comm_only_cc"] = sum(1 for ln in lines if not ln.startswith("\t"))
        res["comm_only_jvm"] = sum(1 for ln in lines if ln.startswith("\t"))
    for f in (sa, sb):
        f.unlink(missing_ok=True)
    return res


# ------------------------------------------------------------------------------------------------
# report


def mib(x: float) -> str:
    return f"{x / 2**20:.1f} MiB"


def median(xs: list) -> float:
    return statistics.median(xs)


def summarize(runs: list[dict]) -> dict:
    """Per metric, the median over the runs (numbers only); run 1's text fields."""
    if not runs:
        return {}
    out = dict(runs[0])
    for k in runs[0]:
        vals = [r[k] for r in runs if isinstance(r.get(k), (int, float)) and
                not isinstance(r.get(k), bool)]
        if vals and len(vals) == len(runs):
            out[k] = median(vals)
    out["lines_all"] = [r.get("lines") for r in runs]
    return out


def spread(vals: list[float], fmt) -> str:
    return f"{fmt(min(vals))} / {fmt(median(vals))} / {fmt(max(vals))}"


def print_report(args, results: dict[str, list[dict]], cmps: list[dict], command: str,
                 meta: dict) -> int:
    p = print
    cc, jvm, raw = (summarize(results.get(k, [])) or None for k in ("cc", "jvm", "raw"))
    p("")
    p(f"== connect-c vs JVM Connect {KAFKA_VERSION} vs a raw consume: FileStreamSink + "
      f"JsonConverter (schemas.enable=false) ==")
    p(f"command: {command}")
    for k, v in meta.items():
        p(f"{k}: {v}")
    if cc:
        p(f"connect-c exec: {cc['cmd']}" + (f"  (env {cc['env']})" if cc.get("env") else ""))
        p(f"connect-c librdkafka: {cc.get('librdkafka')}")
    if jvm:
        p(f"JVM exec:       {jvm['cmd']}")
        p(f"JVM: {jvm.get('java')}")
    if raw:
        p(f"raw consume:    {raw['cmd']}")
        p(f"raw consume librdkafka: {raw.get('librdkafka')}")
    if args.repeat > 1:
        p(f"figures: median of {args.repeat} runs each (runs interleaved: "
          f"{','.join(results)} per round)")
    p("")
    rows = [
        # key, label, fmt, better: "higher" / "lower"
        ("rec_per_s", "records/s (POST -> N lines)", lambda v: f"{v:,.0f}", "higher"),
        ("wall", "wall time for N records", lambda v: f"{v:.2f} s", "lower"),
        ("rec_per_s_flow", "records/s (first line -> N lines)", lambda v: f"{v:,.0f}",
         "higher"),
        ("post", "POST /connectors answered (201)", lambda v: f"{v * 1e3:.0f} ms", "lower"),
        ("first_line", "POST -> first line in file", lambda v: f"{v * 1e3:.0f} ms", "lower"),
        ("cpu", "CPU-s for N records", lambda v: f"{v:.2f} s", "lower"),
        ("cpu_per_m", "CPU-s per million records", lambda v: f"{v:.3f} s", "lower"),
        ("rec_per_cpu", "records per CPU-second", lambda v: f"{v:,.0f}", "higher"),
        ("peak_rss", "peak RSS (VmHWM)", mib, "lower"),
        ("peak_rss_sampled", "peak RSS (VmRSS 100 ms samples)", mib, "lower"),
        ("idle_rss", f"idle RSS ({args.idle_wait:g} s after ready)", mib, "lower"),
        ("idle_rss_anon", "  of which anonymous (RssAnon)", mib, "lower"),
        ("idle_rss_file", "  of which file-backed (RssFile: code, libs)", mib, "lower"),
        ("ready_connectors", "exec -> GET /connectors 200", lambda v: f"{v * 1e3:.1f} ms",
         "lower"),
        ("ready_health", "exec -> GET /health 200", lambda v: f"{v * 1e3:.1f} ms", "lower"),
        ("idle_cpu", "CPU-s from exec to idle sample", lambda v: f"{v:.2f} s", "lower"),
        ("run_threads", "threads while running", lambda v: f"{v:g}", "lower"),
    ]
    hdr = ("metric", "connect-c", "JVM", "raw consume", "ratio JVM:connect-c (bigger = "
           "connect-c better)", "connect-c/raw")
    table = []

    def num(v) -> bool:
        return isinstance(v, (int, float)) and bool(v)

    for key, label, fmt, better in rows:
        o = cc.get(key) if cc else None
        j = jvm.get(key) if jvm else None
        r = raw.get(key) if raw else None
        ratio = ""
        if num(o) and num(j):
            if better == "higher":
                ratio = f"{o / j:.2f}x (ours/JVM)"
            else:
                ratio = f"{j / o:.2f}x (JVM/ours)"
        vs_raw = f"{o / r:.2f}" if num(o) and num(r) else ""
        table.append((label, fmt(o) if o is not None else "-", fmt(j) if j is not None else "-",
                      fmt(r) if r is not None else "-", ratio, vs_raw))
    widths = [max(len(r[i]) for r in [hdr, *table]) for i in range(len(hdr))]
    line = "| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(hdr)) + " |"
    p(line)
    p("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in table:
        p("| " + " | ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                            for i, c in enumerate(r)) + " |")
    p("")
    if args.repeat > 1:
        p("spread over the runs (min / median / max):")
        for kind, runs in results.items():
            lab = runs[0]["label"]
            p(f"  {lab}: CPU-s per 1M {spread([x['cpu_per_m'] for x in runs], lambda v: f'{v:.3f}')}"
              f"; records/s {spread([x['rec_per_s'] for x in runs], lambda v: f'{v:,.0f}')}"
              f"; peak RSS {spread([x['peak_rss'] for x in runs], mib)}")
        p("")
    status = 0
    if cc and raw:
        # pairs from the same round: the machine's speed drifts less within a round
        pairs = [a["cpu"] / b["cpu"] for a, b in zip(results["cc"], results["raw"])]
        rates = [a["rec_per_s"] / b["rec_per_s"] for a, b in zip(results["cc"], results["raw"])]
        pc = median(pairs)
        p(f"connect-c / raw consume, CPU per record: {pc:.2f}x (median of {len(pairs)} paired "
          f"runs{', min ' + f'{min(pairs):.2f}x' if len(pairs) > 1 else ''}); records/s "
          f"{median(rates) * 100:.0f}% of raw")
        verdict = "PASS" if pc <= RAW_CPU_TARGET else "MISS"
        if verdict == "MISS":
            status = 1
        p(f"  {verdict}  FileStreamSink path within {RAW_CPU_TARGET}x of a raw consume's CPU")
        p("")
    if cc and jvm:
        p("targets (issue):")
        for key, desc, ok in TARGETS:
            verdict = "PASS" if ok(cc[key], jvm[key]) else "MISS"
            if verdict == "MISS":
                status = 1
            p(f"  {verdict}  {desc}")
        p("")
    for m in (cc, jvm, raw):
        if m:
            ok = all(x == args.records for x in m["lines_all"])
            p(f"{m['label']}: output lines {m['lines_all']} (expected {args.records}) "
              f"{'OK' if ok else 'WRONG'}; exit status {m.get('exit')}"
              + (f"; log {m['log']}" if m.get("log") else ""))
            try:
                for ln in Path(m["log"]).read_text(errors="replace").splitlines():
                    if ln.startswith("rdkafka_shim:"):
                        p(f"  {ln}")
            except (KeyError, OSError):
                pass
    for i, cmp_res in enumerate(cmps):
        p(f"run {i + 1}: outputs byte-identical: {cmp_res['identical']}; identical after "
          f"sorting: {cmp_res['identical_sorted']}")
        if not cmp_res["identical_sorted"]:
            p(f"  lines only in connect-c's output: {cmp_res.get('comm_only_cc')}, only in the "
              f"JVM's: {cmp_res.get('comm_only_jvm')}")
            for i, la, lb, sa, sb in cmp_res["diffs"]:
                p(f"  line {i + 1} (seq {sa} / {sb}):\n    connect-c: {la}\n    JVM:       {lb}")
    return status


# ------------------------------------------------------------------------------------------------
# main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--partitions", type=int, default=1)
    ap.add_argument("--tasks", type=int, default=1, help="tasks.max of the connector")
    ap.add_argument("--topic", help="default bench-worker-<records>-<partitions>p")
    ap.add_argument("--workers", default="cc,jvm,raw",
                    help="what to run, in order: cc (connect-c), jvm, raw (kc_bench_raw_consume, "
                         "the task's consumer with the records thrown away)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of --workers; the table shows medians, then min/median/max")
    ap.add_argument("--offset-flush-ms", type=int, default=60000,
                    help="offset.flush.interval.ms for both workers (JVM default 60000)")
    ap.add_argument("--prop", action="append", default=[], metavar="KEY=VALUE",
                    help="extra worker property for both workers (repeatable)")
    ap.add_argument("--cc-prop", action="append", default=[], metavar="KEY=VALUE",
                    help="extra worker property for connect-c only (experiments; repeatable)")
    ap.add_argument("--jvm-prop", action="append", default=[], metavar="KEY=VALUE",
                    help="extra worker property for the JVM only (experiments; repeatable)")
    ap.add_argument("--cc-env", action="append", default=[], metavar="KEY=VALUE",
                    help="extra environment for connect-c only, e.g. LD_PRELOAD=<build>/tests/"
                         "bench/worker/libkc_bench_rdkafka_shim.so, LD_LIBRARY_PATH=<newer "
                         "librdkafka> (experiments; repeatable)")
    ap.add_argument("--idle-wait", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=600, help="per-run limit, seconds")
    ap.add_argument("--workdir", help="keep files here (default: a temp dir, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--no-check", action="store_true",
                    help="exit 0 even when a target is missed")
    args = ap.parse_args()
    command = shlex.join([sys.executable, *sys.argv])
    check_services_sh()

    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kc-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    base = base.resolve()
    services = None
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    kafka = None
    results: dict = {}
    status = 1
    try:
        if not bootstrap:
            services = kc.Services(base / "services")
            log(f"starting a Kafka broker in {services.run_dir}")
            bootstrap = services.start_kafka()["KC_BOOTSTRAP"]
        kafka = kc.Kafka(bootstrap)
        topic = args.topic or f"bench-worker-{args.records}-{args.partitions}p"
        ensure_topic(kafka, topic, args.records, args.partitions, base / "records.jsonl")
        labels = {"cc": "connect-c", "jvm": "JVM"}
        kinds = args.workers.split(",")
        for kind in kinds:
            if kind not in ("cc", "jvm", "raw"):
                raise SystemExit(f"--workers: unknown {kind!r} (cc, jvm, raw)")
        cmps = []
        for rnd in range(args.repeat):
            if args.repeat > 1:
                log(f"round {rnd + 1} of {args.repeat}")
            now = {}
            for kind in kinds:
                if kind == "raw":
                    now[kind] = run_raw(args, bootstrap, topic)
                else:
                    now[kind] = run_worker(labels[kind], kind, args, bootstrap, topic, base)
                results.setdefault(kind, []).append(now[kind])
            if "cc" in now and "jvm" in now:
                log("comparing outputs")
                cmps.append(compare_outputs(now["cc"]["out_file"], now["jvm"]["out_file"], base))
        meta = {
            "records": f"{args.records} in topic {topic}, {args.partitions} partition(s), "
                       f"tasks.max={args.tasks}, offset.flush.interval.ms={args.offset_flush_ms}"
                       + "".join(f", {w}: {kv}" for w, lst in (("both", args.prop),
                                 ("connect-c", args.cc_prop), ("JVM", args.jvm_prop))
                                 for kv in lst),
            "broker": bootstrap + (" (started by this run)" if services else " (KC_BOOTSTRAP)"),
            "machine": f"{os.cpu_count()} CPUs, load average at end "
                       f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        }
        status = print_report(args, results, cmps, command, meta)
        bad = [m["label"] for runs in results.values() for m in runs
               if m.get("lines") != args.records]
        if bad or any(not c["identical_sorted"] for c in cmps):
            status = 2
        elif args.no_check:
            status = 0
    finally:
        if kafka is not None:
            kafka.close()
        if services is not None:
            log("stopping the broker")
            services.stop()
        if args.workdir or args.keep:
            log(f"files kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
