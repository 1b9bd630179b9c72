"""Differential REST test: the same scripted requests go to connect-c and to the JVM Connect
4.1.0 worker (same broker, each with its own group and topics); status codes and normalised
bodies must be equal. Every accepted difference is listed in KNOWN with its reason, and a test
fails if a listed difference disappears (so the list stays true)."""

from __future__ import annotations

import json
import re
import time

import pytest

import kc

FS = kc.FILE_SINK

# step -> (what may differ, why). "body": status codes must match, bodies may differ.
# "plugins": JVM-only plugins (FileStreamSource, its transforms/predicates we don't ship) are
# removed from the JVM's list before comparing.
KNOWN = {
    "plugins": ("plugins", "the JVM image also ships FileStreamSourceConnector (a source "
                           "connector; connect-c is a sink-only worker)"),
    "plugins-all": ("plugins", "connect-c does not ship source connectors, SMTs or predicates "
                               "yet; converters are compared"),
    "create-unknown-class": ("body", "the JVM lists every installed plugin as PluginDesc{...}; "
                                     "ours lists our plugins in the same format"),
    "logger-put-root": ("body", "the JVM's loggers are its log4j class loggers, ours the worker's "
                                "facility loggers (herder, task, ...); each lists the ones whose "
                                "level changed"),
}


def steps(topic: str, tmp: str):
    def c(file, **extra):
        d = {"connector.class": FS, "tasks.max": "1", "topics": topic, "file": f"{tmp}/{file}"}
        d.update(extra)
        return d
    J = "application/json"
    SC = "org.apache.kafka.connect.storage.StringConverter"
    JC = "org.apache.kafka.connect.json.JsonConverter"
    VAL = "/connector-plugins/FileStreamSinkConnector/config/validate"
    return [
        ("root-keys", "GET", "/", None, None),
        ("root-cluster-id", "GET", "/", None, None),
        ("list-empty", "GET", "/connectors", None, None),
        ("plugins", "GET", "/connector-plugins", None, None),
        ("plugins-all", "GET", "/connector-plugins?connectorsOnly=false", None, None),
        ("plugin-config", "GET", "/connector-plugins/FileStreamSink/config", None, None),
        ("plugin-config-full", "GET", f"/connector-plugins/{FS}/config", None, None),
        ("plugin-config-unknown", "GET", "/connector-plugins/Nope/config", None, None),
        ("validate-ok", "PUT", "/connector-plugins/FileStreamSinkConnector/config/validate",
         c("v.txt"), J),
        ("validate-missing-topics", "PUT",
         "/connector-plugins/FileStreamSinkConnector/config/validate",
         {k: v for k, v in c("v.txt").items() if k != "topics"}, J),
        ("validate-both", "PUT", "/connector-plugins/FileStreamSinkConnector/config/validate",
         c("v.txt", **{"topics.regex": "x.*"}), J),
        # a converter set in the connector config: its own keys are listed as the JVM's
        # validateConverterConfig lists them (converter.type, encoding, schemas.enable, ...)
        ("validate-string-converter", "PUT", VAL,
         c("v.txt", **{"key.converter": SC, "value.converter": "StringConverter",
                       "value.converter.converter.encoding": "UTF-16"}), J),
        ("validate-json-converter", "PUT", VAL,
         c("v.txt", **{"key.converter": JC, "key.converter.schemas.enable": "false",
                       "value.converter": "JsonConverter",
                       "value.converter.decimal.format": "numeric"}), J),
        ("validate-json-converter-bad", "PUT", VAL,
         c("v.txt", **{"value.converter": JC, "value.converter.schemas.enable": "maybe",
                       "value.converter.decimal.format": "FOO",
                       "value.converter.schemas.cache.size": "many",
                       "value.converter.converter.type": "sideways"}), J),
        ("validate-primitive-converters", "PUT", VAL,
         c("v.txt", **{"key.converter": "org.apache.kafka.connect.converters.IntegerConverter",
                       "value.converter": "ByteArrayConverter", "header.converter": SC}), J),
        ("validate-header-converter", "PUT", VAL,
         c("v.txt", **{"header.converter":
                       "org.apache.kafka.connect.storage.SimpleHeaderConverter"}), J),
        ("validate-mismatch", "PUT",
         "/connector-plugins/FileStreamSourceConnector/config/validate", c("v.txt"), J),
        ("create", "POST", "/connectors", {"name": "fsink", "config": c("fsink.txt")}, J),
        ("create-dup", "POST", "/connectors", {"name": "fsink", "config": c("fsink.txt")}, J),
        ("create-bad-json", "POST", "/connectors", '{"name": "x", "config": {', J),
        ("create-text-plain", "POST", "/connectors", {"name": "x", "config": c("x.txt")},
         "text/plain"),
        ("create-missing-name", "POST", "/connectors", {"config": c("x.txt")}, J),
        ("create-no-class", "POST", "/connectors", {"name": "x", "config": {"topics": topic}},
         J),
        ("create-unknown-class", "POST", "/connectors",
         {"name": "x", "config": {**c("x.txt"), "connector.class": "com.example.Nope"}}, J),
        ("create-invalid", "POST", "/connectors",
         {"name": "x", "config": {k: v for k, v in c("x.txt").items() if k != "topics"}}, J),
        ("create-name-mismatch", "POST", "/connectors",
         {"name": "x", "config": {**c("x.txt"), "name": "y"}}, J),
        ("create-paused", "POST", "/connectors",
         {"name": "fsink-paused", "config": c("p.txt"), "initial_state": "PAUSED"}, J),
        ("put-create", "PUT", "/connectors/fsink-put/config", c("put.txt"), J),
        ("wait", None, "fsink-put", None, None),
        ("put-update", "PUT", "/connectors/fsink-put/config", c("put2.txt"), J),
        ("patch-config", "PATCH", "/connectors/fsink-put/config",
         {"file": f"{tmp}/put3.txt", "tasks.max": None}, J),
        ("patch-unknown", "PATCH", "/connectors/nope/config", {"file": "x"}, J),
        ("wait", None, "fsink", None, None),
        ("wait", None, "fsink-put", None, None),
        ("list", "GET", "/connectors", None, None),
        ("list-status", "GET", "/connectors?expand=status", None, None),
        ("list-info", "GET", "/connectors?expand=info", None, None),
        ("list-both", "GET", "/connectors?expand=status&expand=info", None, None),
        ("info", "GET", "/connectors/fsink", None, None),
        ("config", "GET", "/connectors/fsink/config", None, None),
        ("status", "GET", "/connectors/fsink/status", None, None),
        ("status-paused", "GET", "/connectors/fsink-paused/status", None, None),
        ("tasks", "GET", "/connectors/fsink/tasks", None, None),
        ("task-status", "GET", "/connectors/fsink/tasks/0/status", None, None),
        ("task-status-unknown", "GET", "/connectors/fsink/tasks/5/status", None, None),
        ("unknown-connector", "GET", "/connectors/nope", None, None),
        ("unknown-status", "GET", "/connectors/nope/status", None, None),
        ("unknown-route", "GET", "/nope", None, None),
        ("unknown-subroute", "GET", "/connectors/fsink/nope", None, None),
        ("wrong-method", "DELETE", "/connectors", None, None),
        ("wrong-method-2", "POST", "/connectors/fsink", None, None),
        ("wait-offsets", None, "fsink", None, None),
        ("offsets-running", "GET", "/connectors/fsink/offsets", None, None),
        ("offsets-delete-running", "DELETE", "/connectors/fsink/offsets", None, None),
        ("pause", "PUT", "/connectors/fsink/pause", None, None),
        ("pause-unknown", "PUT", "/connectors/nope/pause", None, None),
        ("resume", "PUT", "/connectors/fsink/resume", None, None),
        ("wait", None, "fsink", None, None),
        ("restart", "POST", "/connectors/fsink/restart", None, None),
        ("wait", None, "fsink", None, None),
        # right after the pause the tasks are PAUSED together with the connector
        ("pause-observe", None, "fsink", None, None),
        ("resume-2", "PUT", "/connectors/fsink/resume", None, None),
        ("wait", None, "fsink", None, None),
        ("restart-unknown", "POST", "/connectors/nope/restart", None, None),
        ("task-restart-unknown", "POST", "/connectors/fsink/tasks/9/restart", None, None),
        ("topics", "GET", "/connectors/fsink/topics", None, None),
        ("fence", "PUT", "/connectors/fsink/fence", None, None),
        ("stop", "PUT", "/connectors/fsink/stop", None, None),
        ("status-stopped", "GET", "/connectors/fsink/status", None, None),
        ("tasks-stopped", "GET", "/connectors/fsink/tasks", None, None),
        ("offsets-stopped", "GET", "/connectors/fsink/offsets", None, None),
        ("offsets-patch", "PATCH", "/connectors/fsink/offsets",
         {"offsets": [{"partition": {"kafka_topic": topic, "kafka_partition": 0},
                       "offset": {"kafka_offset": 2}}]}, J),
        ("offsets-after-patch", "GET", "/connectors/fsink/offsets", None, None),
        ("offsets-patch-empty", "PATCH", "/connectors/fsink/offsets", {}, J),
        ("offsets-patch-empty-list", "PATCH", "/connectors/fsink/offsets", {"offsets": []}, J),
        ("offsets-patch-bad-partition", "PATCH", "/connectors/fsink/offsets",
         {"offsets": [{"partition": {"topic": topic}, "offset": {"kafka_offset": 1}}]}, J),
        ("offsets-delete", "DELETE", "/connectors/fsink/offsets", None, None),
        ("offsets-after-delete", "GET", "/connectors/fsink/offsets", None, None),
        ("offsets-unknown", "GET", "/connectors/nope/offsets", None, None),
        ("loggers-root", "GET", "/admin/loggers/root", None, None),
        ("logger-unknown", "GET", "/admin/loggers/com.example.nope", None, None),
        ("logger-bad-level", "PUT", "/admin/loggers/org.apache.kafka", {"level": "LOUD"}, J),
        ("logger-no-level", "PUT", "/admin/loggers/org.apache.kafka", {}, J),
        # the answer lists every logger whose level the PUT changed (and one it created)
        ("logger-put-new", "PUT", "/admin/loggers/com.example.diff", {"level": "DEBUG"}, J),
        ("logger-put-same", "PUT", "/admin/loggers/com.example.diff", {"level": "debug"}, J),
        ("logger-put-child", "PUT", "/admin/loggers/com.example.diff.child", {"level": "DEBUG"},
         J),
        ("logger-put-parent", "PUT", "/admin/loggers/com.example.diff", {"level": "WARN"}, J),
        ("logger-put-parent-again", "PUT", "/admin/loggers/com.example.diff", {"level": "WARN"},
         J),
        ("logger-put-root", "PUT", "/admin/loggers/root", {"level": "INFO"}, J),
        ("logger-put-root-again", "PUT", "/admin/loggers/root", {"level": "INFO"}, J),
        ("delete", "DELETE", "/connectors/fsink", None, None),
        ("delete-again", "DELETE", "/connectors/fsink", None, None),
        ("wait-gone", None, "fsink", None, None),
        ("status-deleted", "GET", "/connectors/fsink/status", None, None),
    ]


def normalise(text: str, w: kc.Rest, tmp: str, topic: str):
    port = w.url.rsplit(":", 1)[1]
    text = text.replace(tmp, "{TMP}").replace(f"127.0.0.1:{port}", "{WORKER}")
    try:
        body = json.loads(text) if text else None
    except ValueError:
        return text
    return body


def canon(body):
    """Order-insensitive where the JVM's order is a HashMap's: lists of names, object keys."""
    if isinstance(body, dict):
        return {k: canon(v) for k, v in body.items()}
    if isinstance(body, list):
        items = [canon(x) for x in body]
        try:
            return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
        except TypeError:
            return items
    return body


def first_diff(a, b, path="$"):
    """Where two JSON values first differ, for a readable failure."""
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'ours' if k in a else 'jvm'}"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def run(w: kc.Rest, topic: str, tmp: str):
    out = {}
    for name, method, path, body, ctype in steps(topic, tmp):
        if method is None and name == "wait-gone":
            # the JVM shows UNASSIGNED for a moment after DELETE, until its status tombstone
            kc.wait_until(lambda: w.get(f"/connectors/{path}/status").status_code == 404,
                          timeout=30, what="status gone after delete")
            continue
        if method is None and name == "wait-offsets":
            kc.wait_until(lambda: w.get(f"/connectors/{path}/offsets").json()["offsets"],
                          timeout=60, what="committed offsets")
            continue
        if method is None and name == "pause-observe":
            # the first status that shows the connector PAUSED: its tasks must show it too
            assert w.put(f"/connectors/{path}/pause").status_code == 202
            def paused():
                st = w.get(f"/connectors/{path}/status").json()
                return st if st["connector"]["state"] == "PAUSED" else None
            st = kc.wait_until(paused, timeout=30, interval=0.02, what="connector PAUSED")
            out[name] = (200, {"connector": st["connector"]["state"],
                               "tasks": [t["state"] for t in st["tasks"]]})
            continue
        if method is None:
            w.wait_running(path, timeout=60)
            continue
        # A fresh connection per request: after a 4xx it answers without reading the body (415,
        # for one), the JVM's Jetty closes the connection without saying "Connection: close", and
        # a client reusing it races that close (seen in CI: RemoteDisconnected on the next POST).
        headers = {"Connection": "close"}
        data = None
        if body is not None:
            data = body if isinstance(body, str) else json.dumps(body)
            headers["Content-Type"] = ctype
        r = w.request(method, path, data=data, headers=headers)
        out[name] = (r.status_code, normalise(r.text, w, tmp, topic))
        if name.startswith(("stop", "pause", "resume")):
            time.sleep(kc.scaled(1.5))
    return out


# Native sinks whose JVM plugin the reference worker does not install (it has connect-file
# only): removed from our list before comparing. Each is compared with its JVM connector's
# documented keys in its own tests.
# Our native sinks: the reference JVM image ships only connect-file, so these are left out of the
# plugin lists compared (their own tests check how they are listed and validated).
NATIVE_SINKS = {"io.confluent.connect.s3.S3SinkConnector", "io.questdb.kafka.QuestDBSinkConnector",
                "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
                "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector"}


# Plugins connect-c ships that the reference JVM worker cannot load: Confluent's AvroConverter jars
# are not on Maven Central. Dropped from our answers (plugin lists, recommended converter values).
NOT_IN_JVM_IMAGE = {"io.confluent.connect.avro.AvroConverter"}


def drop_not_in_jvm_image(body):
    if isinstance(body, list):
        return [drop_not_in_jvm_image(x) for x in body
                if not (isinstance(x, str) and x in NOT_IN_JVM_IMAGE)
                and not (isinstance(x, dict) and x.get("class") in NOT_IN_JVM_IMAGE)]
    if isinstance(body, dict):
        return {k: drop_not_in_jvm_image(v) for k, v in body.items()}
    return body


def drop_native_sinks(body):
    """Ours without our native sinks and without Debezium's transforms, which the plain JVM
    worker here lacks (test_smt_differential.py compares them with Debezium installed)."""
    if not isinstance(body, list):
        return body
    return [p for p in body if p.get("class") not in NATIVE_SINKS
            and not p.get("class", "").startswith("io.debezium.")]


def drop_jvm_only_plugins(body, ours=None):
    """The JVM's list without what connect-c does not ship (source connectors, SMTs we have not
    written yet); everything connect-c lists must be in the JVM's list too."""
    if not isinstance(body, list):
        return body
    have = {p.get("class") for p in ours} if isinstance(ours, list) else None
    return [p for p in body if "FileStreamSource" not in p.get("class", "")
            and (have is None or p.get("class") in have)]


def test_rest_matches_jvm(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    topic = unique_name("diff")
    kafka.produce_lines(topic, 5, fmt='{{"id":{i}}}')
    ours_tmp, jvm_tmp = tmp_path / "c", tmp_path / "j"
    ours_tmp.mkdir()
    jvm_tmp.mkdir()
    # GET / names the cluster even when asked while the worker is still starting (the JVM
    # looks the id up before it serves REST)
    c = connect_c(start=False)
    c.start(wait=False)
    early = kc.wait_until(lambda: c.get("/", timeout=30), timeout=30, interval=0.05,
                          what="GET / answering")
    assert early.status_code == 200 and early.json()["kafka_cluster_id"], early.text
    c.wait_ready()
    j = jvm_connect()
    ours = run(c, topic, str(ours_tmp))
    theirs = run(j, topic, str(jvm_tmp))
    problems = []
    for name, (code, body) in theirs.items():
        ocode, obody = ours[name]
        obody = drop_not_in_jvm_image(obody)
        kind = KNOWN.get(name, (None, ""))[0]
        if name == "root-cluster-id":
            # same broker: the same cluster id, never null
            body = body.get("kafka_cluster_id") if isinstance(body, dict) else body
            obody = obody.get("kafka_cluster_id") if isinstance(obody, dict) else obody
            if not obody:
                problems.append(f"{name}: kafka_cluster_id is {obody!r}")
        if name == "root-keys":
            body = sorted(body) if isinstance(body, dict) else body
            obody = sorted(obody) if isinstance(obody, dict) else obody
        if kind == "plugins":
            obody = drop_native_sinks(obody)
            body = drop_jvm_only_plugins(body, obody)
        if ocode != code:
            problems.append(f"{name}: status {ocode} != JVM {code}\n  ours: {obody}\n  jvm:  {body}")
            continue
        if kind == "body":
            if canon(obody) == canon(body):
                problems.append(f"{name}: listed in KNOWN but now identical; drop it from KNOWN")
            continue
        if canon(obody) != canon(body):
            problems.append(f"{name}: body differs at {first_diff(canon(obody), canon(body))}")
    assert not problems, "\n".join(problems)
