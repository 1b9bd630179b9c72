"""End-to-end tests of the worker core against a real Kafka broker: the sink runtime with
FileStreamSink (put/flush/commit, pause/resume, stop, restart, delete), errors.tolerance and the
dead letter queue, the KIP-875 offsets API, at-least-once across kill -9, and the one-worker-per-
group guard. Every test makes its own topics, group and files."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

import kc

FILE_SINK = kc.FILE_SINK


def file_lines(path: Path) -> list[str]:
    # complete lines only: the last one may be half written (a 450 kB record was, once)
    return kc.complete_lines(path)


def sink_config(topic: str, out: Path, **extra) -> dict:
    cfg = {"connector.class": FILE_SINK, "tasks.max": "1", "topics": topic, "file": str(out)}
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def wait_lines(path: Path, n: int, timeout: float = 60) -> list[str]:
    return kc.wait_until(lambda: (lambda ls: ls if len(ls) >= n else None)(file_lines(path)),
                         timeout=timeout, what=f"{n} lines in {path}")


def test_filestream_sink_end_to_end(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("fs")
    w = connect_c()
    topic = unique_name(cname)
    out = tmp_path / "out.txt"
    kafka.produce(topic, [json.dumps({"id": i, "name": f"n{i}"}) for i in range(50)])
    r = w.post("/connectors", json={"name": cname, "config": sink_config(topic, out)})
    assert r.status_code == 201, r.text
    assert r.headers["Location"].endswith(f"/connectors/{cname}")
    body = r.json()
    assert body["name"] == cname and body["type"] == "sink"
    assert body["config"]["name"] == cname
    w.wait_running(cname)
    lines = wait_lines(out, 50)
    # JsonConverter (schemas.enable=false) gives a java.util.HashMap; FileStreamSink prints it.
    assert lines[0] == "{name=n0, id=0}"
    assert lines[49] == "{name=n49, id=49}"
    # offsets are committed after the sink flushed (offset.flush.interval.ms=1000)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 50,
                  what="committed offset 50")
    st = w.status(cname)
    assert st["connector"]["worker_id"] == f"127.0.0.1:{w.port}"
    assert [t["id"] for t in st["tasks"]] == [0]
    topics = w.get(f"/connectors/{cname}/topics").json()
    assert topics == {cname: {"topics": [topic]}}


def test_pause_resume_stop_delete(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("pr")
    w = connect_c()
    topic = unique_name(cname)
    out = tmp_path / "pr.txt"
    w.create_connector(cname, sink_config(topic, out))
    w.wait_running(cname)
    kafka.produce_lines(topic, 10, fmt='"a{i}"')
    wait_lines(out, 10)
    assert w.put(f"/connectors/{cname}/pause").status_code == 202
    kc.wait_until(lambda: w.status(cname)["connector"]["state"] == "PAUSED"
                  and all(t["state"] == "PAUSED" for t in w.status(cname)["tasks"]),
                  what="PAUSED")
    kafka.produce_lines(topic, 10, fmt='"b{i}"')
    time.sleep(kc.scaled(2))
    assert len(file_lines(out)) == 10, "a paused task must not deliver"
    assert w.put(f"/connectors/{cname}/resume").status_code == 202
    wait_lines(out, 20)
    w.wait_running(cname)
    assert w.put(f"/connectors/{cname}/stop").status_code == 204
    kc.wait_until(lambda: w.status(cname)["connector"]["state"] == "STOPPED", what="STOPPED")
    assert w.get(f"/connectors/{cname}").json()["tasks"] == []
    assert w.put(f"/connectors/{cname}/resume").status_code == 202
    w.wait_running(cname)
    assert w.delete(f"/connectors/{cname}").status_code == 204
    assert w.get(f"/connectors/{cname}").status_code == 404
    assert w.get("/connectors").json() == []


def test_dlq_with_context_headers(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("withdlq")
    w = connect_c()
    topic, dlq = unique_name("bad"), unique_name("dlq")
    out = tmp_path / "dlq.txt"
    kafka.produce(topic, ['{"ok":1}', '{not json', '{"ok":2}'], keys=["k1", "k2", "k3"],
                  headers={"orig": "h"})
    w.create_connector(cname, sink_config(
        topic, out, **{"key.converter": "org.apache.kafka.connect.storage.StringConverter",
                       # typed as users do: SinkConnectorConfig trims every value, and
                       # booleans ignore case
                       "errors.tolerance": " all",
                       "errors.deadletterqueue.topic.name": f"{dlq} ",
                       "errors.deadletterqueue.topic.replication.factor": " 1",
                       "errors.deadletterqueue.context.headers.enable": "True ",
                       "errors.log.enable": "true", "errors.log.include.messages": "true"}))
    w.wait_running(cname)
    assert wait_lines(out, 2) == ["{ok=1}", "{ok=2}"]
    recs = kafka.consume(dlq, count=1, timeout=60)
    assert len(recs) == 1
    r = recs[0]
    assert r.key == "k2" and r.value == "{not json"
    h = dict(r.headers)
    assert h["orig"] == "h"
    assert h["__connect.errors.topic"] == topic
    assert h["__connect.errors.partition"] == "0"
    assert h["__connect.errors.offset"] == "1"
    assert h["__connect.errors.connector.name"] == cname
    assert h["__connect.errors.task.id"] == "0"
    assert h["__connect.errors.stage"] == "VALUE_CONVERTER"
    assert h["__connect.errors.class.name"] == "org.apache.kafka.connect.json.JsonConverter"
    assert h["__connect.errors.exception.class.name"] == \
        "org.apache.kafka.connect.errors.DataException"
    assert h["__connect.errors.exception.message"]
    assert "__connect.errors.exception.stacktrace" in h
    # the bad record is handled: offsets move past it
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 3,
                  what="commit past the DLQ'd record")
    assert f"Error encountered in task {cname}-0" in w.log_text()


def test_tolerance_none_fails_task_and_restart(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("failing")
    w = connect_c()
    topic = unique_name("fail")
    out = tmp_path / "fail.txt"
    kafka.produce(topic, ['{"a":1}', 'garbage{'])
    w.create_connector(cname, sink_config(topic, out))
    st = kc.wait_until(lambda: (lambda s: s if s["tasks"] and s["tasks"][0]["state"] == "FAILED"
                                else None)(w.status(cname)), what="task FAILED")
    trace = st["tasks"][0]["trace"]
    assert "Tolerance exceeded in error handler" in trace
    assert "DataException" in trace
    assert w.get(f"/connectors/{cname}/tasks/0/status").json()["state"] == "FAILED"
    # nothing past the bad record is committed
    time.sleep(kc.scaled(2))
    assert kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0) <= 1
    # restart with onlyFailed: the 202 body shows RESTARTING for the failed task
    r = w.post(f"/connectors/{cname}/restart?includeTasks=true&onlyFailed=true")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["connector"]["state"] == "RUNNING"
    assert body["tasks"][0]["state"] == "RESTARTING"
    # the request went through the config topic, in the JVM's record format
    recs = kafka.consume(w.config_topic, timeout=30)
    restart = [r for r in recs if r.key == f"restart-connector-{cname}"]
    assert restart and restart[-1].json() == {"include-tasks": True, "only-failed": True}
    # it fails again on the same record, as the JVM does
    kc.wait_until(lambda: w.status(cname)["tasks"][0]["state"] == "FAILED",
                  what="FAILED again")
    # a task restart of a task whose problem is fixed brings it back: skip the bad record
    assert w.put(f"/connectors/{cname}/stop").status_code == 204
    kc.wait_until(lambda: w.status(cname)["connector"]["state"] == "STOPPED", what="STOPPED")
    r = w.patch(f"/connectors/{cname}/offsets", json={"offsets": [
        {"partition": {"kafka_topic": topic, "kafka_partition": 0},
         "offset": {"kafka_offset": 2}}]})
    assert r.status_code == 200, r.text
    assert w.put(f"/connectors/{cname}/resume").status_code == 202
    w.wait_running(cname)
    assert w.post(f"/connectors/{cname}/tasks/0/restart").status_code == 204
    w.wait_running(cname)


def test_offsets_api(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("off")
    w = connect_c()
    topic = unique_name(cname)
    out = tmp_path / "off.txt"
    kafka.produce_lines(topic, 20, fmt='"x{i}"')
    w.create_connector(cname, sink_config(topic, out))
    wait_lines(out, 20)
    kc.wait_until(lambda: w.get(f"/connectors/{cname}/offsets").json()["offsets"], what="offsets")
    assert w.get(f"/connectors/{cname}/offsets").json() == {"offsets": [
        {"partition": {"kafka_topic": topic, "kafka_partition": 0},
         "offset": {"kafka_offset": 20}}]}
    r = w.delete(f"/connectors/{cname}/offsets")
    assert r.status_code == 400
    assert "must be in the STOPPED state" in r.json()["message"]
    assert w.put(f"/connectors/{cname}/stop").status_code == 204
    kc.wait_until(lambda: w.status(cname)["connector"]["state"] == "STOPPED", what="STOPPED")
    r = w.patch(f"/connectors/{cname}/offsets", json={"offsets": [
        {"partition": {"kafka_topic": topic, "kafka_partition": 0},
         "offset": {"kafka_offset": 5}}]})
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "The offsets for this connector have been altered successfully"
    assert kafka.committed_offsets(f"connect-{cname}") == {(topic, 0): 5}
    r = w.delete(f"/connectors/{cname}/offsets")
    assert r.status_code == 200, r.text
    assert r.json()["message"] == "The offsets for this connector have been reset successfully"
    assert kafka.committed_offsets(f"connect-{cname}") == {}
    # resumed after a reset, the sink re-reads the topic from the start
    assert w.put(f"/connectors/{cname}/resume").status_code == 202
    wait_lines(out, 40)


def test_kill9_at_least_once_100k(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("k9")
    """100k records, SIGKILL mid-stream, restart: every record is in the file (duplicates are
    allowed: at-least-once), and the committed offset never passed what the file holds."""
    w = connect_c()
    topic = unique_name(cname)
    out = tmp_path / "k9.txt"
    n = 100_000
    kafka.produce_lines(topic, n, fmt='"r{i}"')
    w.create_connector(cname, sink_config(topic, out))
    wait_lines(out, 20_000, timeout=120)
    w.kill()
    # committed offsets must never be ahead of what reached the file
    committed = kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0)
    have = set(file_lines(out))
    assert all(f"r{i}" in have for i in range(committed)), "a committed record is missing"
    w.start()
    kc.wait_until(lambda: len(set(file_lines(out))) >= n, timeout=180,
                  what="all 100k records after restart")
    lines = file_lines(out)
    assert set(lines) == {f"r{i}" for i in range(n)}


def test_sigterm_graceful_shutdown_commits(kafka, connect_c, tmp_path, unique_name):
    cname = unique_name("term")
    w = connect_c(overrides={"offset.flush.interval.ms": 600000})
    topic = unique_name(cname)
    out = tmp_path / "term.txt"
    kafka.produce_lines(topic, 300, fmt='"t{i}"')
    w.create_connector(cname, sink_config(topic, out))
    wait_lines(out, 300)
    t0 = time.monotonic()
    assert w.stop() == 0
    assert time.monotonic() - t0 < kc.scaled(10)
    # the final commit on stop covers everything (the interval alone would never have fired)
    assert kafka.committed_offsets(f"connect-{cname}") == {(topic, 0): 300}


def test_transforms_and_predicates(kafka, connect_c, tmp_path, unique_name):
    """An SMT chain as users write it: drop tombstones with Filter + RecordIsTombstone, then
    InsertField$Value adds a static field; offsets move past the dropped record."""
    w = connect_c()
    cname = unique_name("smt")
    topic = unique_name("smt")
    out = tmp_path / "smt.txt"
    kafka.produce(topic, ['{"a":1}', None, '{"a":2}'], keys=["k1", "k2", "k3"])
    w.create_connector(cname, sink_config(
        topic, out, **{"key.converter": "org.apache.kafka.connect.storage.StringConverter",
                       # spaces as users type them: the JVM trims every value
                       "transforms": " dropTombstones, addSource ",
                       "transforms.dropTombstones.type":
                           "org.apache.kafka.connect.transforms.Filter",
                       "transforms.dropTombstones.predicate": "isTombstone ",
                       "transforms.addSource.type":
                           "org.apache.kafka.connect.transforms.InsertField$Value",
                       "transforms.addSource.static.field": "src",
                       "transforms.addSource.static.value": "kafka",
                       "predicates": " isTombstone",
                       "predicates.isTombstone.type":
                           "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"}))
    w.wait_running(cname)
    lines = wait_lines(out, 2)
    time.sleep(kc.scaled(1))
    assert file_lines(out) == ["{a=1, src=kafka}", "{a=2, src=kafka}"]
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 3,
                  what="commit past the filtered tombstone")


def test_refuses_bad_config_topic(kafka, connect_c, unique_name):
    """An existing config topic with two partitions (or not compacted) stops the worker at start
    with the JVM's message; nothing is written."""
    name = unique_name("badcfg")
    kafka.create_topic(f"{name}-configs", partitions=2, config={"cleanup.policy": "compact"})
    w = connect_c(name=name, start=False)
    w.start(wait=False)
    assert w.proc.wait(timeout=kc.scaled(60)) != 0
    assert "is required to have a single partition" in w.log_text()
    w.proc = None
    name2 = unique_name("delcfg")
    kafka.create_topic(f"{name2}-configs", partitions=1, config={"cleanup.policy": "delete"})
    w2 = connect_c(name=name2, start=False)
    w2.start(wait=False)
    assert w2.proc.wait(timeout=kc.scaled(60)) != 0
    assert "cleanup.policy=compact" in w2.log_text()
    w2.proc = None


def test_bad_worker_property_names_the_key(kafka, connect_c):
    w = connect_c(overrides={"offset.flush.interval.ms": "soon"}, start=False)
    w.start(wait=False)
    assert w.proc.wait(timeout=kc.scaled(30)) != 0
    assert "offset.flush.interval.ms" in w.log_text()
    w.proc = None


def test_environment_only_configuration(kafka, connect_c, tmp_path, unique_name):
    """Like the Connect image: no properties file, everything from CONNECT_* variables."""
    w = connect_c(start=False)
    env = {"CONNECT_" + k.upper().replace("_", "__").replace("-", "___").replace(".", "_"): str(v)
           for k, v in w.props.items()}
    w.properties_path.write_text("")
    w.start(env=env)
    kc.wait_until(lambda: w.get("/health").status_code == 200, what="healthy")
    assert w.get("/connectors").json() == []
    assert w.get("/").json()["kafka_cluster_id"]


def test_reconfigure_and_group_override(kafka, connect_c, tmp_path, unique_name):
    """PUT .../config restarts the tasks on the new config; consumer.override.group.id moves the
    committed offsets to that group (the default override policy is All)."""
    w = connect_c()
    cname, topic, group = unique_name("rc"), unique_name("rc"), unique_name("grp")
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    kafka.produce_lines(topic, 5, fmt='"a{i}"')
    w.create_connector(cname, sink_config(topic, first, **{"consumer.override.group.id": group}))
    wait_lines(first, 5)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 5,
                  what="offsets in the override group")
    assert kafka.committed_offsets(f"connect-{cname}") == {}
    r = w.put(f"/connectors/{cname}/config",
              json=sink_config(topic, second, **{"consumer.override.group.id": group}))
    assert r.status_code == 200, r.text
    assert r.json()["config"]["file"] == str(second)
    # the new task opens its file when it starts; records produced from then on are its own
    kc.wait_until(second.exists, what="the reconfigured task started")
    kafka.produce_lines(topic, 3, fmt='"b{i}"')
    # the reconfigured task resumes from the committed offsets and writes to the new file
    assert wait_lines(second, 3) == ["b0", "b1", "b2"]
    assert len(file_lines(first)) == 5
    tasks = w.get(f"/connectors/{cname}/tasks").json()
    assert tasks[0]["config"]["file"] == str(second)
    assert tasks[0]["config"]["task.class"] == "org.apache.kafka.connect.file.FileStreamSinkTask"


def test_health_and_cluster_logger_record(kafka, connect_c):
    w = connect_c()
    h = w.get("/health")
    assert (h.status_code, h.json()["status"]) == (200, "healthy")
    r = w.put("/admin/loggers/org.apache.kafka.connect?scope=cluster", json={"level": "DEBUG"})
    assert r.status_code == 204, r.text
    recs = kafka.consume(w.config_topic, timeout=30)
    lvl = [x for x in recs if x.key == "logger-cluster-org.apache.kafka.connect"]
    assert lvl and lvl[-1].json() == {"level": "DEBUG"}
    assert w.get("/admin/loggers/org.apache.kafka.connect").json()["level"] == "DEBUG"


def test_two_tasks_share_partitions_and_regex(kafka, connect_c, tmp_path, unique_name):
    """tasks.max=2 over two topics of 3 partitions picked by topics.regex: both tasks run in the
    connector's group, share the partitions, and every record arrives once."""
    w = connect_c()
    cname = unique_name("multi")
    base = unique_name("mt")
    t1, t2 = kafka.create_topic(f"{base}-a", partitions=3), kafka.create_topic(f"{base}-b",
                                                                              partitions=3)
    out = tmp_path / "multi.txt"
    for t in (t1, t2):
        for p in range(3):
            kafka.produce(t, [json.dumps({"t": t[-1], "p": p, "i": i}) for i in range(20)],
                          partition=p)
    cfg = sink_config("", out, **{"tasks.max": "2"})
    del cfg["topics"]
    cfg["topics.regex"] = f" {base}-.* "  # trimmed, as the JVM does
    w.create_connector(cname, cfg)
    st = w.wait_running(cname, tasks=2)
    assert [t["id"] for t in st["tasks"]] == [0, 1]
    lines = wait_lines(out, 120)
    assert len(lines) == 120 and len(set(lines)) == 120
    kc.wait_until(lambda: sum(kafka.committed_offsets(f"connect-{cname}").values()) == 120,
                  what="all 6 partitions committed")
    assert sorted(w.get(f"/connectors/{cname}/topics").json()[cname]["topics"]) == [t1, t2]


def test_large_records_are_put_in_slices(kafka, connect_c, tmp_path, unique_name):
    """Records whose converted form is large (150k-element arrays, ~6 MB each as Connect data):
    a polled batch needs more than the task's 64 MiB of batch memory, so the task puts it in
    slices; every record arrives, in order, and offsets move to the end."""
    w = connect_c(start=False)
    w.start(env={"CONNECT_LOG4J_ROOT_LOGLEVEL": "DEBUG"})
    cname, topic = unique_name("big"), unique_name("big")
    out = tmp_path / "big.txt"
    nums = [1] * 150_000
    kafka.produce(topic, [json.dumps({"i": i, "nums": nums}) for i in range(40)])
    w.create_connector(cname, sink_config(topic, out))
    lines = wait_lines(out, 40, timeout=120)
    listed = "[" + ", ".join(["1"] * 150_000) + "]"
    # java.util.HashMap order: "i" before "nums"
    assert lines == [f"{{i={i}, nums={listed}}}" for i in range(40)]
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 40,
                  what="all 40 committed")
    assert "put in" in w.log_text() and "slices" in w.log_text()


def test_a_lone_record_is_put_without_waiting_out_the_poll(kafka, connect_c, tmp_path,
                                                          unique_name):
    """A record that arrives alone reaches put() at once, as KafkaConsumer.poll(timeout)
    returns as soon as something was fetched. librdkafka's batch consume waits until its batch
    is full or its timeout (200 ms) ran out, so every record of a trickle, and the tail of every
    burst, used to wait out the rest of the poll. Nine records, one at a time: the median delay
    from the broker's ack to the line in the file stays far under the poll time."""
    from confluent_kafka import Producer  # type: ignore

    w = connect_c()
    cname, topic = unique_name("lone"), unique_name("lone")
    out = tmp_path / "lone.txt"
    kafka.produce(topic, ["first"])
    w.create_connector(cname, sink_config(topic, out, **{
        "value.converter": "org.apache.kafka.connect.storage.StringConverter"}))
    wait_lines(out, 1)
    p = Producer({"bootstrap.servers": kafka.bootstrap, "linger.ms": 0})
    delays = []
    try:
        for i in range(9):
            time.sleep(0.13 + 0.05 * (i % 3))  # land anywhere in the task's poll window
            p.produce(topic, value=f"lone-{i}".encode())
            assert p.flush(30) == 0
            acked = time.monotonic()
            kc.wait_until(lambda: len(file_lines(out)) >= i + 2, timeout=30, interval=0.002,
                          what=f"line {i + 2}")
            delays.append(time.monotonic() - acked)
    finally:
        p.flush(5)
    assert file_lines(out) == ["first"] + [f"lone-{i}" for i in range(9)]
    delays.sort()
    # before the fix the median was ~100 ms (the rest of a 200 ms poll); now a few ms
    assert delays[4] < 0.025, f"delays from ack to put (s): {delays}"


def test_offsets_api_long_connector_name(kafka, connect_c, tmp_path, unique_name):
    """A 1000-byte connector name: the offsets endpoints act on the whole connect-<name> group.
    The group name was built in a 512-byte buffer, so GET showed another (empty) group's
    offsets and PATCH/DELETE changed that one."""
    cname = unique_name("long") + "-" + "n" * 1000
    cname = cname[:1000]
    group = f"connect-{cname}"
    w = connect_c()
    topic = unique_name("longtopic")
    out = tmp_path / "long.txt"
    kafka.produce_lines(topic, 10, fmt='"x{i}"')
    assert w.create_connector(cname, sink_config(topic, out)).status_code == 201
    wait_lines(out, 10)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 10,
                  what="offset 10 committed in the full group")
    assert w.get(f"/connectors/{cname}/offsets").json() == {"offsets": [
        {"partition": {"kafka_topic": topic, "kafka_partition": 0},
         "offset": {"kafka_offset": 10}}]}
    r = w.get(f"/connectors/{cname}/tasks-config")
    assert r.status_code == 200 and f"{cname}-0" in r.json(), r.text
    assert w.put(f"/connectors/{cname}/stop").status_code == 204
    kc.wait_until(lambda: w.status(cname)["connector"]["state"] == "STOPPED", what="STOPPED")
    r = w.patch(f"/connectors/{cname}/offsets", json={"offsets": [
        {"partition": {"kafka_topic": topic, "kafka_partition": 0},
         "offset": {"kafka_offset": 3}}]})
    assert r.status_code == 200, r.text
    assert kafka.committed_offsets(group) == {(topic, 0): 3}
    assert kafka.committed_offsets(group[:511]) == {}
    r = w.delete(f"/connectors/{cname}/offsets")
    assert r.status_code == 200, r.text
    assert kafka.committed_offsets(group) == {}


def test_herder_answers_while_a_task_is_stuck_stopping(kafka, connect_c, tmp_path, unique_name):
    """The herder never waits for a task to stop. A FileStreamSink whose file is a FIFO with no
    reader hangs in start (open blocks); a task restart then has to stop a task that does not
    stop for task.shutdown.graceful.timeout.ms. Meanwhile GET /connectors and GET status answer
    at once (they waited behind the herder's task_join for the whole timeout), and the restart
    is answered (204) once the old task is gone and the new one started."""
    import threading
    cname = unique_name("stuck")
    w = connect_c(overrides={"task.shutdown.graceful.timeout.ms": 15000})
    topic = unique_name(cname)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    kafka.produce_lines(topic, 3, fmt='"x{i}"')
    assert w.create_connector(cname, sink_config(topic, fifo)).status_code == 201
    kc.wait_until(lambda: w.get(f"/connectors/{cname}/tasks").json(), what="task configs")
    time.sleep(1.5)  # the task thread is now blocked opening the FIFO (it never reports)
    answer: dict = {}

    def restart():
        t0 = time.monotonic()
        answer["status"] = w.post(f"/connectors/{cname}/tasks/0/restart", timeout=60).status_code
        answer["took"] = time.monotonic() - t0

    th = threading.Thread(target=restart)
    th.start()
    time.sleep(0.5)  # the restart is in the herder: the old task was asked to stop
    t0 = time.monotonic()
    r = w.get("/connectors", timeout=30)
    took = time.monotonic() - t0
    assert r.status_code == 200 and cname in r.json()
    assert took < kc.scaled(3), f"GET /connectors took {took:.1f}s while a task was stopping"
    t0 = time.monotonic()
    assert w.get(f"/connectors/{cname}/status", timeout=30).status_code == 200
    assert time.monotonic() - t0 < kc.scaled(3)
    assert "status" not in answer  # still waiting for the old task
    # a reader lets the old task's open return; it stops, the new task starts and opens the FIFO
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        # answered once the old task is gone: stopped, or abandoned after the 15 s timeout
        th.join(timeout=kc.scaled(40))
        assert answer.get("status") == 204, answer
        w.wait_running(cname)
        assert w.delete(f"/connectors/{cname}").status_code == 204
        kc.wait_until(lambda: w.get(f"/connectors/{cname}").status_code == 404, what="deleted")
    finally:
        os.close(rfd)
