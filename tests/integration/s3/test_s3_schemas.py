"""The S3 sink's Parquet columns from Connect schemas, end to end through Kafka and the worker,
read back by pyarrow and DuckDB.

- Avro values (AvroConverter against a real Schema Registry, Apicurio's Confluent API): the
  columns are the Avro schema's as Connect sees it (int32 stays INT32, decimal, date,
  timestamp-millis keep their logical types), and a schema that evolves mid-stream starts a new
  file instead of writing the new field's records under the old columns.
- JsonConverter envelopes through a transform: the transformed value keeps its Connect schema.
- A schemaless record held in a file's inference sample that the inferred schema then refuses
  (an integer past 2^53 among doubles) goes to the DLQ itself; the other records are written."""

from __future__ import annotations

import datetime
import decimal
import json
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import kc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_s3_sink import sink_config  # noqa: E402

pytest.importorskip("fastavro")
from test_avro import frame, register, registry  # noqa: E402,F401 (registry: a fixture)

V1 = {"type": "record", "name": "Reading", "namespace": "iot", "fields": [
    {"name": "device_id", "type": "string"},
    {"name": "qty", "type": "int"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10,
                                "scale": 2}},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "note", "type": ["null", "string"], "default": None},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
]}
V2 = {**V1, "fields": V1["fields"] + [{"name": "channel", "type": "string", "default": "none"}]}
T0 = datetime.datetime(2025, 7, 28, 13, 30, tzinfo=datetime.timezone.utc)


def reading(i: int, v2: bool) -> dict:
    r = {"device_id": f"dev-{i % 3}", "qty": i * 7 - 20,
         "amount": decimal.Decimal(f"{i * 3}.{i % 100:02d}"),
         "day": datetime.date(2025, 7, 1) + datetime.timedelta(days=i),
         "at": T0 + datetime.timedelta(seconds=i), "note": None if i % 4 == 0 else f"n{i}",
         "tags": [f"t{k}" for k in range(i % 3)]}
    if v2:
        r["channel"] = f"c{i % 2}"
    return r


def test_avro_values_keep_their_schema_and_evolve_into_a_new_file(kafka, connect_c, registry,
                                                                 tmp_path, unique_name):
    topic = unique_name("avro-s3")
    kafka.create_topic(topic, partitions=1)
    id1 = register(registry, f"{topic}-value", V1)
    id2 = register(registry, f"{topic}-value", V2)
    assert id1 != id2
    rows = [reading(i, False) for i in range(10)] + [reading(i, True) for i in range(10, 25)]
    kafka.produce_records(topic, [{"value": frame(id1, V1, r), "partition": 0}
                                  for r in rows[:10]] +
                          [{"value": frame(id2, V2, r), "partition": 0} for r in rows[10:]])
    root = tmp_path / "store"
    cname = unique_name("s3avro")
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": f"file://{root}", "flush.size": "15",
        "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": registry}))
    # the schema change at offset 10 closes the first set; flush.size closes the second at 25
    try:
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 25,
                      timeout=kc.scaled(60), what="avro records committed")
    finally:
        print("status", w.status(cname), kafka.committed_offsets(f"connect-{cname}"),
              sorted(p.name for p in root.rglob("*")))
    files = sorted((root / "raw" / topic).rglob("*.parquet"))
    assert [f.name for f in files] == [f"{topic}+0+0000000000.snappy.parquet",
                                       f"{topic}+0+0000000010.snappy.parquet"]
    t1, t2 = pq.read_table(files[0]), pq.read_table(files[1])
    assert t1.num_rows == 10 and t2.num_rows == 15
    assert "channel" not in t1.schema.names
    assert str(t2.schema.field("channel").type) == "string"
    for t in (t1, t2):
        assert str(t.schema.field("qty").type) == "int32"  # inferred would be int64
        assert str(t.schema.field("day").type) == "date32[day]"
        assert str(t.schema.field("at").type) == "timestamp[ms, tz=UTC]"
        amount = t.schema.field("amount").type
        assert amount.scale == 2, amount
        assert not t.schema.field("device_id").nullable
        assert t.schema.field("note").nullable
        assert str(t.schema.field("tags").type).startswith("list<")
    got = t1.to_pylist() + t2.to_pylist()
    for g, r in zip(got, rows):
        assert g["qty"] == r["qty"] and g["amount"] == r["amount"] and g["day"] == r["day"]
        assert g["at"] == r["at"] and g["note"] == r["note"] and list(g["tags"]) == r["tags"]
        assert g.get("channel") == r.get("channel")
    con = duckdb.connect()
    n, total, channels = con.execute(
        "SELECT count(*), sum(amount), count(channel) FROM read_parquet(?, union_by_name=true)",
        [[str(f) for f in files]]).fetchone()
    assert n == 25
    assert total == sum(r["amount"] for r in rows)
    assert channels == 15


def test_transformed_envelopes_keep_their_connect_schema(kafka, connect_c, tmp_path,
                                                         unique_name):
    topic = unique_name("env-smt")
    kafka.create_topic(topic, partitions=1)
    schema = {"type": "struct", "name": "iot", "optional": False, "fields": [
        {"field": "device_id", "type": "string", "optional": False},
        {"field": "timestamp", "type": "int64", "optional": False,
         "name": "org.apache.kafka.connect.data.Timestamp", "version": 1},
        {"field": "battery_level", "type": "int32", "optional": True},
        {"field": "location", "type": "string", "optional": True}]}
    base = int(T0.timestamp() * 1000)
    rows = [{"device_id": f"d{i}", "timestamp": base + i * 1000, "battery_level": 40 + i,
             "location": "hall"} for i in range(12)]
    kafka.produce(topic, [json.dumps({"schema": schema, "payload": r}) for r in rows],
                  partition=0)
    root = tmp_path / "store"
    cname = unique_name("s3envsmt")
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": f"file://{root}", "flush.size": "12",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true",
        "transforms": "drop",
        "transforms.drop.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
        "transforms.drop.exclude": "location"}))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 12,
                  timeout=kc.scaled(60), what="transformed envelopes committed")
    files = sorted((root / "raw" / topic).rglob("*.parquet"))
    t = pq.read_table(files[0])
    assert t.schema.names == ["device_id", "timestamp", "battery_level"]
    assert str(t.schema.field("battery_level").type) == "int32"
    assert str(t.schema.field("timestamp").type) == "timestamp[ms, tz=UTC]"
    assert not t.schema.field("device_id").nullable
    n, s = duckdb.connect().execute("SELECT count(*), sum(battery_level) FROM read_parquet(?)",
                                    [[str(f) for f in files]]).fetchone()
    assert (n, s) == (12, sum(r["battery_level"] for r in rows))


def test_sampled_record_refused_by_the_inferred_schema_goes_to_the_dlq(kafka, connect_c,
                                                                       tmp_path, unique_name):
    topic, dlq = unique_name("sample-blame"), unique_name("dlq")
    kafka.create_topic(topic, partitions=1)
    base = T0.strftime("%Y-%m-%dT%H:%M")
    vals = [json.dumps({"timestamp": f"{base}:{i:02d}Z", "value": i + 0.5}) for i in range(20)]
    bad = json.dumps({"timestamp": f"{base}:02Z", "value": 9007199254740993})
    vals[2] = bad  # in the first file's sample of 5; its doubles make the column DOUBLE
    kafka.produce(topic, vals, partition=0)
    root = tmp_path / "store"
    cname = unique_name("s3blame")
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **{
        "store.url": f"file://{root}", "flush.size": "19", "parquet.infer.records": "5",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1"}))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 20,
                  timeout=kc.scaled(60), what="records committed")
    assert [r.value for r in kafka.consume(dlq, count=1)] in ([bad.encode()], [bad])
    files = sorted(root.rglob("*.parquet"))
    got = [r for f in files for r in pq.read_table(f).to_pylist()]
    assert [r["value"] for r in got] == [i + 0.5 for i in range(20) if i != 2]
    n, = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?) WHERE value > 1e15",
                                  [[str(f) for f in files]]).fetchone()
    assert n == 0


BIN = {"type": "record", "name": "Blob", "namespace": "iot", "fields": [
    {"name": "id", "type": "int"},
    {"name": "raw", "type": "bytes"},
    {"name": "ratio", "type": "float"},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10,
                                "scale": 2}},
    {"name": "attrs", "type": {"type": "map", "values": "long"}},
]}


def java_json_line(r: dict, numeric: bool) -> str:
    """The JsonFormat line the JVM's S3 sink writes for r (JsonConverter, schemas.enable=false,
    as checked against connect-json 4.1.0): bytes and BASE64 decimals as base64 of the
    (unscaled) bytes, a float as Float.toString, the map in java.util.HashMap order."""
    import base64

    def b64(b: bytes) -> str:
        return base64.b64encode(b).decode()

    unscaled = int(r["amount"].scaleb(2))
    dec = (str(r["amount"]) if numeric else
           json.dumps(b64(unscaled.to_bytes(max(1, (unscaled.bit_length() + 8) // 8), "big",
                                            signed=True))))
    # one-letter keys: String.hashCode is the char, the bucket its low 4 bits
    attrs = ",".join(f'"{k}":{v}' for k, v in sorted(r["attrs"].items(), key=lambda kv: ord(kv[0]) & 15))
    return (f'{{"id":{r["id"]},"raw":{json.dumps(b64(r["raw"]))},"ratio":{r["ratio_text"]},'
            f'"amount":{dec},"attrs":{{{attrs}}}}}')


@pytest.mark.parametrize("numeric", [False, True], ids=["base64", "numeric"])
def test_avro_bytes_decimals_floats_as_json_converter_writes_them(kafka, connect_c, registry,
                                                                  tmp_path, unique_name, numeric):
    """JsonFormat lines of Avro values are the JVM's: bytes in base64 (they were written as
    their raw bytes, and not-UTF-8 bytes sent the record to the DLQ), Decimals in base64 or as
    numbers under json.decimal.format=NUMERIC, a float as Float.toString ("0.1", not the
    widened double 0.10000000149011612), map entries in HashMap order."""
    topic = unique_name("avro-json")
    kafka.create_topic(topic, partitions=1)
    sid = register(registry, f"{topic}-value", BIN)
    rows = [{"id": i, "raw": bytes([0, 255, i]) + b"txt", "ratio": 0.1 * (i + 1),
             "ratio_text": ["0.1", "0.2", "0.3"][i],
             "amount": decimal.Decimal(["12.34", "-0.01", "1000.00"][i]),
             "attrs": {"z": i, "a": -i, "q": 7}} for i in range(3)]
    kafka.produce_records(topic, [{"value": frame(sid, BIN, {k: v for k, v in r.items()
                                                             if k != "ratio_text"}),
                                   "partition": 0} for r in rows])
    root = tmp_path / "store"
    cname = unique_name("s3json")
    cfg = sink_config(topic, **{
        "store.url": f"file://{root}", "flush.size": "3",
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
        "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": registry,
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": topic + "-dlq",
        "errors.deadletterqueue.topic.replication.factor": "1"})
    if numeric:
        cfg["json.decimal.format"] = "numeric"  # case-insensitive, as the JVM's validator
    w = connect_c()
    w.create_connector(cname, cfg)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 3,
                  timeout=kc.scaled(60), what="records committed")
    files = sorted((root / "raw" / topic).rglob("*.json"))
    assert [f.name for f in files] == [f"{topic}+0+0000000000.json"]
    got = files[0].read_text().splitlines()
    assert got == [java_json_line(r, numeric) for r in rows]
    # a value the JVM's validator refuses is a 400 with its message shape
    bad = dict(cfg, **{"json.decimal.format": "TEXT"})
    r = w.request("PUT", f"/connectors/{cname}-bad/config", json=bad)
    assert r.status_code == 400, r.text
    assert "json.decimal.format" in r.json()["message"], r.text
