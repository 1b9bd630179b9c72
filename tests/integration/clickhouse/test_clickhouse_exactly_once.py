"""exactlyOnce=true through kill -9, against a real ClickHouse engine's deduplication.

Which engine: chdb (PyPI, ClickHouse 26.x) behind chdb_http_front.py, a test-only HTTP front that
implements the requests the sink sends (SELECT version(), DESCRIBE, INSERT ... FORMAT RowBinary
with insert_deduplication_token). Debian's 18.16 server has no deduplication tokens (the sink
refuses exactlyOnce there: test_clickhouse_sink.py); the protocol itself is tested on 18.16 in
test_clickhouse_core.py and test_clickhouse_sink.py. Kafka and the worker are the real ones.

The table is a plain MergeTree with non_replicated_deduplication_window (the setting the sink's
documentation asks for), so any replayed batch that is not the same insert shows as a duplicate.
The front holds each insert's answer for a while after the rows landed, so the worker is often
killed with rows in the table that it never heard about: the case the boundaries in the commit
metadata are for.

The same front also serves test_check_constraint_refusal_isolates_the_record: CHECK constraints
(which 18.16 lacks) refusing one row of a batch.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import kc

HERE = Path(__file__).resolve().parent
CLASS = "com.clickhouse.kafka.connect.ClickHouseSinkConnector"


class Front:
    def __init__(self, tmp: Path, delay: float):
        try:
            import chdb  # noqa: F401
        except ImportError:
            pytest.skip("chdb not installed (tests/requirements.txt)")
        self.port_file = tmp / "front.port"
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "chdb_http_front.py"), "--data", str(tmp / "chdb"),
             "--port-file", str(self.port_file), "--insert-delay", str(delay)],
            stdout=subprocess.DEVNULL, stderr=open(tmp / "front.log", "wb"))
        kc.wait_until(self.port_file.exists, timeout=60, what="chdb front port")
        self.port = int(self.port_file.read_text())

    def q(self, sql: str) -> str:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/", data=sql.encode())
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read().decode()

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=30)


@pytest.fixture
def front(tmp_path):
    f = Front(tmp_path, delay=0.4)
    yield f
    f.stop()


def test_kill_9_leaves_no_duplicate_and_loses_nothing(kafka, connect_c, front, unique_name):
    topic, cname = unique_name("eo"), unique_name("eo")
    n_per_part, parts = 6000, 2
    kafka.create_topic(topic, partitions=parts)
    front.q("CREATE DATABASE IF NOT EXISTS eo")
    front.q("CREATE TABLE eo.seq (seq UInt32, part UInt8, pad String, "
            "at DateTime64(3, 'UTC') DEFAULT now64(3)) ENGINE = MergeTree ORDER BY seq "
            "SETTINGS non_replicated_deduplication_window = 1000")
    for p in range(parts):
        kafka.produce(topic, [{"seq": p * n_per_part + i, "part": p, "pad": "x" * 100}
                              for i in range(n_per_part)], partition=p)
    # A killed member's partitions come back after its session times out: keep that short.
    w = connect_c(overrides={"consumer.session.timeout.ms": 6000,
                             "consumer.heartbeat.interval.ms": 1000})
    w.create_connector(cname, {
        "connector.class": CLASS, "tasks.max": "1", "topics": topic,
        "hostname": "127.0.0.1", "port": str(front.port), "ssl": "false", "database": "eo",
        "topic2TableMap": f"{topic}=seq", "exactlyOnce": "true", "bufferCount": "700",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    w.wait_running(cname)
    total = n_per_part * parts
    rnd = random.Random(12)
    kills = 0
    count = lambda: int(front.q("SELECT count() FROM eo.seq").strip())  # noqa: E731
    last = count()
    while kills < 4:
        # kill while rows are flowing (inserts answered late, boundaries being recorded)
        kc.wait_until(lambda: count() > last, timeout=120, what="progress before a kill")
        if count() >= total:
            break
        time.sleep(rnd.uniform(0.0, 0.8))
        w.restart(kill=True)
        kills += 1
        last = count()
    kc.wait_until(lambda: count() >= total, timeout=120, what=f"{total} rows")
    # let any replay that could still come in come in
    group = f"connect-{cname}"
    kc.wait_until(lambda: all(kafka.committed_offsets(group).get((topic, p)) == n_per_part
                              for p in range(parts)), timeout=60, what="final commits")
    time.sleep(kc.scaled(2))
    got = front.q("SELECT count(), uniqExact(seq), min(seq), max(seq) FROM eo.seq").split()
    assert got == [str(total), str(total), "0", str(total - 1)], (got, kills)
    log = w.log_text()
    assert kills >= 1
    assert "replaying the recorded batch" in log, "no kill landed on a recorded batch"


@pytest.fixture
def front_now(tmp_path):
    f = Front(tmp_path, delay=0)
    yield f
    f.stop()


def test_check_constraint_refusal_isolates_the_record(kafka, connect_c, front_now, unique_name):
    """A CHECK constraint the current engine enforces (18.16 has none): the insert is refused
    naming the row ("violated at row N", code 469); the sink traces it to its record, sends
    that record to the DLQ (errors.tolerance=all) and inserts the rest of the batch once.
    At-least-once here (no token); the engine is chdb behind the test front."""
    topic, cname = unique_name("chk"), unique_name("chk")
    dlq = topic + "-dlq"
    front_now.q("CREATE DATABASE IF NOT EXISTS chk")
    front_now.q("CREATE TABLE chk.t (id UInt32, v Int32, CONSTRAINT positive CHECK v > 0) "
                "ENGINE = MergeTree ORDER BY id")
    kafka.produce(topic, [{"id": i, "v": -5 if i == 17 else i + 1} for i in range(40)])
    w = connect_c()
    w.create_connector(cname, {
        "connector.class": CLASS, "tasks.max": "1", "topics": topic,
        "hostname": "127.0.0.1", "port": str(front_now.port), "ssl": "false",
        "database": "chk", "topic2TableMap": f"{topic}=t",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"})
    w.wait_running(cname)
    kc.wait_until(lambda: front_now.q("SELECT count() FROM chk.t").strip() == "39",
                  timeout=60, what="39 rows")
    bad = kafka.consume(dlq, count=1)
    h = dict(bad[0].headers)
    assert h["__connect.errors.offset"] == "17"
    assert "violated" in h["__connect.errors.exception.message"]
    assert front_now.q("SELECT countIf(id = 17), uniqExact(id) FROM chk.t").split() == \
        ["0", "39"]
    assert w.status(cname)["tasks"][0]["state"] == "RUNNING"
