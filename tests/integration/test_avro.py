"""io.confluent.connect.avro.AvroConverter against a real Schema Registry.

The registry is Apicurio Registry 2.4.2.Final (built from Maven Central by services.sh
fetch-registry), which serves the Confluent Schema Registry API under /apis/ccompat/v7. Schemas
are registered there over HTTP, records are Confluent-framed Avro (magic byte 0, 4-byte schema id,
Avro binary written by fastavro), and connect-c's FileStreamSink writes String.valueOf(value) of
what the converter made: compared with hand-written Struct/List/Map toString strings, and in
test_avro_matches_jvm byte for byte with the JVM worker running Apicurio's AvroConverter (a fork
of Confluent's AvroData) on the same records. Confluent's own AvroConverter cannot run in the JVM
reference: its jars are not on Maven Central.

Basic auth: Apicurio only does basic auth through an OIDC server, so the registry sits behind a
small proxy in this file that requires `Authorization: Basic` and forwards to it; the proxy also
counts the schema fetches (the cache) and serves https for the truststore test.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import http.server
import io
import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import kc

fastavro = pytest.importorskip("fastavro")

USER, PASSWORD = "avro-user", "regPw5521xq"  # the password appears nowhere else: leak check

SCHEMA = {
    "type": "record", "name": "Order", "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": "string"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal",
                                    "precision": 10, "scale": 2}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "int"}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "status", "type": {"type": "enum", "name": "Status",
                                    "symbols": ["NEW", "PAID", "SHIPPED"]}},
        {"name": "ship", "type": ["null", {"type": "record", "name": "Ship", "fields": [
            {"name": "city", "type": "string"}, {"name": "express", "type": "boolean"}]}],
         "default": None},
        {"name": "ratio", "type": "double"},
        {"name": "alt", "type": ["int", "string"]},
    ],
}

RECORDS = [
    ({"id": 1, "customer": "Ada", "amount": decimal.Decimal("12.34"),
      "day": datetime.date(1970, 1, 2), "tags": ["a", "b"], "attrs": {"n": 3},
      "note": None, "status": "PAID", "ship": {"city": "Paris", "express": True}, "ratio": 0.5,
      "alt": 7},
     "Struct{id=1,customer=Ada,amount=12.34,day=Fri Jan 02 00:00:00 UTC 1970,tags=[a, b],"
     "attrs={n=3},status=PAID,ship=Struct{city=Paris,express=true},ratio=0.5,"
     "alt=Struct{int=7}}"),
    ({"id": -9000000000, "customer": "żółć ☃", "amount": decimal.Decimal("-0.05"),
      "day": datetime.date(2024, 2, 29), "tags": [], "attrs": {},
      "note": "call first", "status": "NEW", "ship": None, "ratio": 1e21, "alt": "x"},
     "Struct{id=-9000000000,customer=żółć ☃,amount=-0.05,day=Thu Feb 29 00:00:00 UTC 2024,"
     "tags=[],attrs={},note=call first,status=NEW,ratio=1.0E21,alt=Struct{string=x}}"),
]

SCHEMA_V2 = {"type": "record", "name": "Ping", "fields": [
    {"name": "seq", "type": "int"},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}


def frame(schema_id: int, schema: dict, datum: dict) -> bytes:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, fastavro.parse_schema(schema), datum)
    return b"\x00" + schema_id.to_bytes(4, "big") + buf.getvalue()


class AuthProxy:
    """HTTP proxy to the registry that requires basic auth and counts GET /schemas/ids/."""

    def __init__(self, upstream: str, tls: tuple[Path, Path] | None = None):
        self.upstream = upstream.rstrip("/")
        self.fetches: list[str] = []
        self.rejected = 0
        want = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                if self.headers.get("Authorization") != want:
                    proxy.rejected += 1
                    body = b'{"error_code":401,"message":"Unauthorized"}'
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if "/schemas/ids/" in self.path:
                    proxy.fetches.append(self.path)
                try:
                    with urllib.request.urlopen(proxy.upstream + self.path, timeout=30) as r:
                        status, body = r.status, r.read()
                except urllib.error.HTTPError as e:
                    status, body = e.code, e.read()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:  # (certificate chain PEM, key PEM)
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    run = tmp_path_factory.mktemp("registry")
    svc = kc.Services(run)
    env = svc.start_registry()
    try:
        yield env["KC_REGISTRY_URL"]
    finally:
        svc.stop_one("registry")


@pytest.fixture
def proxy(registry):
    p = AuthProxy(registry)
    yield p
    p.close()


def register(url: str, subject: str, schema: dict) -> int:
    req = urllib.request.Request(
        f"{url}/subjects/{subject}/versions", method="POST",
        data=json.dumps({"schema": json.dumps(schema)}).encode(),
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())["id"]


def consume_binary(kafka, topic: str, n: int) -> list[tuple[bytes, dict[str, str]]]:
    """n records of topic from the start: (value bytes, headers decoded as UTF-8)."""
    from confluent_kafka import Consumer  # type: ignore

    c = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": kc.unique("avro-read"),
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    got: list[tuple[bytes, dict[str, str]]] = []

    def more():
        m = c.poll(0.5)
        if m is not None and m.error() is None:
            got.append((m.value(), {k: (v or b"").decode() for k, v in (m.headers() or [])}))
        return len(got) >= n

    try:
        kc.wait_until(more, timeout=60, interval=0, what=f"{n} records in {topic}")
    finally:
        c.close()
    return got


def avro_sink(topic: str, out: Path, registry_url: str, **extra) -> dict:
    cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
           "file": str(out),
           "value.converter": "io.confluent.connect.avro.AvroConverter",
           "value.converter.schema.registry.url": registry_url,
           "value.converter.basic.auth.credentials.source": "USER_INFO",
           "value.converter.basic.auth.user.info": f"{USER}:{PASSWORD}"}
    cfg.update(extra)
    return cfg


def test_avro_records_through_filestream_sink(kafka, connect_c, registry, proxy, tmp_path,
                                              unique_name):
    topic = unique_name("avro")
    sid = register(registry, f"{topic}-value", SCHEMA)
    sid2 = register(registry, f"{topic}-ping-value", SCHEMA_V2)
    assert sid != sid2
    values = [frame(sid, SCHEMA, d) for d, _ in RECORDS] * 3
    values.append(frame(sid2, SCHEMA_V2, {"seq": 5, "at": 86400000}))
    values.append(None)  # a tombstone: FileStreamSink writes "null"
    kafka.produce_records(topic, [{"value": v} for v in values])
    expect = [want for _, want in RECORDS] * 3 + [
        "Struct{seq=5,at=Fri Jan 02 00:00:00 UTC 1970}", "null"]

    # a wrong password first: the task fails with the registry's answer, password not shown
    w = connect_c()
    bad_out = tmp_path / "bad.txt"
    cfg = avro_sink(topic, bad_out, proxy.url)
    cfg["value.converter.basic.auth.user.info"] = f"{USER}:wrong-{PASSWORD[::-1]}"
    w.create_connector("avro-badauth", cfg)
    st = kc.wait_until(lambda: (s := w.status("avro-badauth"))["tasks"]
                       and s["tasks"][0]["state"] == "FAILED" and s, timeout=60,
                       what="task FAILED on a 401")
    trace = st["tasks"][0].get("trace", "")
    assert "Unauthorized; error code: 401" in trace, trace[:2000]
    assert f"Error retrieving Avro value schema for id {sid}" in trace
    assert proxy.rejected >= 1
    w.delete("/connectors/avro-badauth")

    out = tmp_path / "out.txt"
    w.create_connector("avro-sink", avro_sink(topic, out, proxy.url))
    kc.wait_until(lambda: len(kc.complete_lines(out)) >= len(expect), timeout=60,
                  what=f"{len(expect)} lines")
    assert out.read_text(encoding="utf-8").splitlines() == expect
    # one fetch per schema id: the rest came from the cache
    ids = sorted(p.rsplit("/", 1)[1].split("?")[0] for p in proxy.fetches)
    assert ids == sorted([str(sid), str(sid2)]), proxy.fetches
    log = w.log_text()
    assert PASSWORD not in log and PASSWORD[::-1] not in log


def test_avro_bad_records_go_to_dlq(kafka, connect_c, registry, tmp_path, unique_name):
    topic = unique_name("avrodlq")
    dlq = unique_name("avrodlq-dlq")
    sid = register(registry, f"{topic}-value", SCHEMA)
    good = frame(sid, SCHEMA, RECORDS[0][0])
    truncated = good[:20]
    values = [good, b"\x01garbage", truncated, b"\x00\x00\x0f\x42\x3f\x02", good]
    kafka.produce_records(topic, [{"value": v} for v in values])
    w = connect_c()
    out = tmp_path / "out.txt"
    # no auth on the registry itself: the URL source with no user info sends none
    cfg = avro_sink(topic, out, registry + "/", **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"})
    del cfg["value.converter.basic.auth.credentials.source"]
    del cfg["value.converter.basic.auth.user.info"]
    w.create_connector("avro-dlq", cfg)
    kc.wait_until(lambda: len(kc.complete_lines(out)) >= 2, timeout=60, what="2 good lines")
    assert out.read_text(encoding="utf-8").splitlines() == [RECORDS[0][1]] * 2
    recs = consume_binary(kafka, dlq, 3)
    assert [v for v, _ in recs] == [values[1], values[2], values[3]]
    msgs = []
    for _, h in recs:
        assert h["__connect.errors.exception.class.name"] == \
            "org.apache.kafka.connect.errors.DataException"
        assert h["__connect.errors.stage"] == "VALUE_CONVERTER"
        assert h["__connect.errors.class.name"] == "io.confluent.connect.avro.AvroConverter"
        msgs.append(h["__connect.errors.exception.message"])
    prefix = f"Failed to deserialize data for topic {topic} to Avro: "
    assert all(m.startswith(prefix) for m in msgs), msgs
    assert "Unknown magic byte!" in msgs[0]
    assert f"Error deserializing Avro message for id {sid}" in msgs[1]
    assert "Error retrieving Avro value schema for id 999999" in msgs[2]
    assert w.status("avro-dlq")["tasks"][0]["state"] == "RUNNING"


def test_avro_unknown_schema_fails_task(kafka, connect_c, registry, tmp_path, unique_name):
    topic = unique_name("avrofail")
    kafka.produce_records(topic, [{"value": b"\x00\x00\x0f\x42\x3f\x02"}])  # id 999999
    w = connect_c()
    cfg = avro_sink(topic, tmp_path / "out.txt", registry)
    del cfg["value.converter.basic.auth.credentials.source"]
    del cfg["value.converter.basic.auth.user.info"]
    w.create_connector("avro-fail", cfg)
    st = kc.wait_until(lambda: (s := w.status("avro-fail"))["tasks"]
                       and s["tasks"][0]["state"] == "FAILED" and s, timeout=60,
                       what="task FAILED")
    trace = st["tasks"][0].get("trace", "")
    assert "Error retrieving Avro value schema for id 999999" in trace, trace[:2000]
    assert "error code: 40403" in trace


def test_avro_cache_bound(kafka, connect_c, registry, proxy, tmp_path, unique_name):
    """max.schemas.per.subject=1: the first id stays cached, the other is fetched per record."""
    topic = unique_name("avrocache")
    sid = register(registry, f"{topic}-value", SCHEMA)
    sid2 = register(registry, f"{topic}-ping-value", SCHEMA_V2)
    ping = frame(sid2, SCHEMA_V2, {"seq": 1, "at": 0})
    order = frame(sid, SCHEMA, RECORDS[0][0])
    kafka.produce_records(topic, [{"value": v} for v in (order, ping, order, ping, ping)])
    w = connect_c()
    out = tmp_path / "out.txt"
    w.create_connector("avro-cache", avro_sink(topic, out, proxy.url, **{
        "value.converter.max.schemas.per.subject": "1"}))
    kc.wait_until(lambda: len(kc.complete_lines(out)) >= 5, timeout=60, what="5 lines")
    p = "Struct{seq=1,at=Thu Jan 01 00:00:00 UTC 1970}"
    assert out.read_text(encoding="utf-8").splitlines() == [RECORDS[0][1], p, RECORDS[0][1], p, p]
    ids = [x.rsplit("/", 1)[1].split("?")[0] for x in proxy.fetches]
    assert ids == [str(sid), str(sid2), str(sid2), str(sid2)], proxy.fetches
    assert "schema cache full" in w.log_text()


# ----------------------------------------------------------------------------------------------
# Against the JVM. Confluent's AvroConverter cannot run there (its jars are not on Maven Central),
# but Apicurio's io.apicurio.registry.utils.converter.AvroConverter can: it reads the same wire
# format (as-confluent, content ids) through its fork of Confluent's AvroData, so the JVM's
# FileStreamSink output for the same records is the reference for ours. bytes/fixed are left out:
# the JVM prints a byte[] as its identity hash. Floats are ones whose Float.toString is the same on
# the reference JVM (JDK 17 here) and JDK 19+ (shortest digits, what cdata prints): JDK 17 prints
# -3.25e10f as -3.25000008E10.

ITEM = {"type": "record", "name": "Item", "fields": [
    {"name": "name", "type": "string"}, {"name": "qty", "type": "int"}]}
DIFF_SCHEMA = {
    "type": "record", "name": "Everything", "namespace": "diff",
    "fields": [
        {"name": "b", "type": "boolean"},
        {"name": "i8", "type": {"type": "int", "connect.type": "int8"}},
        {"name": "i16", "type": {"type": "int", "connect.type": "int16"}},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "Suit",
                               "symbols": ["HEARTS", "SPADES", "CLUBS"]}},
        {"name": "dt", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "tsu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "tmu", "type": {"type": "long", "logicalType": "time-micros"}},
        {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal",
                                 "precision": 20, "scale": 4}},
        {"name": "items", "type": {"type": "array", "items": ITEM}},
        {"name": "m", "type": {"type": "map", "values": "string"}},
        {"name": "mm", "type": {"type": "map", "values": {"type": "array", "items": "long"}}},
        {"name": "small", "type": {"type": "map", "values": "int"}},
        {"name": "opt", "type": ["null", "long"], "default": None},
        {"name": "optitem", "type": ["null", "Item"], "default": None},
        {"name": "u", "type": ["null", "string", "long", "Item", "Suit"], "default": None},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "byname", "type": {"type": "map", "values": "Item"}},
            {"name": "flag", "type": ["boolean", "null"]}]}},
    ],
}


def diff_records() -> list[dict]:
    utc = datetime.timezone.utc
    out = []
    for i in range(6):
        out.append({
            "b": i % 2 == 0, "i8": (i * 37) % 128 - 64, "i16": i * 1000 - 2500,
            "i": i * 7919 - 20000,
            "l": (i - 3) * 123456789012345, "f": [0.1, 1.5, -65536.5, 1e-7, 0.0, 1.6777216e7][i],
            "d": [0.1, 1e21, -0.0, 123456789.125, 2.5e-300, 1.0][i],
            "s": ["", "plain", "żółć ☃ 😀", "quote\"back\\slash", "tab\tnew\nline", "x" * 200][i],
            "e": ["HEARTS", "SPADES", "CLUBS"][i % 3],
            "dt": datetime.date(1970 + i * 20, 1 + i, 1 + i * 4),
            "tm": datetime.time(i * 3, i * 9, i * 7, i * 1000),
            "ts": datetime.datetime(2000 + i, 2, 28, 23, 59, 59, 999000, tzinfo=utc),
            "tsu": datetime.datetime(1969, 12, 31, 23, 59, 58, 123456, tzinfo=utc)
            if i == 0 else datetime.datetime(2024, 1, 1, 0, 0, i, 654321, tzinfo=utc),
            "tmu": datetime.time(23, 59, 59, 999999 - i),
            "dec": decimal.Decimal(["0", "-1.5", "12345678.9012", "0.0001", "-99999999.9999",
                                    "3"][i]),
            "items": [{"name": f"it{k}", "qty": k} for k in range(i)],
            "m": {f"key{k}": f"v{k * i}" for k in range(i * 4)},
            "mm": {f"a{k}": list(range(k)) for k in range(i)},
            # a, b, e: a HashMap of AvroData's size (4 buckets) iterates a, e, b; a default one
            # (16 buckets) a, b, e
            "small": {"a": 1, "b": 2, "e": 3} if i < 3 else {"e": 3, "b": 2, "a": 1},
            "opt": None if i % 2 else i * 1000,
            "optitem": None if i % 3 else {"name": "only", "qty": -i},
            "u": [None, "str", 42, {"name": "in-union", "qty": 1}, "CLUBS", "again"][i],
            "inner": {"byname": {f"n{k}": {"name": f"n{k}", "qty": k} for k in range(i % 4)},
                      "flag": [True, None, False][i % 3]},
        })
    return out


def test_avro_matches_jvm(kafka, connect_c, jvm_connect, registry, tmp_path, unique_name):
    topic = unique_name("avrojvm")
    sid = register(registry, f"{topic}-value", DIFF_SCHEMA)
    recs = diff_records()
    kafka.produce_records(topic, [{"value": frame(sid, DIFF_SCHEMA, r)} for r in recs]
                          + [{"value": None}])
    cache = Path(os.environ.get("KC_CACHE") or Path.home() / ".cache" / "connect-c")
    plugins = cache / "apicurio-registry-2.4.2.Final" / "converter"
    if not (plugins / "apicurio" / ".complete").is_file():
        pytest.fail(f"no Apicurio converter in {plugins}: run tests/integration/services.sh "
                    "fetch-registry (scripts/setup.sh does)")
    c = connect_c()
    j = jvm_connect(props={"plugin.path": str(plugins)})
    base = registry.rsplit("/apis/", 1)[0]
    outs = {}
    for who, w, conv in (
            ("c", c, {"value.converter": "io.confluent.connect.avro.AvroConverter",
                      "value.converter.schema.registry.url": registry}),
            ("jvm", j, {"value.converter": "io.apicurio.registry.utils.converter.AvroConverter",
                        "value.converter.apicurio.registry.url": base + "/apis/registry/v2",
                        "value.converter.apicurio.registry.as-confluent": "true",
                        "value.converter.apicurio.registry.use-id": "contentId",
                        "value.converter.apicurio.registry.headers.enabled": "false"})):
        out = tmp_path / f"{who}.txt"
        cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
               "file": str(out), **conv}
        w.create_connector(kc.unique("avrodiff"), cfg)
        kc.wait_until(lambda: len(kc.complete_lines(out)) >= len(recs) + 1, timeout=90,
                      what=f"{len(recs) + 1} lines from {who}")
        outs[who] = out.read_bytes()
    assert outs["c"].decode().splitlines() == outs["jvm"].decode().splitlines()
    assert outs["c"] == outs["jvm"]


def test_avro_https_registry_with_jks_truststore(kafka, connect_c, registry, tmp_path,
                                                  unique_name):
    """schema.registry.ssl.truststore.*: a JKS store holding the CA of an https registry."""
    for tool in ("openssl", "keytool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found (scripts/setup.sh installs openssl and the JRE)")

    def run(*cmd):
        subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True)

    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=connect-c avro test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out",
        "srv.csr", "-subj", "/CN=127.0.0.1")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "san.ext")
    store_pw = "tsPw8812qk"
    run("keytool", "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", "trust.jks",
        "-storepass", store_pw, "-alias", "ca", "-file", "ca.pem")
    proxy = AuthProxy(registry, tls=(tmp_path / "srv.pem", tmp_path / "srv.key"))
    try:
        topic = unique_name("avrotls")
        sid = register(registry, f"{topic}-value", SCHEMA)
        kafka.produce_records(topic, [{"value": frame(sid, SCHEMA, d)} for d, _ in RECORDS])
        w = connect_c()
        # the system CAs do not know ours: the task fails on the TLS handshake
        w.create_connector("avro-notrust", avro_sink(topic, tmp_path / "no.txt", proxy.url))
        st = kc.wait_until(lambda: (s := w.status("avro-notrust"))["tasks"]
                           and s["tasks"][0]["state"] == "FAILED" and s, timeout=60,
                           what="task FAILED without the truststore")
        trace = st["tasks"][0].get("trace", "")
        assert f"Error retrieving Avro value schema for id {sid}" in trace, trace[:2000]
        assert "certificate" in trace.lower() or "ssl" in trace.lower(), trace[:2000]
        out = tmp_path / "out.txt"
        w.create_connector("avro-trust", avro_sink(topic, out, proxy.url, **{
            "value.converter.schema.registry.ssl.truststore.location": str(tmp_path / "trust.jks"),
            "value.converter.schema.registry.ssl.truststore.password": store_pw,
            "value.converter.schema.registry.ssl.truststore.type": "JKS"}))
        kc.wait_until(lambda: len(kc.complete_lines(out)) >= len(RECORDS), timeout=60,
                      what="records over https")
        assert out.read_text(encoding="utf-8").splitlines() == [want for _, want in RECORDS]
        assert proxy.fetches, "no schema fetched through the https proxy"
        log = w.log_text()
        assert PASSWORD not in log and store_pw not in log
    finally:
        proxy.close()
