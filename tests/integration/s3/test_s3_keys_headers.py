"""store.kafka.keys / store.kafka.headers end to end: Kafka -> connect-c -> a keys file and a
headers file beside every values file (Confluent's <name>.keys.<ext> / <name>.headers.<ext>),
one row per written value in the same order, read back by pyarrow, DuckDB and json, on the
local store and on S3Proxy. A record with a null key or no headers goes to the DLQ with
nothing of it written (Confluent's DataException before the value). AvroFormat, Confluent's
default for both, beside AvroFormat values; ByteArrayFormat is a 400."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import kc
from test_s3_sink import list_keys, make_bucket, s3, s3_options  # noqa: F401 (s3: fixture)

S3_CLASS = "io.confluent.connect.s3.S3SinkConnector"
PARQUET = "io.confluent.connect.s3.format.parquet.ParquetFormat"
AVRO = "io.confluent.connect.s3.format.avro.AvroFormat"
BYTES = "io.confluent.connect.s3.format.bytearray.ByteArrayFormat"
JSON = "io.confluent.connect.s3.format.json.JsonFormat"
N = 25
NULL_KEY, NO_HEADERS = 7, 12  # reported, not written


def records(key_of) -> list[dict]:
    out = []
    for i in range(N):
        r = {"value": {"seq": i, "v": i * 1.5}, "partition": 0,
             "key": None if i == NULL_KEY else key_of(i)}
        if i != NO_HEADERS:
            r["headers"] = [("src", f"s{i}".encode()), ("trace", f"t-{i}-é".encode())]
        out.append(r)
    return out


def config(topic: str, dlq: str, keys_fmt: str, headers_fmt: str, **extra) -> dict:
    cfg = {
        "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
        "s3.bucket.name": "kh", "topics.dir": "raw", "flush.size": "10",
        "format.class": PARQUET, "parquet.codec": "snappy",
        "store.kafka.keys": "true", "keys.format.class": keys_fmt,
        "store.kafka.headers": "true", "headers.format.class": headers_fmt,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
    }
    cfg.update(extra)
    return cfg


def run(kafka, connect_c, unique_name, recs: list[dict], keys_fmt: str, headers_fmt: str,
        **extra) -> tuple[str, str]:
    topic, cname, dlq = unique_name("kh"), unique_name("s3kh"), unique_name("khdlq")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, recs)
    w = connect_c()
    w.create_connector(cname, config(topic, dlq, keys_fmt, headers_fmt, **extra))
    # 23 written records: two sets of 10 (offsets 0-10 and 11-21) committed, 22-24 open
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 22,
                  timeout=kc.scaled(90), what="two sets committed")
    bad = kafka.consume(dlq, count=2)
    assert sorted(json.loads(r.value)["seq"] for r in bad) == [NULL_KEY, NO_HEADERS]
    return topic, cname


def written(upto: int = 22) -> list[int]:
    return [i for i in range(upto) if i not in (NULL_KEY, NO_HEADERS)]


def headers_of(i: int) -> list[dict]:
    return [{"key": "src", "value": f"s{i}"}, {"key": "trace", "value": f"t-{i}-é"}]


def trios(root: Path, topic: str, key_ext: str, headers_ext: str) -> list[tuple[Path, Path, Path]]:
    values = sorted((root / "raw" / topic).rglob("*+*+??????????.snappy.parquet"))
    assert [v.name for v in values] == [f"{topic}+0+0000000000.snappy.parquet",
                                        f"{topic}+0+0000000011.snappy.parquet"]
    out = []
    for v in values:
        base = v.name[:-len(".snappy.parquet")]
        k, h = v.parent / (base + ".keys" + key_ext), v.parent / (base + ".headers" + headers_ext)
        assert k.exists() and h.exists(), sorted(p.name for p in v.parent.iterdir())
        out.append((v, k, h))
    files = sorted(p.name for p in (root / "raw" / topic).rglob("*") if p.is_file())
    done = [f for f in files if not f.endswith(".inprogress")]
    assert len(done) == 6, files  # nothing else (the open set's are still in progress)
    return out


def test_keys_and_headers_parquet_on_local_store(kafka, connect_c, tmp_path, unique_name):
    root = tmp_path / "store"
    topic, _ = run(kafka, connect_c, unique_name, records(lambda i: f"dev-{i % 5}"), PARQUET,
                   PARQUET, **{"store.url": f"file://{root}"})
    seqs, keys, hdrs = [], [], []
    for v, k, h in trios(root, topic, ".snappy.parquet", ".snappy.parquet"):
        vt, kt, ht = pq.read_table(v), pq.read_table(k), pq.read_table(h)
        assert vt.num_rows == kt.num_rows == ht.num_rows
        assert kt.column_names == ["key"] and ht.column_names == ["headers"]
        assert str(kt.schema.field("key").type) == "string"
        assert pq.ParquetFile(k).metadata.row_group(0).column(0).compression == "SNAPPY"
        seqs += vt.column("seq").to_pylist()
        keys += kt.column("key").to_pylist()
        hdrs += ht.column("headers").to_pylist()
    assert seqs == written()
    assert keys == [f"dev-{i % 5}" for i in written()]
    assert hdrs == [headers_of(i) for i in written()]
    # DuckDB reads the keys beside the values, row for row
    con = duckdb.connect()
    d = str(root / "raw" / topic / "partition=0")
    def numbered(cols: str, name: str) -> str:
        return (f"(SELECT {cols}, row_number() OVER () AS n "
                f"FROM read_parquet('{d}/{topic}+0+0000000011{name}'))")
    got = con.execute(
        f"SELECT v.seq, k.key, h.headers[2].value FROM {numbered('seq', '.snappy.parquet')} v "
        f"JOIN {numbered('key', '.keys.snappy.parquet')} k USING (n) "
        f"JOIN {numbered('headers', '.headers.snappy.parquet')} h USING (n) "
        f"ORDER BY v.seq").fetchall()
    assert got == [(i, f"dev-{i % 5}", f"t-{i}-é") for i in written() if i >= 11]


def test_keys_and_headers_json_beside_parquet_on_local_store(kafka, connect_c, tmp_path,
                                                            unique_name):
    """JsonFormat sidecars: a String key as Jackson writes it (a JSON string), headers as
    JsonConverter writes Confluent's RecordHeaders struct."""
    root = tmp_path / "store"
    topic, _ = run(kafka, connect_c, unique_name, records(lambda i: f"dev-{i % 5}"), JSON, JSON,
                   **{"store.url": f"file://{root}"})
    seqs, keys, hdrs = [], [], []
    for v, k, h in trios(root, topic, ".json", ".json"):
        seqs += pq.read_table(v).column("seq").to_pylist()
        klines, hlines = k.read_text().splitlines(), h.read_text().splitlines()
        assert len(klines) == len(hlines) == pq.ParquetFile(v).metadata.num_rows
        keys += [json.loads(x) for x in klines]
        hdrs += hlines
    assert seqs == written()
    assert keys == [f"dev-{i % 5}" for i in written()]
    assert hdrs == [json.dumps({"headers": headers_of(i)}, separators=(",", ":"),
                               ensure_ascii=False) for i in written()]


def test_struct_keys_parquet_on_s3proxy(kafka, connect_c, s3, unique_name):
    """Keys with a Connect schema (JsonConverter envelopes) become Confluent's RecordKey
    struct: a `key` group with the schema's fields, on S3Proxy (objects listed through S3)."""
    bucket = "kh-" + unique_name("b").lower().replace("_", "-")[-40:]
    make_bucket(s3, bucket)

    def key_of(i: int) -> str:
        return json.dumps({"schema": {"type": "struct", "optional": False, "fields": [
            {"field": "id", "type": "int32", "optional": False},
            {"field": "region", "type": "string", "optional": True}]},
            "payload": {"id": i, "region": None if i % 3 == 0 else f"r{i % 4}"}})
    topic, _ = run(kafka, connect_c, unique_name, records(key_of), PARQUET, JSON,
                   **s3_options(s3), **{
                       "s3.bucket.name": bucket,
                       "key.converter": "org.apache.kafka.connect.json.JsonConverter",
                       "key.converter.schemas.enable": "true"})
    names = list_keys(s3, bucket, f"raw/{topic}/")
    root = Path(s3["KC_S3_DATA"]) / bucket
    got = trios(root, topic, ".snappy.parquet", ".json")
    assert names == sorted(str(p.relative_to(root)) for t in got for p in t)
    keys = []
    for v, k, h in got:
        kt = pq.read_table(k)
        assert kt.num_rows == pq.ParquetFile(v).metadata.num_rows
        assert str(kt.schema.field("key").type) == "struct<id: int32 not null, region: string>"
        keys += kt.column("key").to_pylist()
        assert len(h.read_text().splitlines()) == kt.num_rows
    assert keys == [{"id": i, "region": None if i % 3 == 0 else f"r{i % 4}"} for i in written()]


def test_keys_and_headers_avro_by_default(kafka, connect_c, tmp_path, unique_name):
    """Confluent's defaults for keys.format.class and headers.format.class (AvroFormat), beside
    AvroFormat values: <name>.keys.avro holds the keys as AvroData makes them (a
    StringConverter key is an optional string), <name>.headers.avro an array of {key, value}
    records per record; fastavro reads the three files row for row."""
    fastavro = pytest.importorskip("fastavro")
    root = tmp_path / "store"
    cfg = {"store.url": f"file://{root}", "format.class": AVRO, "avro.codec": "deflate"}
    topic, _ = run(kafka, connect_c, unique_name, records(lambda i: f"dev-{i % 5}"), AVRO, AVRO,
                   **cfg)
    d = root / "raw" / topic / "partition=0"
    seqs, keys, hdrs = [], [], []
    for start in (0, 11):
        got = []
        for ext in (".avro", ".keys.avro", ".headers.avro"):
            with open(d / f"{topic}+0+{start:010d}{ext}", "rb") as f:
                r = fastavro.reader(f)
                got.append((json.loads(r.metadata["avro.schema"]), list(r)))
        (vs, v), (ks, k), (hs, h) = got
        assert len(v) == len(k) == len(h)
        assert ks == ["null", "string"]
        assert hs == {"type": "array", "items": {
            "type": "record", "name": "ConnectDefault", "namespace": "io.confluent.connect.avro",
            "fields": [{"name": "key", "type": "string"}, {"name": "value", "type": "string"}]}}
        assert vs["name"] == "Anything"  # schemaless JSON values
        seqs += [next(e["value"]["long"] for e in r["map"] if e["key"]["string"] == "seq")
                 for r in v]
        keys += k
        hdrs += h
    assert seqs == written()
    assert keys == [f"dev-{i % 5}" for i in written()]
    assert hdrs == [headers_of(i) for i in written()]


def test_avro_key_avrodata_refuses_is_reported_first(kafka, connect_c, tmp_path, unique_name):
    """A key whose Connect schema AvroData refuses (a struct a.K holding another struct a.K:
    "Can't redefine") is reported before anything of its record is written, as a null key is:
    the DLQ gets it at once (no replay of the set), the other records' values and keys are
    written, row for row."""
    fastavro = pytest.importorskip("fastavro")
    inner = {"type": "struct", "name": "a.K", "optional": False,
             "fields": [{"field": "y", "type": "int32", "optional": False}]}
    bad_schema = {"type": "struct", "name": "a.K", "optional": False,
                  "fields": [{"field": "in", "optional": False, **inner}]}
    good_schema = {"type": "struct", "name": "a.G", "optional": False,
                   "fields": [{"field": "id", "type": "int32", "optional": False}]}
    recs = []
    for i in range(12):
        key = {"schema": bad_schema, "payload": {"in": {"y": i}}} if i in (3, 8) else \
            {"schema": good_schema, "payload": {"id": i}}
        recs.append({"value": {"seq": i}, "key": json.dumps(key), "partition": 0,
                     "headers": [("h", b"v")]})
    topic, cname, dlq = unique_name("khbad"), unique_name("s3khbad"), unique_name("khbd")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, recs)
    root = tmp_path / "store"
    w = connect_c()
    w.create_connector(cname, config(topic, dlq, AVRO, JSON, **{
        "store.url": f"file://{root}", "format.class": AVRO, "flush.size": "10",
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "key.converter.schemas.enable": "true"}))
    bad = kafka.consume(dlq, count=2, timeout=kc.scaled(30))
    assert sorted(json.loads(r.value)["seq"] for r in bad) == [3, 8]
    # ten records written (3 and 8 reported): flush.size closes the set after offset 11
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 12,
                  timeout=kc.scaled(60), what="the set committed")
    d = root / "raw" / topic / "partition=0"
    with open(d / f"{topic}+0+0000000000.keys.avro", "rb") as f:
        keys = list(fastavro.reader(f))
    assert keys == [{"id": i} for i in range(12) if i not in (3, 8)]


def test_bytearray_keys_format_is_a_400(connect_c, tmp_path, unique_name):
    """store.kafka.keys=true with keys.format.class ByteArrayFormat (not written): a 400 on
    keys.format.class, in the JVM's shape, from POST /connectors and from validate."""
    w = connect_c()
    cfg = config("t", "d", BYTES, PARQUET, **{"store.url": f"file://{tmp_path}"})
    r = w.post("/connectors", json={"name": unique_name("bad"), "config": cfg})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error_code"] == 400
    assert body["message"].startswith("Connector configuration is invalid and contains the "
                                      "following 1 error(s):")
    assert "not io.confluent.connect.s3.format.bytearray.ByteArrayFormat" in body["message"]
    v = w.put(f"/connector-plugins/{S3_CLASS}/config/validate", json=dict(cfg, name="x")).json()
    errs = {c["value"]["name"]: c["value"]["errors"] for c in v["configs"] if c["value"]["errors"]}
    assert list(errs) == ["keys.format.class"], errs
    # keys not stored: the format is not looked at
    ok = dict(cfg, **{"store.kafka.keys": "false"})
    v = w.put(f"/connector-plugins/{S3_CLASS}/config/validate", json=dict(ok, name="x")).json()
    assert v["error_count"] == 0, v


def test_kill9_keys_and_headers_rewritten_the_same(kafka, connect_c, tmp_path, unique_name):
    """kill -9 mid-stream with keys and headers stored: after the restart every object from
    before is there byte for byte, and every values file has its keys and headers files with
    the same rows, each record once."""
    topic, cname = unique_name("khkill"), unique_name("s3khkill")
    root = tmp_path / "store"
    kafka.create_topic(topic, partitions=1)
    n = 6000
    recs = [{"value": {"seq": i}, "key": f"k{i}", "partition": 0,
             "headers": [("h", f"v{i}".encode())]} for i in range(n)]
    w = connect_c()
    cfg = config(topic, unique_name("d"), PARQUET, JSON, **{"store.url": f"file://{root}",
                                                            "flush.size": "250"})
    w.create_connector(cname, cfg)
    w.wait_running(cname)
    # 2,900 first: 11 sets committed, the 12th open (150 records) when the worker is killed
    kafka.produce_records(topic, recs[:2900])
    group = f"connect-{cname}"
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0), 0) == 2750,
                  timeout=kc.scaled(120), what="11 sets committed")
    kc.wait_until(lambda: len(list(root.rglob("*.inprogress"))) == 3, timeout=kc.scaled(30),
                  what="the open set's values, keys and headers files")
    w.kill()
    before = {f.relative_to(root): f.read_bytes() for f in root.rglob("*")
              if f.is_file() and not f.name.endswith(".inprogress")}
    assert len(before) == 33
    kafka.produce_records(topic, recs[2900:])
    w.start()
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == n,
                  timeout=kc.scaled(180), what="all committed after the restart")
    after = {f.relative_to(root): f.read_bytes() for f in root.rglob("*") if f.is_file()}
    for k, v in before.items():
        assert after.get(k) == v, k
    assert not [k for k in after if k.name.endswith(".inprogress")]
    seqs, keys, hdrs = [], [], []
    for v in sorted(k for k in after if k.name.endswith("0.snappy.parquet")):
        base = str(v)[:-len(".snappy.parquet")]
        rows = pq.read_table(root / v).column("seq").to_pylist()
        kl = (root / (base + ".keys.snappy.parquet"))
        hl = (root / (base + ".headers.json")).read_text().splitlines()
        kk = pq.read_table(kl).column("key").to_pylist()
        assert len(rows) == len(kk) == len(hl) == 250, v
        seqs += rows
        keys += kk
        hdrs += [json.loads(x)["headers"][0]["value"] for x in hl]
    assert seqs == list(range(n))
    assert keys == [f"k{i}" for i in range(n)]
    assert hdrs == [f"v{i}" for i in range(n)]


def test_tombstones_written_as_keys(kafka, connect_c, tmp_path, unique_name):
    """behavior.on.null.values=write: a tombstone's key and headers go to the keys and headers
    files of the `tombstone` partition (Confluent's TombstoneSupportedPartitioner), with no
    values file there; it counts in flush.size; a tombstone without a key goes to the DLQ."""
    root = tmp_path / "store"
    n, bad = 24, 11
    recs = [{"value": None if i % 4 == 3 else {"seq": i}, "partition": 0,
             "key": None if i == bad else f"k{i}", "headers": [("h", f"v{i}".encode())]}
            for i in range(n)]
    topic, cname, dlq = unique_name("khtomb"), unique_name("s3khtomb"), unique_name("khtd")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, recs)
    w = connect_c()
    w.create_connector(cname, config(topic, dlq, PARQUET, PARQUET, **{
        "store.url": f"file://{root}", "behavior.on.null.values": "write"}))
    # sets of 10 written records: [0, 10) and [10, 21) (11 reported) committed, 21-23 open
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 21,
                  timeout=kc.scaled(90), what="two sets committed")
    assert [(r.key, r.value, r.headers) for r in kafka.consume(dlq, count=1)] == \
        [(None, None, [("h", f"v{bad}")])]
    top = root / "raw" / topic
    done = sorted(str(p.relative_to(top)) for p in top.rglob("*")
                  if p.is_file() and not p.name.endswith(".inprogress"))
    f = f"{topic}+0+"
    assert done == sorted(
        [f"partition=0/{f}0000000000{x}.snappy.parquet" for x in ("", ".keys", ".headers")]
        + [f"partition=0/{f}0000000010{x}.snappy.parquet" for x in ("", ".keys", ".headers")]
        + [f"tombstone/{f}0000000003{x}.snappy.parquet" for x in (".keys", ".headers")]
        + [f"tombstone/{f}0000000015{x}.snappy.parquet" for x in (".keys", ".headers")]), done
    for start, offs in (("0000000003", [3, 7]), ("0000000015", [15, 19])):
        keys = pq.read_table(top / "tombstone" / f"{f}{start}.keys.snappy.parquet")
        assert keys.column("key").to_pylist() == [f"k{i}" for i in offs]
        hdrs = pq.read_table(top / "tombstone" / f"{f}{start}.headers.snappy.parquet")
        assert hdrs.column("headers").to_pylist() == [[{"key": "h", "value": f"v{i}"}]
                                                      for i in offs]
    vals = pq.read_table(top / "partition=0" / f"{f}0000000010.snappy.parquet")
    assert vals.column("seq").to_pylist() == [10, 12, 13, 14, 16, 17, 18, 20]
    keys = pq.read_table(top / "partition=0" / f"{f}0000000010.keys.snappy.parquet")
    assert keys.column("key").to_pylist() == [f"k{i}" for i in (10, 12, 13, 14, 16, 17, 18, 20)]
