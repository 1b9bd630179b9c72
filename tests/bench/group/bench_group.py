#!/usr/bin/env python3
"""tests/bench/group/bench_group.py: a dead worker's tasks, how long until they run elsewhere.

One run per group kind on the same broker: a connect-c group and a JVM 4.1 group (--workers
each, default 2 for the JVM's memory), one FileStreamSink connector with tasks.max=--tasks over a
topic with as many partitions, records produced all along. One worker that runs tasks (not the
leader when it can tell) is killed with SIGKILL; measured:
  - failover: from the kill until every task is RUNNING on a live worker (GET .../status, 50 ms
    polls) -- session.timeout.ms detection + rebalance + task start;
  - pause of the unaffected tasks: the longest gap in the sink file's growth per surviving task is
    not observable with one file, so the figure is the longest time no new line reached the file
    after the kill (all tasks share it; under cooperative rebalancing the survivors keep writing);
  - records: every produced record is in the file afterwards (lost = 0).
Settings: session.timeout.ms=--session-ms (default 10000, the JVM's), heartbeat 3000,
scheduled.rebalance.max.delay.ms=--delay-ms (default 0). With the JVM's default delay (300000)
the lost tasks wait up to 5 minutes for their worker to come back before they are reassigned --
by design; pass --delay-ms 300000 to see it (the run then takes > 5 min).

Usage: $KC_CACHE/venv/bin/python tests/bench/group/bench_group.py [--kinds c,jvm] [--workers N]
       [--tasks N] [--session-ms MS] [--delay-ms MS]
Environment: KC_BOOTSTRAP (reuse a broker; else services.sh starts one), KC_BUILD_DIR /
KC_CONNECT_BIN, KC_CACHE.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import kc  # noqa: E402

FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
STRING = "org.apache.kafka.connect.storage.StringConverter"


def log(msg: str) -> None:
    print(f"[bench_group] {msg}", file=sys.stderr, flush=True)


def owners(rest, name):
    try:
        r = rest.get(f"/connectors/{name}/status", timeout=5)
    except Exception:
        return None
    if r.status_code != 200:
        return None
    return {t["id"]: t["worker_id"] for t in r.json().get("tasks", []) if t["state"] == "RUNNING"}


class Producer(threading.Thread):
    def __init__(self, kafka, topic):
        super().__init__(daemon=True)
        self.kafka, self.topic = kafka, topic
        self.sent: list[str] = []
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            batch = [f"r-{j}" for j in range(i, i + 100)]
            self.kafka.produce(self.topic, batch)
            self.sent.extend(batch)
            i += 100
            time.sleep(0.05)

    def stop(self):
        self.halt.set()
        self.join(60)
        return self.sent


class FileWatch(threading.Thread):
    """Largest gap between two growths of the sink file after `since`."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.halt = threading.Event()
        self.since = None
        self.max_gap = 0.0

    def run(self):
        last_size, last_t = -1, time.monotonic()
        while not self.halt.is_set():
            size = self.path.stat().st_size if self.path.exists() else 0
            now = time.monotonic()
            if size != last_size:
                if self.since is not None and last_t >= self.since:
                    self.max_gap = max(self.max_gap, now - last_t)
                last_size, last_t = size, now
            time.sleep(0.02)


def run_kind(kind, args, kafka, services, base: Path) -> dict:
    group = kc.unique(f"bench-grp-{kind}")
    props = {"session.timeout.ms": args.session_ms, "heartbeat.interval.ms": 3000,
             "scheduled.rebalance.max.delay.ms": args.delay_ms,
             "group.id": group, "config.storage.topic": f"{group}-configs",
             "offset.storage.topic": f"{group}-offsets",
             "status.storage.topic": f"{group}-status"}
    workers = []
    if kind == "c":
        for i in range(args.workers):
            w = kc.ConnectC(kafka.bootstrap, base / f"{group}-{i}", overrides=props)
            workers.append(w)
        for w in workers:
            w.start(wait=False)
        for w in workers:
            w.wait_ready(120)
        ids = {f"127.0.0.1:{w.port}": w for w in workers}
    else:
        for i in range(args.workers):
            name = f"{group}-{i}"
            env = services.start_jvm_connect(name, {k: str(v) for k, v in props.items()},
                                             bootstrap=kafka.bootstrap)
            workers.append(kc.JvmWorker(services, name, env, props))
        ids = {w.url.split("://", 1)[1]: w for w in workers}
    topic = kc.unique("bench-grp")
    kafka.create_topic(topic, partitions=args.tasks)
    out = base / f"{group}.txt"
    cname = kc.unique("bench-grp")
    cfg = {"connector.class": FILE_SINK, "tasks.max": str(args.tasks), "topics": topic,
           "file": str(out), "key.converter": STRING, "value.converter": STRING}
    r = workers[0].post("/connectors", json={"name": cname, "config": cfg})
    assert r.status_code == 201, r.text
    kc.wait_until(lambda: (lambda o: o and len(o) == args.tasks and len(set(o.values())) ==
                           min(args.workers, args.tasks))(owners(workers[0], cname)),
                  timeout=180, what="tasks spread over the workers")
    prod = Producer(kafka, topic)
    prod.start()
    watch = FileWatch(out)
    watch.start()
    time.sleep(5)
    o = owners(workers[0], cname)
    # the victim: runs tasks, and is not workers[0] (the one we ask)
    victim_id = next(wid for wid in ids if wid in o.values() and ids[wid] is not workers[0])
    victim = ids[victim_id]
    moved_tasks = sorted(t for t, wid in o.items() if wid == victim_id)
    t0 = time.monotonic()
    watch.since = t0
    if kind == "c":
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(30)
    else:
        pid = int((services.run_dir / f"{victim.name}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
    failover = kc.wait_until(
        lambda: (lambda o: o and len(o) == args.tasks and victim_id not in o.values())(
            owners(workers[0], cname)) and time.monotonic() - t0,
        timeout=args.session_ms / 1000 + args.delay_ms / 1000 + 120, interval=0.05,
        what="tasks RUNNING elsewhere")
    time.sleep(5)
    sent = set(prod.stop())
    kc.wait_until(lambda: sent <= set(kc.complete_lines(out)), timeout=180,
                  what="every record in the sink file")
    watch.halt.set()
    res = {"kind": kind, "workers": args.workers, "tasks": args.tasks,
           "moved_tasks": len(moved_tasks), "failover_s": round(failover, 2),
           "max_write_gap_s": round(watch.max_gap, 2), "records": len(sent), "lost": 0}
    for w in workers:
        if w is victim:
            continue
        try:
            w.stop()
        except Exception as e:  # noqa: BLE001
            log(f"stopping {w.url}: {e}")
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default="c,jvm")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tasks", type=int, default=4)
    ap.add_argument("--session-ms", type=int, default=10000)
    ap.add_argument("--delay-ms", type=int, default=0)
    args = ap.parse_args()
    run_dir = Path(os.environ.get("KC_RUN_DIR") or tempfile.mkdtemp(prefix="bench-group-"))
    services = kc.Services(run_dir)
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    own_broker = not bootstrap
    if own_broker:
        services.fetch()
        bootstrap = services.start_kafka()["KC_BOOTSTRAP"]
    results = []
    try:
        kafka = kc.Kafka(bootstrap, run_dir)
        base = Path(tempfile.mkdtemp(prefix="bench-group-"))
        for kind in args.kinds.split(","):
            log(f"{kind}: {args.workers} workers, {args.tasks} tasks, session.timeout.ms="
                f"{args.session_ms}, scheduled.rebalance.max.delay.ms={args.delay_ms}")
            results.append(run_kind(kind, args, kafka, services, base))
            log(str(results[-1]))
    finally:
        if own_broker:  # the broker this run started (it outlived the bench before)
            services.stop()
    print(f"{'group':6} {'workers':>7} {'tasks':>5} {'moved':>5} {'failover s':>10} "
          f"{'max write gap s':>15} {'records':>8} {'lost':>4}")
    for r in results:
        print(f"{r['kind']:6} {r['workers']:>7} {r['tasks']:>5} {r['moved_tasks']:>5} "
              f"{r['failover_s']:>10} {r['max_write_gap_s']:>15} {r['records']:>8} {r['lost']:>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
