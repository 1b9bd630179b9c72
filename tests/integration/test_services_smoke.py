"""Proves the integration harness itself: broker, kcat helpers, the reference JVM worker, and the
ConnectC fixture (skipped until build/worker/connect-distributed exists)."""

from __future__ import annotations

import json
import re
import time

import kc


def test_broker_roundtrip_1000_lines(kafka, unique_name):
    topic = unique_name("smoke")
    keys = [f"k{i}" for i in range(1000)]
    values = kafka.produce_lines(topic, 1000, fmt="line-{i} with spaces\tand a tab",
                                 keys=keys, headers={"h": "v"})
    recs = kafka.consume(topic, count=1000)
    assert [r.value for r in recs] == values
    assert [r.key for r in recs] == keys
    assert [r.offset for r in recs] == list(range(1000))
    assert all(r.headers == [("h", "v")] for r in recs)
    # nothing beyond what was produced
    assert len(kafka.consume(topic)) == 1000


def test_broker_nulls_multiline_and_admin(kafka, unique_name):
    topic = kafka.create_topic(unique_name("smoke-p"), partitions=3)
    assert kafka.partitions(topic) == 3
    kafka.produce(topic, ['{"a":\n1}', None], keys=[None, "tomb"], partition=2)
    recs = kafka.consume(topic, count=2)
    assert [(r.partition, r.key, r.value) for r in recs] == [(2, None, '{"a":\n1}'),
                                                              (2, "tomb", None)]
    assert recs[0].json() == {"a": 1}
    kafka.produce_records(topic, [{"key": "x", "value": {"b": 2}, "partition": 0,
                                   "headers": [("h1", b"1"), ("h2", None)]}])
    r = kafka.consume(topic, count=1, partition=0)[0]
    assert (r.key, r.json(), r.headers) == ("x", {"b": 2}, [("h1", "1"), ("h2", None)])
    assert kafka.end_offsets(topic) == {0: 1, 1: 0, 2: 2}


def test_wait_until_scales_and_reports():
    assert kc.wait_until(lambda: 42, timeout=1) == 42
    try:
        kc.wait_until(lambda: False, timeout=0.3, interval=0.05, what="never")
    except AssertionError as e:
        assert "never" in str(e)
    else:
        raise AssertionError("wait_until did not time out")

    def dead():
        raise kc.GiveUp("process died")
    t0 = time.monotonic()
    try:
        kc.wait_until(dead, timeout=30)
    except kc.GiveUp:
        assert time.monotonic() - t0 < 5
    else:
        raise AssertionError("GiveUp was swallowed")


def test_jvm_filestream_sink(kafka, jvm_connect, unique_name, tmp_path):
    topic = unique_name("smoke-fs")
    n = 200
    # JsonConverter (schemas.enable=false) needs JSON values; a JSON string is written verbatim
    kafka.produce(topic, [json.dumps(f"rec-{i}") for i in range(n)])
    w = jvm_connect()
    assert w.get("/").json()["version"] == "4.1.0"
    name = unique_name("fsink")
    out = tmp_path / "sink.txt"
    r = w.create_connector(name, {"connector.class": kc.FILE_SINK, "tasks.max": "1",
                                  "topics": topic, "file": str(out)})
    assert r.headers["Location"].endswith(f"/connectors/{name}")
    st = w.wait_running(name, tasks=1)

    kc.wait_until(lambda: len(kc.complete_lines(out)) >= n,
                  timeout=60, what=f"{n} lines in {out}")
    assert out.read_text().splitlines() == [f"rec-{i}" for i in range(n)]

    # status shape, as the REST engineers must reproduce it
    worker_id = f"127.0.0.1:{w.env['KC_CONNECT_PORT']}"
    assert st == {
        "name": name,
        "connector": {"state": "RUNNING", "worker_id": worker_id, "version": "4.1.0"},
        "tasks": [{"id": 0, "state": "RUNNING", "worker_id": worker_id, "version": "4.1.0"}],
        "type": "sink",
    }
    assert list(st) == ["name", "connector", "tasks", "type"]

    # sink progress = committed offsets of group connect-<name>
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{name}").get((topic, 0)) == n,
                  timeout=30, what="committed offset")
    # the config topic holds the connector as submitted plus name (connect-compat §4.2)
    cfg = {r.key: r.json() for r in kafka.consume(w.config_topic)}
    assert cfg[f"connector-{name}"]["properties"]["name"] == name
    assert cfg[f"commit-{name}"] == {"tasks": 1}
    status = {r.key: r.value for r in kafka.consume(w.status_topic)}
    assert re.fullmatch(r'\{"state":"RUNNING","trace":null,"worker_id":"[0-9.:]+",'
                        r'"generation":\d+,"version":"4.1.0"\}',
                        status[f"status-task-{name}-0"])

    assert w.delete(f"/connectors/{name}").status_code == 204


def test_connect_c_starts_and_survives_sigkill(connect_c):
    w = connect_c()  # skips when the binary is not built
    assert w.get("/").status_code == 200
    assert w.get("/connectors").json() == []
    w.restart(kill=True)
    assert w.get("/").status_code == 200
