"""The S3 sink against MinIO, the server the user pipelines run, with server-side encryption on.
S3Proxy answers 501 to the encryption headers, so this is where they are tried for real: MinIO
(services.sh start-minio, a static KMS key `kc-test-key`) encrypts what the sink asks it to and
refuses a key it does not have.

- The seed scenario (pipelines.md 5) with `s3.ssea.name=AES256` (SSE-S3): every object is
  listed through the S3 API, HEAD says it is encrypted, and the objects, fetched through
  pyarrow's S3 filesystem, are read by pyarrow and DuckDB (per-device p95, counts per hour).
- SSE-KMS (`aws:kms` with `s3.sse.kms.key.id`) on a multipart upload: the key id goes on
  CreateMultipartUpload, HEAD names it, every row is there, no upload is left open.
- An unknown KMS key id: MinIO refuses the upload (404 kms:KeyNotFound), and as with
  Confluent's sink (S3ErrorUtils: what the AWS SDK would not retry is a ConnectException) the
  task fails at once with MinIO's code and message in its trace; no offset is committed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import quote

import pyarrow.parquet as pq
import pytest

import kc
from test_s3_sink import (check_duckdb, check_parquet, iot_events, list_keys, make_bucket,
                          multipart_run, produce_split, s3_curl, s3_options, sink_config)

HERE = Path(__file__).resolve().parent
SERVICES = HERE.parent / "services.sh"
DEFAULT_PARTITIONER = "io.confluent.connect.storage.partitioner.DefaultPartitioner"


@pytest.fixture(scope="module")
def minio(tmp_path_factory):
    run = tmp_path_factory.mktemp("minio")
    try:
        out = subprocess.run([str(SERVICES), "start-minio", str(run)], check=True, text=True,
                             capture_output=True, timeout=kc.scaled(1800)).stdout
        yield dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    finally:
        subprocess.run([str(SERVICES), "stop", str(run)], check=False, timeout=120)


def head(env: dict, path: str) -> dict[str, str]:
    """HEAD of an object through the S3 API: its headers, names lower-cased. The path goes
    percent-encoded (`=` and `+` too), as curl signs it."""
    path = quote(path, safe="/")
    r = subprocess.run(
        ["curl", "-sS", "-I", "--aws-sigv4", "aws:amz:us-east-1:s3",
         "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", "-u",
         f"{env['KC_S3_ACCESS_KEY']}:{env['KC_S3_SECRET_KEY']}", env["KC_S3_ENDPOINT"] + path],
        capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    assert lines and " 200" in lines[0], r.stdout + r.stderr
    return {k.strip().lower(): v.strip() for k, v in
            (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}


def fetch(env: dict, bucket: str, keys: list[str], into: Path) -> list[Path]:
    """The objects, through pyarrow's S3 filesystem, under `into` at their keys' paths."""
    import pyarrow.fs as pafs
    fs = pafs.S3FileSystem(access_key=env["KC_S3_ACCESS_KEY"], secret_key=env["KC_S3_SECRET_KEY"],
                           region="us-east-1", scheme="http",
                           endpoint_override=env["KC_S3_ENDPOINT"].split("://", 1)[1])
    out = []
    for k in keys:
        dst = into / k
        dst.parent.mkdir(parents=True, exist_ok=True)
        with fs.open_input_file(f"{bucket}/{k}") as f:
            dst.write_bytes(f.read())
        out.append(dst)
    return out


def test_seed_iot_on_minio_with_sse_s3(kafka, connect_c, minio, unique_name, tmp_path):
    make_bucket(minio, "iot-data")
    topic, cname = unique_name("iot-events"), unique_name("s3sse")
    kafka.create_topic(topic, partitions=3)
    events = iot_events(3000)
    produce_split(kafka, topic, events, 3)  # 1000 per partition: every set of 100 completes
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **s3_options(minio), **{"s3.ssea.name": "AES256"}))
    w.wait_running(cname)
    kc.wait_until(lambda: sum(kafka.committed_offsets(f"connect-{cname}").values()) == 3000,
                  timeout=kc.scaled(120), what="all 3000 records committed")
    keys = list_keys(minio, "iot-data", f"raw/{topic}/")
    assert keys and all("/year=2025/month=07/day=28/hour=" in k for k in keys), keys
    assert all(k.rsplit("/", 1)[1].startswith(f"{topic}+") and k.endswith(".snappy.parquet")
               for k in keys), keys
    for k in keys:
        assert head(minio, f"/iot-data/{k}").get("x-amz-server-side-encryption") == "AES256", k
    files = fetch(minio, "iot-data", keys, tmp_path)
    check_parquet(files, events)
    check_duckdb(tmp_path, events)
    assert minio["KC_S3_SECRET_KEY"] not in w.log_text()


def test_sse_kms_multipart_on_minio(kafka, connect_c, minio, unique_name, tmp_path):
    bucket, topic, events = multipart_run(
        kafka, connect_c, minio, unique_name, "kms", seed=11,
        **{"s3.ssea.name": "aws:kms", "s3.sse.kms.key.id": minio["KC_S3_KMS_KEY_ID"]})
    n = len(events)
    key = f"raw/{topic}/partition=0/{topic}+0+0000000000.parquet"
    assert list_keys(minio, bucket, f"raw/{topic}/") == [key]
    h = head(minio, f"/{bucket}/{key}")
    assert h.get("x-amz-server-side-encryption") == "aws:kms", h
    assert h.get("x-amz-server-side-encryption-aws-kms-key-id", "").endswith(
        minio["KC_S3_KMS_KEY_ID"]), h
    assert int(h["content-length"]) > 5 * 1024 * 1024  # so it could only go up in parts
    assert re.search(r"-\d+\"?$", h.get("etag", "")), h  # a multipart object's ETag: "<md5>-<parts>"
    (f,) = fetch(minio, bucket, [key], tmp_path)
    t = pq.read_table(f)
    assert t.num_rows == n and sorted(t.column("seq").to_pylist()) == list(range(n))
    assert t.column("pad").to_pylist()[4321] == events[4321]["pad"]
    r = s3_curl(minio, "GET", f"/{bucket}?uploads=")
    assert r.stdout.strip().endswith("200"), r.stdout
    assert re.search(r"<Upload>", r.stdout) is None, r.stdout  # nothing left half-uploaded


def test_unknown_kms_key_fails_the_task_and_commits_nothing(kafka, connect_c, minio,
                                                            unique_name):
    bucket = "kmsbad-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(minio, bucket)
    topic, cname = unique_name("iot-kmsbad"), unique_name("s3kmsbad")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps({"seq": i, "device_id": "d"}) for i in range(50)],
                  partition=0)
    w = connect_c()
    w.create_connector(cname, sink_config(
        topic, **s3_options(minio), **{
            "s3.bucket.name": bucket, "flush.size": "50", "partitioner.class": DEFAULT_PARTITIONER,
            "timestamp.extractor": "Record", "s3.ssea.name": "aws:kms",
            "s3.sse.kms.key.id": "no-such-key"}))

    def failed():
        st = w.get(f"/connectors/{cname}/status").json()
        tasks = st.get("tasks") or []
        return tasks[0] if tasks and tasks[0]["state"] == "FAILED" else None

    task = kc.wait_until(failed, timeout=kc.scaled(120), what="the task to fail")
    # S3's code and message, as Confluent's ConnectException carries the SDK's
    assert "HTTP 404 kms:KeyNotFound: key with given key ID does not exist" in task["trace"], \
        task["trace"][:2000]
    assert "ConnectException" in task["trace"]
    assert list_keys(minio, bucket, "") == []
    assert kafka.committed_offsets(f"connect-{cname}").get((topic, 0), 0) == 0


def test_object_tagging_on_minio(kafka, connect_c, minio, unique_name):
    """s3.object.tagging: each values object carries Confluent's startOffset, endOffset (its
    last record's) and recordCount tags, then s3.object.tagging.key.value.pairs; GET ?tagging
    through the S3 API shows them. Keys files are not tagged, as Confluent's are not."""
    bucket = "tags-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(minio, bucket)
    topic, cname = unique_name("iot-tags"), unique_name("s3tags")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps({"seq": i}) for i in range(25)], keys=[f"k{i}" for i in
                                                                          range(25)], partition=0)
    w = connect_c()
    w.create_connector(cname, sink_config(topic, **s3_options(minio), **{
        "s3.bucket.name": bucket, "flush.size": "10", "partitioner.class": DEFAULT_PARTITIONER,
        "timestamp.extractor": "Record", "s3.object.tagging": "true",
        "s3.object.tagging.key.value.pairs": "team:data, env:a+b=c.d_e:f/g@h",
        "store.kafka.keys": "true", "keys.format.class":
            "io.confluent.connect.s3.format.json.JsonFormat",
        "key.converter": "org.apache.kafka.connect.storage.StringConverter"}))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 20,
                  timeout=kc.scaled(120), what="two sets committed")
    keys = list_keys(minio, bucket, f"raw/{topic}/")
    p = f"raw/{topic}/partition=0/{topic}+0+"
    assert keys == [f"{p}0000000000.keys.json", f"{p}0000000000.snappy.parquet",
                    f"{p}0000000010.keys.json", f"{p}0000000010.snappy.parquet"], keys
    for start in (0, 10):
        r = s3_curl(minio, "GET", quote(f"/{bucket}/{p}{start:010d}.snappy.parquet", safe="/")
                    + "?tagging=")
        body, status = r.stdout.rsplit("\n", 1)
        assert status == "200", r.stdout
        assert "Unable to tag" not in w.log_text(), [l for l in w.log_text().splitlines()
                                                     if "tag" in l]
        tags = dict(re.findall(r"<Tag><Key>([^<]*)</Key><Value>([^<]*)</Value></Tag>", body))
        assert tags == {"startOffset": str(start), "endOffset": str(start + 9),
                        "recordCount": "10", "team": "data", "env": "a+b=c.d_e:f/g@h"}, body
        r = s3_curl(minio, "GET", quote(f"/{bucket}/{p}{start:010d}.keys.json", safe="/")
                    + "?tagging=")
        assert "<Tag>" not in r.stdout, r.stdout
