"""FileStreamSink parity: the same records through the JVM's FileStreamSink and ours give
byte-identical files. Values cover what users send: nested objects and arrays, doubles of every
shape, big and negative integers, booleans, nulls, unicode, escapes, and with schemas enabled,
structs and the Connect logical types."""

from __future__ import annotations

import json

import kc

SCHEMALESS = [
    {"user_id": 42, "event_type": "click", "ts": 1700000000123, "value": 0.1},
    {"a": 1.0, "b": 1e21, "c": 1.5e-7, "d": -0.0, "e": 123456789.125, "f": 2.5e10},
    {"nested": {"x": [1, 2, {"y": None}], "z": True}, "empty": {}, "list": []},
    {"unicode": "żółć ☃ 😀", "quote": "a\"b\\c\nd", "tab": "\t"},
    {"big": 9223372036854775807, "neg": -9223372036854775808, "zero": 0},
    [1, "two", 3.0, None, False],
    "just a string",
    12345,
    None,
    {f"k{i}": i for i in range(20)},
]

SCHEMA = {"type": "struct", "optional": False, "name": "shop.Order", "fields": [
    {"type": "int64", "optional": False, "field": "id"},
    {"type": "string", "optional": True, "field": "name"},
    {"type": "int64", "optional": True, "name": "org.apache.kafka.connect.data.Timestamp",
     "version": 1, "field": "ts"},
    {"type": "int32", "optional": True, "name": "org.apache.kafka.connect.data.Date",
     "version": 1, "field": "day"},
    {"type": "bytes", "optional": True, "name": "org.apache.kafka.connect.data.Decimal",
     "version": 1, "parameters": {"scale": "2"}, "field": "price"},
    {"type": "array", "items": {"type": "double"}, "optional": True, "field": "scores"},
    {"type": "map", "keys": {"type": "string"}, "values": {"type": "int32"}, "optional": True,
     "field": "counts"},
]}
WITH_SCHEMA = [
    {"schema": SCHEMA, "payload": {"id": 1, "name": "x", "ts": 1704067200000, "day": 19723,
                                   "price": "BNI=", "scores": [1.5, 2.0], "counts": {"a": 1}}},
    {"schema": SCHEMA, "payload": {"id": 2, "name": None, "ts": None, "day": None,
                                   "price": None, "scores": None, "counts": None}},
]


def run_both(kafka, connect_c, jvm_connect, tmp_path, topic, extra, n):
    c = connect_c()
    j = jvm_connect()
    outs = {}
    for who, w in (("c", c), ("jvm", j)):
        out = tmp_path / f"{who}.txt"
        cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
               "file": str(out)}
        cfg.update(extra)
        w.create_connector(kc.unique("par"), cfg)
        kc.wait_until(lambda: len(kc.complete_lines(out)) >= n,
                      timeout=60, what=f"{n} lines from {who}")
        outs[who] = out.read_bytes()
    return outs


def test_schemaless_json_identical_to_jvm(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    topic = unique_name("par")
    kafka.produce(topic, [json.dumps(v) if v is not None else "null" for v in SCHEMALESS])
    outs = run_both(kafka, connect_c, jvm_connect, tmp_path, topic,
                    {"value.converter": "org.apache.kafka.connect.json.JsonConverter",
                     "value.converter.schemas.enable": "false"}, len(SCHEMALESS))
    assert outs["c"].decode().splitlines() == outs["jvm"].decode().splitlines()
    assert outs["c"] == outs["jvm"]


def test_schema_json_identical_to_jvm(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    topic = unique_name("pars")
    kafka.produce(topic, [json.dumps(v) for v in WITH_SCHEMA])
    outs = run_both(kafka, connect_c, jvm_connect, tmp_path, topic,
                    {"value.converter": "org.apache.kafka.connect.json.JsonConverter",
                     "value.converter.schemas.enable": "true"}, len(WITH_SCHEMA))
    assert outs["c"].decode().splitlines() == outs["jvm"].decode().splitlines()


def test_string_converter_identical_to_jvm(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    topic = unique_name("parstr")
    lines = ["plain", "ünïcödé", '{"not":"parsed"}', "with  two  spaces"]
    kafka.produce(topic, lines)
    outs = run_both(kafka, connect_c, jvm_connect, tmp_path, topic,
                    {"value.converter": "org.apache.kafka.connect.storage.StringConverter"},
                    len(lines))
    assert outs["c"] == outs["jvm"]
