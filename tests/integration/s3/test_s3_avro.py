"""Confluent's AvroFormat (format.class=io.confluent.connect.s3.format.avro.AvroFormat) end to end
through Kafka and the worker: Avro object container files read back by fastavro and by Apache
Avro's own Java reader (AvroCat.java, Avro 1.11 from the Apicurio converter jars).

- JsonConverter envelopes with every Connect type: the file's schema is the one Confluent's
  AvroData makes of the Connect schema (checked member by member: connect.* properties, logical
  types, optional unions and their defaults, MapEntry records for non-string map keys, a named
  struct met twice written by name the second time, ConnectDefault for an unnamed one), the
  values decode to what was produced, for each avro.codec (null, deflate, snappy, bzip2, xz,
  zstandard), on the local store and on S3Proxy.
- Schemaless JSON: io.confluent.connect.avro.Anything records.
- AvroConverter values (a real registry): Avro in, Avro out, the same values.
- A value whose Connect schema changes closes the file; kill -9 and a restart write the same
  bytes (the sync marker comes from the object's name)."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_s3_sink import make_bucket, s3, sink_config  # noqa: E402,F401 (s3: a fixture)

fastavro = pytest.importorskip("fastavro")
from test_avro import frame, register, registry  # noqa: E402,F401 (registry: a fixture)
from test_s3_schemas import V1 as SCHEMAS_V1  # noqa: E402

AVRO = "io.confluent.connect.s3.format.avro.AvroFormat"
DEC = "org.apache.kafka.connect.data.Decimal"
DATE = "org.apache.kafka.connect.data.Date"
TIME = "org.apache.kafka.connect.data.Time"
TS = "org.apache.kafka.connect.data.Timestamp"
LOC = {"type": "struct", "name": "com.acme.Loc", "optional": False, "fields": [
    {"field": "lat", "type": "double", "optional": False},
    {"field": "lon", "type": "double", "optional": False}]}
EVENT = {"type": "struct", "name": "com.acme.Event", "version": 2, "optional": False, "fields": [
    {"field": "i8", "type": "int8", "optional": False},
    {"field": "i16", "type": "int16", "optional": False},
    {"field": "i32", "type": "int32", "optional": False},
    {"field": "i64", "type": "int64", "optional": False},
    {"field": "f32", "type": "float", "optional": False},
    {"field": "f64", "type": "double", "optional": False},
    {"field": "ok", "type": "boolean", "optional": False},
    {"field": "s", "type": "string", "optional": False},
    {"field": "b", "type": "bytes", "optional": False},
    {"field": "note", "type": "string", "optional": True},
    {"field": "dec", "type": "bytes", "optional": False, "name": DEC, "version": 1,
     "parameters": {"scale": "2"}},
    {"field": "day", "type": "int32", "optional": False, "name": DATE, "version": 1},
    {"field": "tod", "type": "int32", "optional": False, "name": TIME, "version": 1},
    {"field": "at", "type": "int64", "optional": False, "name": TS, "version": 1},
    {"field": "tags", "type": "array", "optional": False,
     "items": {"type": "string", "optional": False}},
    {"field": "attrs", "type": "map", "optional": False,
     "keys": {"type": "string", "optional": False}, "values": {"type": "int64", "optional": False}},
    {"field": "codes", "type": "map", "optional": False,
     "keys": {"type": "int32", "optional": False}, "values": {"type": "string", "optional": False}},
    dict(LOC, field="loc"),
    dict(LOC, field="prev", optional=True),
    {"field": "extra", "type": "struct", "optional": True, "fields": [
        {"field": "k", "type": "string", "optional": False}]},
]}
CONNECT_META = {"connect.version": 1}
# What Confluent's AvroData.fromConnectSchema makes of EVENT (connect.meta.data=true)
EVENT_AVRO = {"type": "record", "name": "Event", "namespace": "com.acme", "fields": [
    {"name": "i8", "type": {"type": "int", "connect.type": "int8"}},
    {"name": "i16", "type": {"type": "int", "connect.type": "int16"}},
    {"name": "i32", "type": "int"},
    {"name": "i64", "type": "long"},
    {"name": "f32", "type": "float"},
    {"name": "f64", "type": "double"},
    {"name": "ok", "type": "boolean"},
    {"name": "s", "type": "string"},
    {"name": "b", "type": "bytes"},
    {"name": "note", "type": ["null", "string"], "default": None},
    {"name": "dec", "type": {"type": "bytes", "scale": 2, "precision": 64, "connect.version": 1,
                             "connect.parameters": {"scale": "2"}, "connect.name": DEC,
                             "logicalType": "decimal"}},
    {"name": "day", "type": {"type": "int", "connect.version": 1, "connect.name": DATE,
                             "logicalType": "date"}},
    {"name": "tod", "type": {"type": "int", "connect.version": 1, "connect.name": TIME,
                             "logicalType": "time-millis"}},
    {"name": "at", "type": {"type": "long", "connect.version": 1, "connect.name": TS,
                            "logicalType": "timestamp-millis"}},
    {"name": "tags", "type": {"type": "array", "items": "string"}},
    {"name": "attrs", "type": {"type": "map", "values": "long"}},
    {"name": "codes", "type": {"type": "array", "items": {
        "type": "record", "name": "MapEntry", "namespace": "io.confluent.connect.avro",
        "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": "string"}]}}},
    {"name": "loc", "type": {"type": "record", "name": "Loc", "fields": [
        {"name": "lat", "type": "double"}, {"name": "lon", "type": "double"}],
        "connect.name": "com.acme.Loc"}},
    {"name": "prev", "type": ["null", "Loc"], "default": None},
    {"name": "extra", "type": ["null", {
        "type": "record", "name": "ConnectDefault", "namespace": "io.confluent.connect.avro",
        "fields": [{"name": "k", "type": "string"}]}], "default": None},
], "connect.version": 2, "connect.name": "com.acme.Event"}
DAY0 = datetime.date(2025, 7, 1)
AT0 = datetime.datetime(2025, 7, 28, 13, 30, tzinfo=datetime.timezone.utc)


def unscaled(d: decimal.Decimal, scale: int) -> bytes:
    n = int(d.scaleb(scale))
    return n.to_bytes((n.bit_length() + 8) // 8 or 1, "big", signed=True)


def event(i: int) -> dict:
    """Row i as Python values (what a reader should return)."""
    return {"i8": (i % 250) - 125, "i16": i * 100 - 30000, "i32": i * 1000 - 7, "i64": i << 40,
            "f32": i + 0.5, "f64": i / 8, "ok": i % 2 == 0, "s": f"s-{i}-é",
            "b": bytes([i % 256, 0, 255]), "note": None if i % 3 == 0 else f"n{i}",
            "dec": decimal.Decimal(i * 37 - 500) / 100, "day": DAY0 + datetime.timedelta(days=i),
            "tod": datetime.time(1, 2, 3, (i % 1000) * 1000),
            "at": AT0 + datetime.timedelta(milliseconds=i * 1001),
            "tags": [f"t{k}" for k in range(i % 3)],
            "attrs": {f"a{k}": k * i for k in range(i % 4)},
            "codes": {k: f"c{k}" for k in range(i % 3)},
            "loc": {"lat": 48.0 + i, "lon": 2.0 - i},
            "prev": None if i % 2 else {"lat": float(i), "lon": -float(i)},
            "extra": None if i % 5 else {"k": f"x{i}"}}


def envelope(i: int) -> dict:
    e = event(i)
    p = dict(e)
    p["b"] = base64.b64encode(e["b"]).decode()
    p["dec"] = base64.b64encode(unscaled(e["dec"], 2)).decode()
    p["day"] = (e["day"] - datetime.date(1970, 1, 1)).days
    p["tod"] = ((1 * 60 + 2) * 60 + 3) * 1000 + i % 1000
    p["at"] = int(e["at"].timestamp() * 1000)
    p["codes"] = [[k, v] for k, v in e["codes"].items()]  # JsonConverter: non-string keys
    return {"schema": EVENT, "payload": p}


def expected_fastavro(i: int) -> dict:
    e = event(i)
    e["codes"] = [{"key": k, "value": v} for k, v in e["codes"].items()]
    return e


def avro_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.avro"))


def read_all(files: list[Path]) -> tuple[list[dict], list[dict]]:
    """(records, headers) through fastavro: headers hold the raw schema JSON and the codec."""
    recs, heads = [], []
    for f in files:
        with open(f, "rb") as fh:
            r = fastavro.reader(fh)
            heads.append({"schema": json.loads(r.metadata["avro.schema"]),
                          "codec": r.metadata["avro.codec"]})
            recs.extend(r)
    return recs, heads


def java_read(files: list[Path]) -> list[dict]:
    """Each file through Apache Avro's Java DataFileReader (AvroCat.java)."""
    cache = Path(os.environ.get("KC_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or
                                                    Path.home() / ".cache") / "connect-c")
    jars = sorted(cache.glob("apicurio-registry-*/converter/apicurio/*.jar"))
    assert any(j.name.startswith("avro-") for j in jars), \
        f"no Avro jar under {cache} (services.sh fetch-registry downloads it)"
    p = subprocess.run([os.environ.get("JAVA", "java"), "-cp", ":".join(map(str, jars)),
                        str(Path(__file__).with_name("AvroCat.java")), *map(str, files)],
                       capture_output=True, timeout=kc.scaled(180))
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


@pytest.fixture(scope="module")
def event_topic(kafka):
    topic = f"avro-events-{os.getpid()}"
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps(envelope(i)) for i in range(40)], partition=0)
    return topic


def avro_config(topic: str, root_or_s3, codec: str | None, **extra) -> dict:
    cfg = sink_config(topic, **{
        "format.class": AVRO, "flush.size": "15", "topics.dir": "t",
        "partitioner.class": "io.confluent.connect.storage.partitioner.DefaultPartitioner",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "true"})
    if isinstance(root_or_s3, Path):
        cfg["store.url"] = f"file://{root_or_s3}"
    else:
        cfg.update(root_or_s3)
    if codec is not None:
        cfg["avro.codec"] = codec
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


@pytest.mark.parametrize("codec", [None, "deflate", "snappy", "bzip2", "xz", "zstandard"])
def test_envelopes_every_type_every_codec(kafka, connect_c, event_topic, tmp_path, unique_name,
                                          codec):
    root = tmp_path / "store"
    cname = unique_name("s3avro")
    w = connect_c()
    w.create_connector(cname, avro_config(event_topic, root, codec))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((event_topic, 0)) == 30,
                  timeout=kc.scaled(60), what="two files of 15 committed")
    files = avro_files(root)
    assert [f.name for f in files] == [f"{event_topic}+0+{s:010d}.avro" for s in (0, 15)]
    recs, heads = read_all(files)
    for h in heads:
        assert h["codec"] == (codec or "null")
        assert h["schema"] == EVENT_AVRO
    assert recs == [expected_fastavro(i) for i in range(30)]
    if codec != "xz":  # Apicurio's jars have no org.tukaani:xz
        java = java_read(files)
        assert [j["codec"] for j in java] == [codec or "null"] * 2
        assert java[0]["schema"] == EVENT_AVRO
        jrecs = [r for j in java for r in j["records"]]
        assert [(r["s"], r["i64"], r["note"], r["day"]) for r in jrecs] == \
            [(f"s-{i}-é", i << 40, None if i % 3 == 0 else f"n{i}",
              (DAY0 - datetime.date(1970, 1, 1)).days + i)
             for i in range(30)]


def test_envelopes_on_s3proxy(kafka, connect_c, event_topic, s3, unique_name):
    s3_env = s3
    make_bucket(s3_env, "avro-data")
    cname = unique_name("s3avrop")
    w = connect_c()
    w.create_connector(cname, avro_config(event_topic, {
        "store.url": s3_env["KC_S3_ENDPOINT"], "s3.bucket.name": "avro-data",
        "aws.access.key.id": s3_env["KC_S3_ACCESS_KEY"],
        "aws.secret.access.key": s3_env["KC_S3_SECRET_KEY"]}, "deflate"))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((event_topic, 0)) == 30,
                  timeout=kc.scaled(60), what="two files committed on S3Proxy")
    files = avro_files(Path(s3_env["KC_S3_DATA"]) / "avro-data")
    assert [f.name for f in files] == [f"{event_topic}+0+{s:010d}.avro" for s in (0, 15)]
    recs, heads = read_all(files)
    assert heads[0]["schema"] == EVENT_AVRO and heads[1]["codec"] == "deflate"
    assert recs == [expected_fastavro(i) for i in range(30)]


def from_anything(a: dict | None):
    """A schemaless value back from its io.confluent.connect.avro.Anything record."""
    if a is None:
        return None
    for k in ("boolean", "bytes", "double", "float", "int", "long", "string"):
        if a[k] is not None:
            return a[k]
    if a["array"] is not None:
        return [from_anything(x) for x in a["array"]]
    if a["map"] is not None:
        return {from_anything(e["key"]): from_anything(e["value"]) for e in a["map"]}
    return None  # every field null: a null inside an array or map


def test_schemaless_json_as_anything(kafka, connect_c, tmp_path, unique_name):
    topic, cname = unique_name("avro-sl"), unique_name("s3avrosl")
    kafka.create_topic(topic, partitions=1)
    vals = [{"id": i, "name": f"n{i}", "ok": i % 2 == 0, "x": i / 4, "tags": [i, None, "t"],
             "m": {"k": {"deep": [True]}}, "nil": None} for i in range(10)]
    kafka.produce(topic, [json.dumps(v) for v in vals], partition=0)
    root = tmp_path / "store"
    w = connect_c()
    w.create_connector(cname, avro_config(topic, root, "snappy", **{
        "flush.size": "5", "value.converter.schemas.enable": "false"}))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 10,
                  timeout=kc.scaled(60), what="two files committed")
    files = avro_files(root)
    recs, heads = read_all(files)
    assert heads[0]["schema"]["name"] == "Anything"
    assert heads[0]["schema"]["namespace"] == "io.confluent.connect.avro"
    assert [f["name"] for f in heads[0]["schema"]["fields"]] == \
        ["boolean", "bytes", "double", "float", "int", "long", "string", "array", "map"]
    assert [from_anything(r) for r in recs] == vals
    java = java_read(files)
    assert sum(len(j["records"]) for j in java) == 10


def test_schema_change_closes_the_file_and_same_records_same_bytes(kafka, connect_c, tmp_path,
                                                                   unique_name):
    """Records 0-9 under LOC, then records under LOC with a third field: the change closes the
    set at 10 (a new file). Two connectors over the same topic into two stores, the worker
    killed with -9 while the second set is open and started again: both stores hold the same
    objects byte for byte (the sync marker comes from the object's name, not from chance), so a
    set rewritten after a crash is the object it replaces."""
    topic = unique_name("avro-evo")
    kafka.create_topic(topic, partitions=1)
    loc3 = dict(LOC, fields=LOC["fields"] + [{"field": "alt", "type": "int32", "optional": True}])
    vals = [{"schema": LOC, "payload": {"lat": float(i), "lon": 1.0}} for i in range(10)] + \
        [{"schema": loc3, "payload": {"lat": float(i), "lon": 1.0, "alt": i}}
         for i in range(10, 20)]
    kafka.produce(topic, [json.dumps(v) for v in vals], partition=0)
    roots = [tmp_path / "a", tmp_path / "b"]
    names = [unique_name("s3avroa"), unique_name("s3avrob")]
    w = connect_c()
    for root, cname in zip(roots, names):
        w.create_connector(cname, avro_config(topic, root, "deflate", **{"flush.size": "100"}))
    for cname in names:
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 10,
                      timeout=kc.scaled(60), what="the first file committed at the change")
    kc.wait_until(lambda: all(len(list(r.rglob("*.inprogress"))) == 1 for r in roots),
                  timeout=kc.scaled(30), what="the open set's file in each store")
    w.kill()
    kafka.produce(topic, [json.dumps({"schema": loc3, "payload": {"lat": 99.0, "lon": 1.0,
                                                                  "alt": None}})] * 90,
                  partition=0)
    w.start()
    for cname in names:
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 110,
                      timeout=kc.scaled(90), what="the second file committed after the restart")
    got = [{f.relative_to(r): f.read_bytes() for f in r.rglob("*") if f.is_file()} for r in roots]
    assert sorted(str(k) for k in got[0]) == [f"t/{topic}/partition=0/{topic}+0+{s:010d}.avro"
                                             for s in (0, 10)]
    assert got[0] == got[1]
    recs, heads = read_all(avro_files(roots[0]))
    assert [r["lat"] for r in recs[:10]] == [float(i) for i in range(10)]
    assert recs[10] == {"lat": 10.0, "lon": 1.0, "alt": 10} and len(recs) == 110
    assert [f["name"] for f in heads[0]["schema"]["fields"]] == ["lat", "lon"]
    assert heads[1]["schema"]["fields"][2] == {"name": "alt", "type": ["null", "int"],
                                               "default": None}


# test_s3_schemas.py's Avro schema, and an enum
V1 = {**SCHEMAS_V1, "fields": SCHEMAS_V1["fields"] + [
    {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B", "C"]}}]}


def test_avro_converter_in_avro_out(kafka, connect_c, registry, tmp_path, unique_name):
    topic, cname = unique_name("avro-rt"), unique_name("s3avrort")
    kafka.create_topic(topic, partitions=1)
    sid = register(registry, f"{topic}-value", V1)
    rows = [{"device_id": f"dev-{i % 3}", "qty": i * 7 - 20,
             "amount": decimal.Decimal(f"{i * 3}.{i % 100:02d}"),
             "day": DAY0 + datetime.timedelta(days=i), "at": AT0 + datetime.timedelta(seconds=i),
             "note": None if i % 4 == 0 else f"n{i}", "kind": "ABC"[i % 3],
             "tags": [f"t{k}" for k in range(i % 3)]} for i in range(12)]
    kafka.produce_records(topic, [{"value": frame(sid, V1, r), "partition": 0} for r in rows])
    root = tmp_path / "store"
    w = connect_c()
    w.create_connector(cname, avro_config(topic, root, "zstandard", **{
        "flush.size": "12", "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": registry}))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 12,
                  timeout=kc.scaled(60), what="the file committed")
    recs, heads = read_all(avro_files(root))
    assert recs == rows
    s = heads[0]["schema"]
    assert (s["name"], s["namespace"], s["connect.name"]) == ("Reading", "iot", "iot.Reading")
    kind = next(f for f in s["fields"] if f["name"] == "kind")["type"]
    assert (kind["type"], kind["name"], kind["symbols"]) == ("enum", "Kind", ["A", "B", "C"])
    amount = next(f for f in s["fields"] if f["name"] == "amount")["type"]
    assert (amount["logicalType"], amount["precision"], amount["scale"]) == ("decimal", 10, 2)
    java = java_read(avro_files(root))
    assert [r["kind"] for r in java[0]["records"]] == [r["kind"] for r in rows]
