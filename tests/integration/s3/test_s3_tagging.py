"""s3.object.behavior.on.tagging.error against a server without tagging: S3Proxy answers
PutObjectTagging with 501 NotImplemented. With `ignore` (Confluent's default) the objects are
committed and the task logs Confluent's "Unable to tag S3 object ... Ignoring."; with `fail`
the task fails with it (the tags themselves are checked on MinIO, test_s3_minio.py)."""

from __future__ import annotations

import json

import kc
from test_s3_sink import list_keys, make_bucket, s3, s3_options  # noqa: F401 (s3: fixture)

S3_CLASS = "io.confluent.connect.s3.S3SinkConnector"


def config(topic: str, env: dict, bucket: str, on_error: str) -> dict:
    return {"connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10",
            "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false", **s3_options(env),
            "s3.object.tagging": "true", "s3.object.behavior.on.tagging.error": on_error}


def test_tagging_errors_ignored_or_failing(kafka, connect_c, s3, unique_name):
    bucket = "tagerr-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(s3, bucket)
    topic = unique_name("tagerr")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps({"seq": i}) for i in range(20)], partition=0)
    w = connect_c()
    ok = unique_name("s3tagign")
    w.create_connector(ok, config(topic, s3, bucket, "IGNORE"))
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{ok}").get((topic, 0)) == 20,
                  timeout=kc.scaled(90), what="all committed, tags refused")
    assert list_keys(s3, bucket, f"topics/{topic}/") == [
        f"topics/{topic}/partition=0/{topic}+0+{o:010d}.json" for o in (0, 10)]
    kc.wait_until(lambda: w.log_text().count("Unable to tag S3 object") >= 2,
                  timeout=kc.scaled(30), what="the tagging failures logged")
    assert "NotImplemented" in w.log_text() and "Ignoring." in w.log_text()
    bad = unique_name("s3tagfail")
    w.create_connector(bad, config(topic, s3, bucket, "fail") |
                       {"topics.dir": "other"})

    def failed():
        t = w.status(bad).get("tasks", [])
        return t and t[0]["state"] == "FAILED" and t[0]
    t = kc.wait_until(failed, timeout=kc.scaled(60), what="task FAILED")
    assert "Unable to tag S3 object other/" in t["trace"] and "501" in t["trace"], t["trace"]
    assert kafka.committed_offsets(f"connect-{bad}").get((topic, 0)) is None
