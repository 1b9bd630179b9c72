"""The sink runtime's version-2 contract end to end, against a real broker, with the test sink
connectors/testing/buffering.c (registered when the worker runs with KC_TEST_SINKS=1): it keeps
every record in memory until pre_commit asks for its partition, then appends the partition's
records to a file ("topic\\tpartition\\toffset\\tvalue") and answers them durable with commit
metadata "buffering:<offset>".

Shown here: pre_commit metadata stored with the group's commit and handed back to open() after a
restart; a rewind asked for from open() re-delivers from that offset; a partial (cooperative)
revocation commits and closes only the partitions that move while the others stay buffered and
are committed later; records polled while a put() is retried are put, not lost; a record reported
during a put() that then asks to retry goes to the DLQ once, with the original topic and the
exception class the sink named; consumer errors fail the task as the JVM's do."""

from __future__ import annotations

import os
import time
from pathlib import Path

import kc

BUFFERING = "io.connectc.testing.BufferingSinkConnector"
TEST_ENV = {"KC_TEST_SINKS": "1"}


def rows(path: Path) -> list[tuple[str, int, int, str]]:
    out = []
    for line in kc.complete_lines(path):
        t, p, o, v = line.split("\t", 3)
        out.append((t, int(p), int(o), v))
    return out


def worker(connect_c, **overrides):
    w = connect_c(start=False, overrides=overrides or None)
    w.start(env=dict(TEST_ENV, **({"CONNECT_LOG4J_ROOT_LOGLEVEL": "DEBUG"} if os.environ.get("KC_DEBUG_TEST") else {})))
    return w


def buffering_config(topic: str | None, out: Path, **extra) -> dict:
    cfg = {"connector.class": BUFFERING, "tasks.max": "1", "file": str(out)}
    if topic is not None:
        cfg["topics"] = topic
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def wait_committed(kafka, group: str, want: dict, timeout: float = 60) -> None:
    kc.wait_until(lambda: all(kafka.committed_offsets(group).get(k) == v
                              for k, v in want.items()),
                  timeout=timeout, what=f"commits {want} in {group}")


def test_pre_commit_metadata_is_handed_back_after_restart(kafka, connect_c, tmp_path,
                                                          unique_name):
    cname, topic = unique_name("md"), unique_name("md")
    out, opened = tmp_path / "out.tsv", tmp_path / "opened.tsv"
    kafka.create_topic(topic, partitions=2)
    w = worker(connect_c)
    kafka.produce(topic, [f"v{i}" for i in range(30)], partition=0)
    kafka.produce(topic, [f"w{i}" for i in range(12)], partition=1)
    w.create_connector(cname, buffering_config(topic, out, **{"opened.file": str(opened)}))
    w.wait_running(cname)
    wait_committed(kafka, f"connect-{cname}", {(topic, 0): 30, (topic, 1): 12})
    got = rows(out)
    assert sorted((p, o) for _, p, o, _ in got) == \
        sorted([(0, i) for i in range(30)] + [(1, i) for i in range(12)])
    # the first open() saw no commit
    first = kc.complete_lines(opened)
    assert sorted(first) == sorted([f"{topic}\t0\t-1001\t-", f"{topic}\t1\t-1001\t-"])
    w.stop()
    w.start(env=TEST_ENV)
    w.wait_running(cname)

    def reopened():
        lines = kc.complete_lines(opened)[len(first):]
        return lines if len(lines) >= 2 else None
    again = kc.wait_until(reopened, what="open() after the restart")
    assert sorted(again) == sorted([f"{topic}\t0\t30\tbuffering:30",
                                    f"{topic}\t1\t12\tbuffering:12"])
    assert len(rows(out)) == 42  # nothing redelivered


def test_rewind_from_open_redelivers_from_the_offset(kafka, connect_c, tmp_path, unique_name):
    cname, topic = unique_name("rw"), unique_name("rw")
    out = tmp_path / "out.tsv"
    w = worker(connect_c)
    kafka.produce(topic, [f"v{i}" for i in range(20)])
    w.create_connector(cname, buffering_config(topic, out, **{"rewind.offset": "5"}))
    w.wait_running(cname)
    wait_committed(kafka, f"connect-{cname}", {(topic, 0): 20})
    assert [o for _, _, o, _ in rows(out)] == list(range(5, 20))
    # after a restart the committed offset is 20, but open() rewinds to 5 again
    w.stop()
    w.start(env=TEST_ENV)
    w.wait_running(cname)
    kc.wait_until(lambda: len(rows(out)) >= 30, what="redelivery from 5")
    time.sleep(kc.scaled(2))
    assert [o for _, _, o, _ in rows(out)] == list(range(5, 20)) * 2
    assert "Sink asked to continue" in w.log_text()


def test_partial_revocation_keeps_other_partitions_buffered(kafka, connect_c, tmp_path,
                                                            unique_name):
    from confluent_kafka import Consumer  # type: ignore

    cname, topic = unique_name("coop"), unique_name("coop")
    out = tmp_path / "out.tsv"
    kafka.create_topic(topic, partitions=4)
    # no commit point by time: records stay in the sink until something asks
    w = worker(connect_c, **{"offset.flush.interval.ms": 3_600_000})
    for p in range(4):
        kafka.produce(topic, [f"p{p}-{i}" for i in range(10)], partition=p)
    w.create_connector(cname, buffering_config(topic, out))
    w.wait_running(cname)
    kc.wait_until(lambda: "Partitions assigned: 4" in w.log_text(), what="4 partitions")
    time.sleep(kc.scaled(3))  # the task has put everything; nothing is durable yet
    assert rows(out) == []
    group = f"connect-{cname}"
    assert kafka.committed_offsets(group) == {}

    # A second member joins the task's group: cooperative-sticky moves some partitions only.
    other = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": group,
                      "partition.assignment.strategy": "cooperative-sticky",
                      "enable.auto.commit": False, "auto.offset.reset": "latest"})
    taken: set[int] = set()

    def on_assign(_c, parts):
        taken.update(p.partition for p in parts)
    other.subscribe([topic], on_assign=on_assign)
    try:
        deadline = time.monotonic() + kc.scaled(60)
        while not taken and time.monotonic() < deadline:
            other.poll(0.2)
        assert taken and len(taken) < 4
        kept = set(range(4)) - taken
        # the moved partitions were committed on revocation, and only they were written
        kc.wait_until(lambda: {p for _, p, _, _ in rows(out)} == taken,
                      what=f"rows of the revoked partitions {taken}")
        committed = kafka.committed_offsets(group)
        assert committed == {(topic, p): 10 for p in taken}
        assert "Partitions revoked: %d (now %d)" % (len(taken), len(kept)) in w.log_text()
        assert "Partitions revoked: 4" not in w.log_text()
    finally:
        other.close()
    # The kept partitions' records were never dropped: the final commit at stop writes them
    # (a close() would have dropped them and the task would have read them again).
    w.stop()
    got = rows(out)
    assert sorted((p, o) for _, p, o, _ in got) == sorted((p, i) for p in range(4)
                                                          for i in range(10))
    assert kafka.committed_offsets(group) == {(topic, p): 10 for p in range(4)}


def test_records_polled_during_put_retry_are_not_lost(kafka, connect_c, tmp_path, unique_name):
    """put() asks to retry for ~20 s; meanwhile a new topic matching topics.regex appears with
    records. Its partition is assigned inside the retry loop's poll, which returns its records:
    they must be put after the batch, not dropped (and a later commit must not cover them)."""
    cname, prefix = unique_name("retry"), unique_name("rt")
    first, second = f"{prefix}-a", f"{prefix}-b"
    out = tmp_path / "out.tsv"
    kafka.create_topic(first)
    kafka.produce(first, [f"a{i}" for i in range(5)])
    w = worker(connect_c)
    w.create_connector(cname, buffering_config(
        None, out, **{"topics.regex": f"{prefix}-.*", "retry.puts": "8",
                      "consumer.override.metadata.max.age.ms": "500"}))
    w.wait_running(cname)
    kc.wait_until(lambda: "put() asked to retry" in w.log_text(), what="a retried put")
    kafka.create_topic(second)
    kafka.produce(second, [f"b{i}" for i in range(7)])
    wait_committed(kafka, f"connect-{cname}", {(first, 0): 5, (second, 0): 7}, timeout=120)
    got = rows(out)
    assert sorted(v for t, _, _, v in got if t == second) == sorted(f"b{i}" for i in range(7))
    assert sorted(v for t, _, _, v in got if t == first) == sorted(f"a{i}" for i in range(5))


def test_reported_record_during_retry_goes_to_dlq_once(kafka, connect_c, tmp_path, unique_name):
    cname, topic, dlq = unique_name("rep"), unique_name("rep"), unique_name("repdlq")
    out = tmp_path / "out.tsv"
    w = worker(connect_c)
    kafka.produce(topic, [f"v{i}" for i in range(20)], headers={"orig": "h1"})
    w.create_connector(cname, buffering_config(
        topic, out, **{"retry.puts": "2", "report.every": "7", "errors.tolerance": "all",
                       "errors.deadletterqueue.topic.name": dlq,
                       "errors.deadletterqueue.topic.replication.factor": "1",
                       "errors.deadletterqueue.context.headers.enable": "true",
                       "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                       "transforms": "route",
                       "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
                       "transforms.route.regex": "(.*)",
                       "transforms.route.replacement": "renamed-$1"}))
    w.wait_running(cname)
    wait_committed(kafka, f"connect-{cname}", {(topic, 0): 20})
    assert sorted(o for _, _, o, _ in rows(out)) == [i for i in range(20) if i % 7]
    # the sink saw the routed topic; the DLQ names the original one
    assert {t for t, _, _, _ in rows(out)} == {f"renamed-{topic}"}
    time.sleep(kc.scaled(2))
    recs = kafka.consume(dlq, count=3, timeout=60)
    assert sorted(r.value for r in recs) == ["v0", "v14", "v7"]  # once each, despite 2 retries
    for r in recs:
        h = dict(r.headers)
        assert h["orig"] == "h1"
        assert h["__connect.errors.topic"] == topic
        assert h["__connect.errors.stage"] == "TASK_PUT"
        assert h["__connect.errors.exception.class.name"] == "java.lang.IllegalStateException"
        assert "unlucky" in h["__connect.errors.exception.message"]


def test_offset_reset_none_without_commit_fails_the_task(kafka, connect_c, tmp_path,
                                                        unique_name):
    cname, topic = unique_name("noreset"), unique_name("noreset")
    out = tmp_path / "out.tsv"
    kafka.produce(topic, ["x"])
    w = worker(connect_c)
    w.create_connector(cname, buffering_config(
        topic, out, **{"consumer.override.auto.offset.reset": "none"}))

    def failed():
        st = w.status(cname)
        tasks = st.get("tasks") or []
        return tasks[0] if tasks and tasks[0]["state"] == "FAILED" else None
    t = kc.wait_until(failed, timeout=60, what="task FAILED")
    assert t["trace"].startswith(
        "org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset "
        f"with no reset policy for partitions: [{topic}-0]")
    assert rows(out) == []


def test_key_and_headers_are_not_converted_for_a_sink_that_never_reads_them(
        kafka, connect_c, tmp_path, unique_name):
    """The buffering sink says it reads neither keys nor headers (SINK_FLAG_NO_KEY,
    SINK_FLAG_NO_HEADERS): keys that are not JSON do not fail its records under the worker's
    JsonConverter, where a sink that reads keys gets them as conversion errors."""
    cname, topic = unique_name("nokey"), unique_name("nokey")
    out = tmp_path / "out.tsv"
    w = worker(connect_c)
    kafka.produce(topic, [f"v{i}" for i in range(5)], keys=[f"{{not json {i}" for i in range(5)],
                  headers={"h": "{also not json"})
    w.create_connector(cname, buffering_config(topic, out))
    w.wait_running(cname)
    wait_committed(kafka, f"connect-{cname}", {(topic, 0): 5})
    assert [v for _, _, _, v in rows(out)] == [f"v{i}" for i in range(5)]
    # the same records through FileStreamSink (which reads keys) fail in the key converter
    fcname, fout = unique_name("withkey"), tmp_path / "file.txt"
    w.create_connector(fcname, {"connector.class": kc.FILE_SINK, "topics": topic,
                                "file": str(fout)})

    def failed():
        tasks = w.status(fcname).get("tasks") or []
        return tasks[0] if tasks and tasks[0]["state"] == "FAILED" else None
    t = kc.wait_until(failed, timeout=60, what="FileStreamSink task FAILED on the keys")
    assert "Converting byte[] to Kafka Connect data failed" in t["trace"] or \
        "JsonConverter" in t["trace"] or "DataException" in t["trace"]


def test_long_transform_and_predicate_aliases(kafka, connect_c, tmp_path, unique_name):
    """Aliases longer than the 512-byte buffers the task once built their keys in: the
    predicate must still apply (a dropped predicate made the Filter drop every record)."""
    cname, topic = unique_name("alias"), unique_name("alias")
    out = tmp_path / "out.txt"
    t_alias, p_alias = "t" * 600, "p" * 700
    w = connect_c()
    kafka.produce(topic, ['{"a":1}', '{"a":2}'])
    w.create_connector(cname, {
        "connector.class": kc.FILE_SINK, "topics": topic, "file": str(out),
        "transforms": t_alias,
        f"transforms.{t_alias}.type": "org.apache.kafka.connect.transforms.Filter",
        f"transforms.{t_alias}.predicate": p_alias,
        "predicates": p_alias,
        f"predicates.{p_alias}.type":
            "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"})
    w.wait_running(cname)
    lines = kc.wait_until(lambda: (lambda ls: ls if len(ls) >= 2 else None)(
        kc.complete_lines(out)), what="both records kept (only tombstones are filtered)")
    assert lines == ["{a=1}", "{a=2}"]


def test_tick_flushes_by_age_and_idle_partitions_are_committed(kafka, connect_c, tmp_path,
                                                               unique_name):
    """With tick.flush.ms the buffering sink writes only from its timer (records held 300 ms)
    and its pre_commit answers only what the timer wrote. Ten records, then nothing: the timer
    still runs on the task thread with no record arriving, and the idle partition is committed
    once its records are durable."""
    cname, topic = unique_name("tick"), unique_name("tick")
    out = tmp_path / "out.tsv"
    w = worker(connect_c)
    kafka.produce(topic, [f"v{i}" for i in range(10)])
    w.create_connector(cname, buffering_config(topic, out, **{"tick.flush.ms": "300"}))
    w.wait_running(cname)
    wait_committed(kafka, f"connect-{cname}", {(topic, 0): 10}, timeout=30)
    assert [o for _, _, o, _ in rows(out)] == list(range(10))
