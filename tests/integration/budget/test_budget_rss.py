"""The task byte budget (task.memory.budget.bytes) holds the worker's memory, whatever the sink
buffers: the buffering test sink keeps every record until pre_commit, the worker never commits
by time (offset.flush.interval.ms of an hour), and 1 GiB of 64 KiB records goes through with a
32 MiB budget. The worker's peak RSS (VmHWM) must stay under the budget plus a fixed overhead:
the idle worker (~8 MiB), librdkafka's prefetch queue and one fetch in flight (an eighth of the
budget each: 4 + 4 MiB), threads' stacks and the allocator's slack: 24 MiB, stated here and in
the closing note (measured: 48 MiB peak, i.e. 16 MiB over the budget). The task's own accounting (converted batch + polled records + what the sink
reported) must stay within the budget give or take two records and the batch arena's first
chunk (256 KiB, kept between batches). Run on the normal build only (ASan's shadow memory and quarantine are not the worker's)."""

from __future__ import annotations

import base64
import os
import re
import time
from pathlib import Path

import kc

BUFFERING = "io.connectc.testing.BufferingSinkConnector"
BUDGET = 32 << 20
OVERHEAD = 24 << 20
RECORD = 64 << 10
TOTAL = 1 << 30


def vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def test_one_gib_through_a_32_mib_budget(kafka, connect_c, tmp_path, unique_name):
    from confluent_kafka import Producer  # type: ignore

    cname, topic = unique_name("budget"), unique_name("budget")
    out = tmp_path / "out.tsv"
    n = TOTAL // RECORD
    prod = Producer({"bootstrap.servers": kafka.bootstrap, "compression.type": "lz4",
                     "linger.ms": 20, "batch.size": 1 << 20, "message.max.bytes": 2 << 20,
                     "enable.idempotence": True})
    # Text that compresses like real records do (~1.3x), not 64 KiB of one letter: librdkafka
    # inflates a whole fetched batch at once, so a 1 MiB fetch of "xxx..." would be 250 MiB.
    pool = [base64.b64encode(os.urandom((RECORD - 16) * 3 // 4)) for _ in range(16)]
    for i in range(n):
        while True:
            try:
                prod.produce(topic, value=b"%015d " % i + pool[i % len(pool)])
                break
            except BufferError:
                prod.poll(0.1)
        prod.poll(0)
    assert prod.flush(kc.scaled(120)) == 0

    w = connect_c(start=False, overrides={"offset.flush.interval.ms": 3_600_000})
    w.start(env={"KC_TEST_SINKS": "1"})
    w.create_connector(cname, {"connector.class": BUFFERING, "tasks.max": "1", "topics": topic,
                               "file": str(out), "task.memory.budget.bytes": str(BUDGET)})
    w.wait_running(cname)
    t0 = time.monotonic()
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0) >= n - 600,
                  timeout=300, interval=1, what="the budget's commits to reach the end")
    elapsed = time.monotonic() - t0
    peak = vm_hwm(w.proc.pid)
    print(f"\n1 GiB through a 32 MiB budget: peak RSS {peak / 2**20:.1f} MiB, "
          f"{elapsed:.1f} s, {TOTAL / elapsed / 2**20:.0f} MiB/s")
    assert "Byte budget reached" in w.log_text()
    assert peak < BUDGET + OVERHEAD, f"peak RSS {peak / 2**20:.1f} MiB"
    w.stop()
    m = re.search(r"peak use (\d+) KiB", w.log_text())
    assert m, "the task logs its peak budget use at stop"
    assert int(m.group(1)) * 1024 <= BUDGET + 2 * RECORD + (256 << 10)
    # What was written is what was committed, each record once: the sink writes a partition's
    # records only when the worker commits them. The stop came as soon as the commits passed
    # n - 600, so the last records may not have been polled yet: they are not written either.
    committed = kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0)
    assert committed >= n - 600
    assert written_offsets(out) == list(range(committed))
    # The rest arrives after a restart that commits by time again, and nothing twice.
    w.props["offset.flush.interval.ms"] = 500
    kc.write_properties(w.properties_path, w.props)
    w.start(env={"KC_TEST_SINKS": "1"})
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0) >= n,
                  timeout=120, interval=1, what="the restarted task to commit the last records")
    w.stop()
    assert written_offsets(out) == list(range(n))


def written_offsets(out: Path) -> list[int]:
    """The offsets the buffering sink wrote, in file order ("topic\tpartition\toffset\tvalue"
    lines); each value starts with its record number, which must be its offset (one partition,
    produced in order)."""
    offsets = []
    with open(out, "rb") as f:
        for line in f:
            _, _, off, value = line.split(b"\t", 3)
            assert int(value[:15]) == int(off), line[:80]
            offsets.append(int(off))
    return offsets
