"""Aiven's S3 sink class (io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector) on the same
sink: its keys, file.name.template names, and the rows Aiven writes ({key, offset, timestamp,
headers, value} as format.output.fields), on S3Proxy (Parquet, read back by pyarrow and DuckDB)
and on the local store (JSON lines). Invalid configurations get the JVM's 400 per key."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import kc
from test_s3_sink import SERVICES, make_bucket, list_keys

AIVEN = "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"
T0 = int(datetime(2025, 7, 28, 13, 0, tzinfo=timezone.utc).timestamp() * 1000)
VSCHEMA = {"type": "struct", "name": "reading", "optional": False, "fields": [
    {"field": "device_id", "type": "string", "optional": False},
    {"field": "value", "type": "double", "optional": False},
    {"field": "seq", "type": "int64", "optional": False}]}


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    run = tmp_path_factory.mktemp("s3proxy-aiven")
    out = subprocess.run([str(SERVICES), "start-s3", str(run)], check=True, text=True,
                         capture_output=True, timeout=kc.scaled(600)).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    yield env
    subprocess.run([str(SERVICES), "stop", str(run)], check=False, timeout=120)


def records(n: int, envelope: bool) -> list[dict]:
    out = []
    for i in range(n):
        v = {"device_id": f"dev-{i % 4}", "value": i * 0.5, "seq": i}
        out.append({"key": f"k{i % 4}", "partition": 0, "timestamp": T0 + i * 60_000,
                    "headers": [("source", b"sensor"), ("n", str(i).encode())],
                    "value": {"schema": VSCHEMA, "payload": v} if envelope else v})
    return out


def base_config(topic: str, **extra) -> dict:
    cfg = {"connector.class": AIVEN, "tasks.max": "1", "topics": topic,
           "key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "value.converter": "org.apache.kafka.connect.json.JsonConverter",
           "aws.s3.bucket.name": "aiven-data", "aws.s3.region": "eu-west-1"}
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def test_aiven_parquet_on_s3proxy(kafka, connect_c, s3, unique_name):
    make_bucket(s3, "aiven-data")
    bucket_dir = Path(s3["KC_S3_DATA"]) / "aiven-data"
    topic, cname = unique_name("aiven-pq"), unique_name("aiven")
    kafka.create_topic(topic, partitions=1)
    recs = records(250, envelope=True)
    kafka.produce_records(topic, recs)
    w = connect_c()
    w.create_connector(cname, base_config(
        topic, **{"aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
                  "aws.secret.access.key": s3["KC_S3_SECRET_KEY"],
                  "aws.s3.endpoint": s3["KC_S3_ENDPOINT"], "aws.s3.prefix": "aiven/",
                  "format.output.type": "parquet", "file.compression.type": "snappy",
                  "format.output.fields": "key,offset,timestamp,headers,value",
                  "file.max.records": "100", "file.name.timestamp.source": "EVENT",
                  "file.flush.interval.ms": "3000",
                  "file.name.template": "{{topic}}/{{timestamp:unit=yyyy}}-{{timestamp:unit=MM}}/"
                                        "{{topic}}-{{partition:padding=true}}-"
                                        "{{start_offset:padding=true}}.parquet"}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 250,
                  timeout=kc.scaled(120), what="all 250 committed (max records + flush interval)")
    assert s3["KC_S3_SECRET_KEY"] not in w.log_text()
    assert s3["KC_S3_ACCESS_KEY"] not in w.log_text()
    keys = list_keys(s3, "aiven-data", "aiven/")
    want = [f"aiven/{topic}/2025-07/{topic}-{0:010d}-{o:020d}.parquet" for o in (0, 100, 200)]
    assert keys == want
    files = [bucket_dir / k for k in keys]
    t = pq.read_table(files[0])
    # Aiven's layout: record connector_records {key, offset, timestamp, headers, value}
    assert t.schema.names == ["key", "offset", "timestamp", "headers", "value"]
    assert t.schema.field("offset").type == pa.int64() and not t.schema.field("offset").nullable
    assert t.schema.field("timestamp").type == pa.int64()
    assert t.schema.field("key").type == pa.string()
    assert pa.types.is_map(t.schema.field("headers").type)
    vt = t.schema.field("value").type
    assert pa.types.is_struct(vt) and [vt.field(i).name for i in range(vt.num_fields)] == \
        ["device_id", "value", "seq"]
    assert pq.ParquetFile(files[0]).metadata.row_group(0).column(0).compression == "SNAPPY"
    rows = t.to_pylist()
    assert rows[5]["key"] == "k1" and rows[5]["offset"] == 5
    assert rows[5]["timestamp"] == T0 + 5 * 60_000
    assert dict(rows[5]["headers"]) == {"source": "sensor", "n": "5"}
    assert rows[5]["value"] == {"device_id": "dev-1", "value": 2.5, "seq": 5}
    glob = str(bucket_dir / "aiven" / topic / "**" / "*.parquet")
    n, distinct, total = duckdb.sql(
        f"SELECT count(*), count(DISTINCT \"offset\"), sum(value.seq) "
        f"FROM read_parquet('{glob}')").fetchall()[0]
    assert (n, distinct, total) == (250, 250, sum(range(250)))


def test_aiven_jsonl_on_local_store(kafka, connect_c, tmp_path, unique_name):
    root = tmp_path / "store"
    topic, cname = unique_name("aiven-jl"), unique_name("aivenjl")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, records(30, envelope=False))
    w = connect_c()
    w.create_connector(cname, base_config(
        topic, **{"store.url": f"file://{root}", "format.output.type": "jsonl",
                  "file.compression.type": "none", "file.max.records": "10",
                  "format.output.fields": "value,key,timestamp,headers,offset",
                  "value.converter.schemas.enable": "false"}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 30,
                  timeout=kc.scaled(120), what="all 30 committed")
    names = sorted(p.name for p in root.rglob("*") if p.is_file())
    assert names == [f"{topic}-0-0", f"{topic}-0-10", f"{topic}-0-20"]
    lines = (root / f"{topic}-0-10").read_text().splitlines()
    assert len(lines) == 10
    row = json.loads(lines[1])
    assert list(row) == ["value", "key", "timestamp", "headers", "offset"]
    assert row["value"] == {"device_id": "dev-3", "value": 5.5, "seq": 11}
    assert row["key"] == "k3" and row["offset"] == 11
    assert row["timestamp"] == "2025-07-28T13:11:00Z"
    assert row["headers"] == [{"key": "source", "value": "sensor"}, {"key": "n", "value": 11}]  # SimpleHeaderConverter: int


@pytest.mark.parametrize("key,value,needle", [
    ("file.name.template", "{{topic}}-{{start_offset}}", "unsupported set of template variables"),
    ("file.name.template", "{{topic}}-{{partition}}-{{start_offset:padding=yes}}", "padding"),
    ("file.name.template", "{{topic}}-{{partition}}-{{start_offset}}-{{timestamp}}", "unit"),
    ("format.output.fields", "value,nope", "Supported values are"),
    ("format.output.type", "xml", "String must be one of"),
    ("format.output.type", "avro", "avro is not written by connect-c yet"),
    ("file.compression.type", "lz4", "supported values are"),
    ("file.max.records", "-1", "must be a non-negative integer number"),
    ("format.output.envelope", "false", "Cannot disable envelope"),
])
def test_aiven_invalid_config_400(connect_c, tmp_path, unique_name, key, value, needle):
    w = connect_c()
    cfg = base_config("t", **{"store.url": f"file://{tmp_path}", "format.output.type": "jsonl",
                              "file.compression.type": "none",
                              "format.output.fields": "key,value"})
    cfg[key] = value
    r = w.post("/connectors", json={"name": unique_name("bad"), "config": cfg})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error_code"] == 400
    assert body["message"].startswith("Connector configuration is invalid and contains the "
                                      "following 1 error(s):")
    assert needle in body["message"]
    v = w.put(f"/connector-plugins/{AIVEN}/config/validate", json=dict(cfg, name="x")).json()
    errs = {c["value"]["name"]: c["value"]["errors"] for c in v["configs"] if c["value"]["errors"]}
    assert list(errs) == [key], errs
    assert needle in errs[key][0]


def test_aiven_key_template_overwrites_on_s3proxy(kafka, connect_c, s3, unique_name):
    """{{key}}: one object per key with its latest record (unconditional PUT), replaced by the
    next interval's."""
    make_bucket(s3, "aiven-keys")
    bucket_dir = Path(s3["KC_S3_DATA"]) / "aiven-keys"
    topic, cname = unique_name("aiven-key"), unique_name("aivenkey")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, records(30, envelope=False))
    w = connect_c()
    group = f"connect-{cname}"
    w.create_connector(cname, base_config(
        topic, **{"aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
                  "aws.secret.access.key": s3["KC_S3_SECRET_KEY"],
                  "aws.s3.endpoint": s3["KC_S3_ENDPOINT"], "aws.s3.bucket.name": "aiven-keys",
                  "format.output.type": "jsonl", "file.compression.type": "none",
                  "file.prefix.template": f"{topic}/", "file.name.template": "{{key}}.jsonl",
                  "file.flush.interval.ms": "1000", "value.converter.schemas.enable": "false"}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 30,
                  timeout=kc.scaled(60), what="all 30 committed")
    keys = list_keys(s3, "aiven-keys", f"{topic}/")
    assert keys == [f"{topic}/k{i}.jsonl" for i in range(4)]
    # records i % 4: the latest of k1 is 29, of k0 28
    rows = {k: json.loads((bucket_dir / k).read_text()) for k in keys}
    assert rows[f"{topic}/k1.jsonl"] == {"value": {"device_id": "dev-1", "value": 14.5, "seq": 29}}
    assert rows[f"{topic}/k0.jsonl"]["value"]["seq"] == 28
    more = records(34, envelope=False)[30:]
    for r in more:
        r["key"] = "k0"
    kafka.produce_records(topic, more)
    kc.wait_until(lambda: kafka.committed_offsets(group).get((topic, 0)) == 34,
                  timeout=kc.scaled(60), what="the next interval committed")
    kc.wait_until(lambda: json.loads((bucket_dir / f"{topic}/k0.jsonl").read_text())
                  ["value"]["seq"] == 33, timeout=kc.scaled(10), what="k0 overwritten")
    assert list_keys(s3, "aiven-keys", f"{topic}/") == keys


def snappy_java_cat(files: list[str], out: Path) -> None:
    """Decompress snappy-java streams with snappy-java itself (SnappyJavaCat.java, the jar from
    the JVM worker's Kafka libraries in the project cache) into out."""
    cache = Path(os.environ.get("KC_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or
                                                    Path.home() / ".cache") / "connect-c")
    jars = sorted(cache.glob("kafka-*/lib/snappy-java-*.jar")) + \
        sorted(cache.glob("connect-*/lib/snappy-java-*.jar"))
    assert jars, f"no snappy-java jar under {cache} (services.sh fetches Kafka's libraries)"
    java = os.environ.get("JAVA", "java")
    p = subprocess.run([java, "-cp", str(jars[0]), str(Path(__file__).with_name(
        "SnappyJavaCat.java")), *files], capture_output=True, timeout=kc.scaled(120))
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
    out.write_bytes(p.stdout)


@pytest.mark.parametrize("codec,ext,duck", [(None, ".gz", "gzip"), ("zstd", ".zst", "zstd"),
                                            ("snappy", ".snappy", None)])
def test_aiven_compressed_jsonl_on_s3proxy(kafka, connect_c, s3, unique_name, tmp_path, codec,
                                           ext, duck):
    """jsonl through file.compression.type: unset is Aiven's default, gzip (the ".gz"
    template); zstd gives ".zst", snappy ".snappy" (snappy-java's SnappyOutputStream format).
    Each object on S3Proxy is read back by DuckDB's read_json with that compression (snappy:
    decompressed by snappy-java's SnappyInputStream first): every record once, the rows Aiven
    writes."""
    bucket = f"aiven-{codec or 'default'}"
    make_bucket(s3, bucket)
    bucket_dir = Path(s3["KC_S3_DATA"]) / bucket
    topic, cname = unique_name("aiven-z"), unique_name("aivenz")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, records(30, envelope=False))
    cfg = base_config(topic, **{"aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
                                "aws.secret.access.key": s3["KC_S3_SECRET_KEY"],
                                "aws.s3.endpoint": s3["KC_S3_ENDPOINT"],
                                "aws.s3.bucket.name": bucket, "format.output.type": "jsonl",
                                "file.max.records": "10", "format.output.fields": "value,offset",
                                "value.converter.schemas.enable": "false"})
    if codec is not None:
        cfg["file.compression.type"] = codec
    w = connect_c()
    w.create_connector(cname, cfg)
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 30,
                  timeout=kc.scaled(120), what="all 30 committed")
    keys = list_keys(s3, bucket, f"{topic}-")
    assert keys == [f"{topic}-0-{s}{ext}" for s in (0, 10, 20)]
    files = [str(bucket_dir / k) for k in keys]
    if duck is None:
        plain = tmp_path / "snappy-java.jsonl"
        snappy_java_cat(files, plain)
        files, duck = [str(plain)], "none"
    n, distinct, total = duckdb.sql(
        f"SELECT count(*), count(DISTINCT \"offset\"), sum(value.seq) FROM read_json({files}, "
        f"format='newline_delimited', compression='{duck}')").fetchall()[0]
    assert (n, distinct, total) == (30, 30, sum(range(30)))


BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"


def csv_records() -> list[dict]:
    """30 records for Aiven's csv: binary values, a tombstone (7), a null key (12), one record
    without headers (20) and a header with a ':' and a ';' in it."""
    out = []
    for i in range(30):
        hs = [("src", b"s\x00:" + bytes([i])), ("n;x", str(i).encode())] if i != 20 else None
        out.append({"key": None if i == 12 else f"k{i % 4}".encode(), "partition": 0,
                    "timestamp": T0 + i * 60_000, "headers": hs,
                    "value": None if i == 7 else bytes([i, 0, 255]) + f"v{i},\n".encode()})
    return out


def test_aiven_csv_default_on_s3proxy(kafka, connect_c, s3, unique_name):
    """format.output.type unset: Aiven's default csv, gzip'd (its default file.compression.type,
    the ".gz" template). Byte converters throughout; every field base64 but offset and
    timestamp; a tombstone's value and a null key are empty; headers base64(key):base64(value);
    rows joined by a newline, none after the last. Decoded here and read by DuckDB's read_csv."""
    make_bucket(s3, "aiven-csv")
    bucket_dir = Path(s3["KC_S3_DATA"]) / "aiven-csv"
    topic, cname = unique_name("aiven-csv"), unique_name("aivencsv")
    kafka.create_topic(topic, partitions=1)
    recs = csv_records()
    kafka.produce_records(topic, recs)
    cfg = base_config(topic, **{"aws.access.key.id": s3["KC_S3_ACCESS_KEY"],
                                "aws.secret.access.key": s3["KC_S3_SECRET_KEY"],
                                "aws.s3.endpoint": s3["KC_S3_ENDPOINT"],
                                "aws.s3.bucket.name": "aiven-csv", "file.max.records": "10",
                                "format.output.fields": "key,value,offset,timestamp,headers",
                                "key.converter": BYTES, "value.converter": BYTES,
                                "header.converter": BYTES})
    w = connect_c()
    w.create_connector(cname, cfg)
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 30,
                  timeout=kc.scaled(120), what="all 30 committed")
    keys = list_keys(s3, "aiven-csv", f"{topic}-")
    assert keys == [f"{topic}-0-{s}.gz" for s in (0, 10, 20)]
    rows = []
    for k in keys:
        text = gzip.decompress((bucket_dir / k).read_bytes()).decode("ascii")
        assert not text.endswith("\n")
        rows += text.split("\n")
    assert len(rows) == 30
    b64 = base64.b64encode
    for i, (row, r) in enumerate(zip(rows, recs)):
        key, value, offset, ts, headers = row.split(",")
        assert key == ("" if r["key"] is None else b64(r["key"]).decode()), i
        assert value == ("" if r["value"] is None else b64(r["value"]).decode()), i
        assert (int(offset), int(ts)) == (i, r["timestamp"])
        want = "".join(f"{b64(hk.encode()).decode()}:{b64(hv).decode()};"
                       for hk, hv in r["headers"] or [])
        assert headers == want, i
    files = [str(bucket_dir / k) for k in keys]
    got = duckdb.sql(
        f"SELECT count(*), count(DISTINCT c2), sum(c2), count(c0), count(c1) FROM read_csv("
        f"{files}, header=false, compression='gzip', delim=',', quote='', escape='', "
        f"columns={{'c0':'VARCHAR','c1':'VARCHAR','c2':'BIGINT','c3':'BIGINT',"
        f"'c4':'VARCHAR'}})").fetchall()[0]
    assert got == (30, 30, sum(range(30)), 29, 29)  # a null key and a tombstone read as NULL


def test_aiven_csv_value_none_on_local_store(kafka, connect_c, tmp_path, unique_name):
    """fields=value with value encoding none: the value bytes as they are, one per line."""
    root = tmp_path / "store"
    topic, cname = unique_name("aiven-raw"), unique_name("aivenraw")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, [{"key": None, "value": f"line {i}".encode(), "partition": 0}
                                  for i in range(12)])
    w = connect_c()
    w.create_connector(cname, base_config(
        topic, **{"store.url": f"file://{root}", "format.output.type": "csv",
                  "file.compression.type": "none", "file.max.records": "5",
                  "format.output.fields.value.encoding": "none", "value.converter": BYTES}))
    w.wait_running(cname)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 10,
                  timeout=kc.scaled(120), what="two files committed")
    assert (root / f"{topic}-0-0").read_bytes() == b"\n".join(
        f"line {i}".encode() for i in range(5))
    assert (root / f"{topic}-0-5").read_bytes() == b"\n".join(
        f"line {i}".encode() for i in range(5, 10))


def test_aiven_csv_refuses_text_values(kafka, connect_c, tmp_path, unique_name):
    """csv needs a BYTES value schema (Aiven's AbstractValuePlainWriter): StringConverter values
    go to the DLQ under errors.tolerance=all with Aiven's message, byte values are written."""
    root = tmp_path / "store"
    topic, cname, dlq = unique_name("aiven-txt"), unique_name("aiventxt"), unique_name("txtdlq")
    kafka.create_topic(topic, partitions=1)
    kafka.produce_records(topic, [{"key": None, "value": f"v{i}".encode(), "partition": 0}
                                  for i in range(4)])
    w = connect_c()
    w.create_connector(cname, base_config(
        topic, **{"store.url": f"file://{root}", "file.compression.type": "none",
                  "file.max.records": "2", "value.converter": kc_string(),
                  "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
                  "errors.deadletterqueue.topic.replication.factor": "1",
                  "errors.deadletterqueue.context.headers.enable": "true"}))
    w.wait_running(cname)
    bad = kafka.consume(dlq, count=4)
    assert [r.value for r in bad] == [f"v{i}" for i in range(4)]
    msg = dict(bad[0].headers)["__connect.errors.exception.message"]
    assert "Record value schema type must be BYTES, STRING given" in msg
    assert not any(p.is_file() for p in root.rglob("*"))


def kc_string() -> str:
    return "org.apache.kafka.connect.storage.StringConverter"
