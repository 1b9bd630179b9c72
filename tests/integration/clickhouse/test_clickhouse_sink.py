"""The ClickHouse sink (connectors/clickhouse/clickhouse.c) end to end: records produced to the
shared Kafka broker, a connect-c worker running com.clickhouse.kafka.connect.ClickHouseSinkConnector
created over REST, rows read back from a real server.

Which test ran where: every test here runs against Debian's clickhouse-server 18.16 (apt),
started by services.sh start-clickhouse on free loopback ports. 18.16 has no DateTime64: the
user-events table uses DateTime('UTC') for DateTime64(3, 'UTC') and the logs table DateTime for
DateTime64(6) (sub-second digits are dropped by the encoder's DateTime path); the DateTime64
bytes themselves are checked against chdb 26.x in test_clickhouse_core.py. 18.16 also has no
insert_deduplication_token, so exactlyOnce=true is refused at start here (tested), and
exactly-once replays are not tested against a server in this file.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import kc

HERE = Path(__file__).resolve().parent
SERVICES = HERE.parent / "services.sh"
SERVER = os.environ.get("KC_CLICKHOUSE_SERVER", "/usr/sbin/clickhouse-server")
CLASS = "com.clickhouse.kafka.connect.ClickHouseSinkConnector"


class CH:
    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.reload()

    def reload(self):
        env = kc.read_env_file(self.run_dir / "clickhouse.env")
        self.port = int(env["KC_CLICKHOUSE_HTTP_PORT"])

    def q(self, sql: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}/"
        with urllib.request.urlopen(urllib.request.Request(url, data=sql.encode()),
                                    timeout=30) as r:
            return r.read()

    def rows(self, sql: str):
        out = self.q(sql + " FORMAT JSONEachRow").decode()
        return [json.loads(line) for line in out.splitlines() if line]

    def count(self, table: str) -> int:
        return int(self.q(f"SELECT count() FROM {table}").decode().strip())

    def stop(self):
        subprocess.run([str(SERVICES), "stop-one", str(self.run_dir), "clickhouse"],
                       timeout=120, capture_output=True)

    def start(self):
        subprocess.run([str(SERVICES), "start-clickhouse", str(self.run_dir)], check=True,
                       capture_output=True, timeout=120)
        self.reload()


@pytest.fixture(scope="module")
def ch(tmp_path_factory):
    if not os.access(SERVER, os.X_OK):
        pytest.skip("clickhouse-server 18.16 not installed (scripts/setup.sh)")
    run = tmp_path_factory.mktemp("chsink")
    server = CH.__new__(CH)
    server.run_dir = run
    server.start()
    try:
        yield server
    finally:
        server.stop()


def ident(name: str) -> str:
    """A unique name usable as a database name without quoting."""
    return name.replace("-", "_").replace(".", "_")


def sink_config(ch: CH, topics: str, **extra) -> dict:
    cfg = {"connector.class": CLASS, "tasks.max": "1", "topics": topics,
           "hostname": "127.0.0.1", "port": str(ch.port), "ssl": "false",
           "value.converter": "org.apache.kafka.connect.json.JsonConverter",
           "value.converter.schemas.enable": "false",
           "key.converter": "org.apache.kafka.connect.storage.StringConverter"}
    cfg.update({k: str(v) for k, v in extra.items()})
    return cfg


def curl(method: str, url: str, body: dict | None = None) -> tuple[int, str]:
    """The REST call as a user makes it."""
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method,
           "-H", "Content-Type: application/json", url]
    if body is not None:
        cmd += ["--data-binary", json.dumps(body)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    text, code = p.stdout.rsplit("\n", 1)
    return int(code), text


def test_user_events_pipeline_with_dlq_and_password(kafka, connect_c, ch, unique_name):
    """Pipeline 2: events (ReplacingMergeTree, partitioned by day, inserted_at DEFAULT now())
    from JSON with ISO 'Z' timestamps; a record that does not fit and a record that is not JSON
    go to the DLQ with their headers, the others land; the password is never shown."""
    db, topic, cname = ident(unique_name("bitpin")), unique_name("events"), unique_name("ev")
    dlq = topic + "-dlq"
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.events (user_id String, event_type LowCardinality(String), "
         "timestamp DateTime('UTC'), session_id String, device LowCardinality(String), "
         "inserted_at DateTime DEFAULT now()) ENGINE = ReplacingMergeTree() "
         "PARTITION BY toYYYYMMDD(timestamp) ORDER BY (timestamp, user_id) "
         "SETTINGS index_granularity = 8192")
    events = [{"user_id": f"user_{i % 100 + 1}",
               "event_type": ["login", "logout", "purchase", "view", "click"][i % 5],
               "timestamp": f"2025-09-18T10:{i // 60:02d}:{i % 60:02d}Z",
               "session_id": f"sess_{i}", "device": ["mobile", "desktop", "tablet"][i % 3]}
              for i in range(100)]
    values = [json.dumps(e) for e in events[:50]]
    values.append(json.dumps({"user_id": "bad", "timestamp": "yesterday"}))
    values.append("{not json")
    values += [json.dumps(e) for e in events[50:]]
    kafka.produce(topic, values)

    w = connect_c()
    cfg = sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=events",
                      username="sinkuser", password="kcSinkPw7731",
                      **{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
                         "errors.deadletterqueue.topic.replication.factor": "1",
                         "errors.deadletterqueue.context.headers.enable": "true"})
    code, body = curl("POST", f"{w.url}/connectors", {"name": cname, "config": cfg})
    assert code == 201, body
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.events") >= 100, timeout=60, what="100 rows")
    rows = ch.rows(f"SELECT user_id, event_type, toUnixTimestamp(timestamp) AS ts, session_id, "
                   f"device, inserted_at > now() - 600 AS fresh FROM {db}.events ORDER BY ts")
    assert len(rows) == 100
    assert rows[61] == {"user_id": "user_62", "event_type": "logout",
                        "ts": 1758189600 + 61, "session_id": "sess_61", "device": "desktop",
                        "fresh": 1}
    bad = kafka.consume(dlq, count=2)
    assert [dict(r.headers)["__connect.errors.offset"] for r in bad] == ["50", "51"]
    assert bad[1].value == "{not json"
    h0 = dict(bad[0].headers)
    assert h0["__connect.errors.topic"] == topic
    assert h0["__connect.errors.exception.class.name"] == \
        "org.apache.kafka.connect.errors.DataException"
    assert "timestamp" in h0["__connect.errors.exception.message"]
    assert "__connect.errors.exception.message" in dict(bad[1].headers)
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 102,
                  timeout=90, what="offsets committed after the inserts")
    status = json.dumps(w.status(cname))
    assert "kcSinkPw7731" not in status
    assert "kcSinkPw7731" not in w.log_text()
    assert "user sinkuser" in w.log_text()  # the sink did log its connection
    # At-least-once replays (here: the first 30 events produced again) are two rows of the
    # same key until ReplacingMergeTree merges them: FINAL and OPTIMIZE leave one.
    kafka.produce(topic, [json.dumps(e) for e in events[:30]])
    kc.wait_until(lambda: ch.count(f"{db}.events") >= 130, timeout=60, what="130 rows")
    assert ch.count(f"{db}.events FINAL") == 100
    ch.q(f"OPTIMIZE TABLE {db}.events FINAL")
    assert ch.count(f"{db}.events") == 100
    assert ch.rows(f"SELECT uniqExact(session_id) AS u FROM {db}.events") == [{"u": "100"}]


def test_bad_key_is_refused_with_the_jvm_400(kafka, connect_c, ch, unique_name):
    w = connect_c()
    cfg = sink_config(ch, unique_name("t"), port="99999", password="hunter2",
                      topic2TableMap="a=b,broken")
    code, body = curl("POST", f"{w.url}/connectors", {"name": unique_name("bad"), "config": cfg})
    assert code == 400, body
    j = json.loads(body)
    assert j["error_code"] == 400
    assert j["message"].startswith("Connector configuration is invalid and contains the "
                                   "following 2 error(s):")
    assert "Invalid value 99999 for configuration port: Value must be no more than 65535" \
        in j["message"]
    assert "topic2TableMap" in j["message"] and "broken" in j["message"]
    assert "hunter2" not in body and "hunter2" not in w.log_text()


def test_logs_pipeline_and_clickhouse_down_mid_stream(kafka, connect_c, ch, unique_name):
    """Pipeline 3: topic logs_4-like -> table logs (MergeTree partitioned by month). ClickHouse
    stops mid-stream and comes back: every record lands exactly once (plain MergeTree shows any
    duplicate) and the task keeps running."""
    db, topic, cname = ident(unique_name("KafkaEngine")), unique_name("logs_4"), unique_name("logs")
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.logs (eventId UInt32, level LowCardinality(String), "
         "source LowCardinality(String), timestamp DateTime, computer LowCardinality(String), "
         "user LowCardinality(String), message String) ENGINE = MergeTree "
         "PARTITION BY toYYYYMM(timestamp) ORDER BY (eventId)")

    def logs(lo, hi):
        return [{"eventId": i, "level": ["Info", "Warning", "Error"][i % 3],
                 "source": f"svc{i % 7}", "timestamp": f"2025-0{1 + i % 3}-15T12:00:00.{i:06d}",
                 "computer": f"host{i % 4}", "user": f"u{i % 9}", "message": f"line {i}"}
                for i in range(lo, hi)]
    kafka.produce(topic, logs(0, 2000))
    w = connect_c()
    w.create_connector(cname, sink_config(ch, topic, database=db,
                                          topic2TableMap=f"{topic}=logs",
                                          bufferCount="500", bufferFlushTime="200"))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.logs") >= 2000, timeout=60, what="first 2000 rows")
    ch.stop()
    kafka.produce(topic, logs(2000, 5000))
    time.sleep(kc.scaled(8))
    assert w.status(cname)["tasks"][0]["state"] == "RUNNING"
    port = ch.port
    ch.start()
    assert ch.port == port  # same server address, as a restarted server has
    kc.wait_until(lambda: ch.count(f"{db}.logs") >= 5000, timeout=90, what="5000 rows")
    time.sleep(kc.scaled(2))
    got = ch.rows(f"SELECT toUInt32(count()) AS n, toUInt32(uniqExact(eventId)) AS u, "
                  f"min(eventId) AS lo, "
                  f"max(eventId) AS hi FROM {db}.logs")[0]
    assert got == {"n": 5000, "u": 5000, "lo": 0, "hi": 4999}
    parts = ch.rows(f"SELECT partition, count() AS n FROM system.parts WHERE database = '{db}' "
                    f"AND table = 'logs' AND active GROUP BY partition ORDER BY partition")
    assert [p["partition"] for p in parts] == ["202501", "202502", "202503"]
    assert "Insert will be retried" in w.log_text()


def test_clickhouse_down_30s_within_the_budget(kafka, connect_c, ch, unique_name):
    """ClickHouse stopped for 30 s while 180,000 records (~36 MB) arrive: the worker holds at
    most its task byte budget (RSS checked: consumption pauses, nothing grows until OOM), the
    task keeps running, and once the server is back every record lands exactly once."""
    db, topic, cname = ident(unique_name("down")), unique_name("down"), unique_name("down")
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.ev (seq UInt32, kind LowCardinality(String), pad String) "
         "ENGINE = MergeTree ORDER BY seq")
    pad = "p" * 150
    n = 200_000

    def recs(lo, hi):
        return [{"seq": i, "kind": f"k{i % 5}", "pad": pad} for i in range(lo, hi)]
    kafka.produce(topic, recs(0, 20_000))
    budget = 32 * 1024 * 1024
    w = connect_c(overrides={"task.memory.budget.bytes": budget})
    w.create_connector(cname, sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=ev",
                                          bufferCount="5000", bufferFlushTime="200"))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.ev") >= 20_000, timeout=60, what="first rows")
    rss_before = peak = kc.rss_mib(w.pid)
    port = ch.port
    ch.stop()
    try:
        kafka.produce(topic, recs(20_000, n))
        end = time.monotonic() + 30
        while time.monotonic() < end:
            peak = max(peak, kc.rss_mib(w.pid))
            time.sleep(0.5)
        assert w.status(cname)["tasks"][0]["state"] == "RUNNING"
    finally:
        ch.start()
    assert ch.port == port
    kc.wait_until(lambda: ch.count(f"{db}.ev") >= n, timeout=120, what=f"{n} rows")
    time.sleep(kc.scaled(1))
    got = ch.rows(f"SELECT toUInt32(count()) AS n, toUInt32(uniqExact(seq)) AS u FROM {db}.ev")
    assert got == [{"n": n, "u": n}]
    # ~36 MB of records arrived while ClickHouse was down; the worker held at most its budget
    assert peak - rss_before < budget / 2**20, (rss_before, peak)


def test_telemetry_fan_out_arrays(kafka, connect_c, ch, unique_name):
    """Pipeline 1: three topics to three tables through one connector; each message is a JSON
    array of rows; fields the tables lack are dropped, missing columns defaulted, naive ISO
    timestamps with microseconds parsed; the tables are inserted in parallel."""
    db = ident(unique_name("telemetry"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.node_data (node_name String, system_ip String, mgmt_ip String, "
         "timestamp DateTime, batch_id String) ENGINE = MergeTree ORDER BY (node_name, timestamp)")
    ch.q(f"CREATE TABLE {db}.interface_data (node_name String, interface_name String, "
         "interface_type String, subinterface_index String, timestamp DateTime, batch_id String) "
         "ENGINE = MergeTree ORDER BY (node_name, interface_name, timestamp)")
    ch.q(f"CREATE TABLE {db}.address_data (node_name String, interface_name String, "
         "subinterface_index String, address_ip_prefix String, origin String, status String, "
         "timestamp DateTime, batch_id String) ENGINE = MergeTree "
         "ORDER BY (node_name, interface_name, address_ip_prefix, timestamp)")
    t_node, t_if, t_addr = (unique_name("node-data"), unique_name("interface-data"),
                            unique_name("address-data"))
    ts = "2025-01-02T03:04:05.123456"
    kafka.produce(t_node, [[{"node_name": f"srl{i}", "batch_id": f"b{i}", "timestamp": ts,
                             "system_ip": "10.0.0.1"}] for i in range(20)])
    kafka.produce(t_if, [[{"node_name": "srl", "interface_name": f"ethernet-1/{i}-{j}",
                           "batch_id": f"b{i}", "timestamp": ts, "admin_status": "up",
                           "in_octets": 150000} for j in range(3)] for i in range(20)])
    kafka.produce(t_addr, [[{"node_name": "srl", "interface_name": "ethernet-1/1",
                             "subinterface_index": "0", "address_ip_prefix": f"12.0.0.{i}/31",
                             "origin": "static", "status": "preferred", "batch_id": f"b{i}",
                             "timestamp": ts}] for i in range(20)])
    w = connect_c()
    cname = unique_name("tele")
    w.create_connector(cname, sink_config(
        ch, f"{t_node},{t_if},{t_addr}", database=db,
        topic2TableMap=f"{t_node}=node_data,{t_if}=interface_data,{t_addr}=address_data"))
    w.wait_running(cname)
    kc.wait_until(lambda: (ch.count(f"{db}.node_data"), ch.count(f"{db}.interface_data"),
                           ch.count(f"{db}.address_data")) == (20, 60, 20),
                  timeout=60, what="rows in the three tables")
    r = ch.rows(f"SELECT interface_name, interface_type, toUnixTimestamp(timestamp) AS t "
                f"FROM {db}.interface_data WHERE interface_name = 'ethernet-1/7-2'")
    assert r == [{"interface_name": "ethernet-1/7-2", "interface_type": "", "t": 1735787045}]
    assert ch.rows(f"SELECT mgmt_ip, system_ip FROM {db}.node_data WHERE node_name = 'srl3'") \
        == [{"mgmt_ip": "", "system_ip": "10.0.0.1"}]


def test_exactly_once_refused_on_18_16(kafka, connect_c, ch, unique_name):
    topic, cname = unique_name("eo"), unique_name("eo")
    kafka.produce(topic, [{"a": 1}])
    w = connect_c()
    w.create_connector(cname, sink_config(ch, topic, exactlyOnce="true"))

    def failed():
        t = w.status(cname).get("tasks", [])
        return t and t[0]["state"] == "FAILED" and t[0]
    t = kc.wait_until(failed, timeout=60, what="task FAILED")
    assert "exactlyOnce=true needs insert_deduplication_token" in t["trace"]
    assert "18.16" in t["trace"]


def test_tls_to_clickhouse(kafka, connect_c, ch, unique_name, tmp_path):
    """ssl=true through a TLS terminator in front of 18.16's HTTP port (18.16 here has no TLS
    listener): with ssl_socket_sni the sink presents that name and skips the certificate
    checks, as the official connector's key does, and the rows land over TLS; without it the
    self-signed certificate is refused and the task fails saying so."""
    cert, key = kc.make_cert(tmp_path, "ch")
    proxy = kc.TlsProxy(cert, key, ch.port)
    try:
        db, topic = ident(unique_name("tls")), unique_name("tls")
        ch.q(f"CREATE DATABASE {db}")
        ch.q(f"CREATE TABLE {db}.t (id UInt32, s String) ENGINE = MergeTree ORDER BY id")
        kafka.produce(topic, [{"id": i, "s": f"v{i}"} for i in range(50)])
        w = connect_c()
        ok, bad = unique_name("tls-ok"), unique_name("tls-bad")
        w.create_connector(ok, sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=t",
                                           ssl="true", port=str(proxy.port),
                                           ssl_socket_sni="localhost"))
        w.wait_running(ok)
        kc.wait_until(lambda: ch.count(f"{db}.t") == 50, timeout=60, what="50 rows over TLS")
        assert proxy.handshake_errors == []
        w.create_connector(bad, sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=t",
                                            ssl="true", port=str(proxy.port)))

        def failed():
            t = w.status(bad).get("tasks", [])
            return t and t[0]["state"] == "FAILED" and t[0]
        t = kc.wait_until(failed, timeout=60, what="task FAILED")
        assert "Connection to ClickHouse is not active" in t["trace"], t["trace"]
        assert "certificate" in t["trace"].lower(), t["trace"]
        assert ch.count(f"{db}.t") == 50
    finally:
        proxy.close()


def test_db_topic_split_routes_to_each_database(kafka, connect_c, ch, unique_name):
    """enableDbTopicSplit: a topic "<db>.<topic>" writes to table <topic> (or its topic2TableMap
    entry) of database <db>; a topic without exactly two parts stays in the configured database,
    whole. Without a dbTopicSplitChar the config is refused with the JVM's 400."""
    base = ident(unique_name("split"))
    db_a, db_b, db_home = f"{base}_a", f"{base}_b", f"{base}_home"
    for db in (db_a, db_b, db_home):
        ch.q(f"CREATE DATABASE {db}")
    for db in (db_a, db_b):
        ch.q(f"CREATE TABLE {db}.clicks (user_id UInt32, page String) "
             "ENGINE = MergeTree ORDER BY user_id")
    ch.q(f"CREATE TABLE {db_b}.views (user_id UInt32, page String) "
         "ENGINE = MergeTree ORDER BY user_id")
    plain = f"plain_{base}"  # no separator: the configured database, table of the same name
    ch.q(f"CREATE TABLE {db_home}.{plain} (user_id UInt32, page String) "
         "ENGINE = MergeTree ORDER BY user_id")
    t_a, t_b, t_map = f"{db_a}.clicks", f"{db_b}.clicks", f"{db_b}.pageviews"
    kafka.produce(t_a, [{"user_id": i, "page": "a"} for i in range(5)])
    kafka.produce(t_b, [{"user_id": i, "page": "b"} for i in range(7)])
    kafka.produce(t_map, [{"user_id": i, "page": "v", "extra": 1} for i in range(3)])
    kafka.produce(plain, [{"user_id": i, "page": "p"} for i in range(4)])
    w = connect_c()
    cfg = sink_config(ch, f"{t_a},{t_b},{t_map},{plain}", database=db_home,
                      enableDbTopicSplit="true", topic2TableMap="pageviews=views")
    code, body = curl("POST", f"{w.url}/connectors",
                      {"name": unique_name("nosep"), "config": cfg})
    assert code == 400, body
    assert "dbTopicSplitChar" in json.loads(body)["message"]
    cname = unique_name("split")
    w.create_connector(cname, dict(cfg, dbTopicSplitChar="."))
    w.wait_running(cname)
    kc.wait_until(lambda: (ch.count(f"{db_a}.clicks"), ch.count(f"{db_b}.clicks"),
                           ch.count(f"{db_b}.views"), ch.count(f"{db_home}.{plain}"))
                  == (5, 7, 3, 4), timeout=60, what="rows in each database")
    assert ch.rows(f"SELECT DISTINCT page FROM {db_a}.clicks") == [{"page": "a"}]
    assert ch.rows(f"SELECT DISTINCT page FROM {db_b}.clicks") == [{"page": "b"}]
    assert w.status(cname)["tasks"][0]["state"] == "RUNNING"


def test_1816_literal_defaults_in_mixed_batches(kafka, connect_c, ch, unique_name):
    """18.16 has no RowBinaryWithDefaults. Rows of one batch that lack a column whose DEFAULT is
    a literal get that literal (not the type's zero) while their neighbours keep their own
    values; a DEFAULT that is an expression (now()) is left to the server, and a value records
    give for it is not sent, which the log says once."""
    db = ident(unique_name("defaults"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.ev (id UInt32, status LowCardinality(String) DEFAULT 'unknown', "
         "level Int16 DEFAULT -1, score Nullable(Float64) DEFAULT 0.5, "
         "at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY id")
    topic = unique_name("defaults")
    kafka.produce(topic, [{"id": i, "status": "ok", "level": 3, "score": None, "at": 86400}
                          if i % 2 else {"id": i} for i in range(40)])
    w = connect_c()
    cname = unique_name("defaults")
    w.create_connector(cname, sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=ev"))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.ev") == 40, timeout=60, what="40 rows")
    rows = ch.rows(f"SELECT id, status, level, score, at > now() - 3600 AS recent "
                   f"FROM {db}.ev ORDER BY id")
    assert [r["id"] for r in rows] == list(range(40))
    for r in rows:
        if r["id"] % 2:
            assert (r["status"], r["level"], r["score"]) == ("ok", 3, None), r
        else:
            assert (r["status"], r["level"], r["score"]) == ("unknown", -1, 0.5), r
        assert r["recent"] == 1, r
    # "at" = 86400 of the odd rows is not sent (18.16 computes now()): said once in the log
    log = w.log_text()
    assert log.count("column at has a DEFAULT expression (now())") == 1, log[-2000:]


def test_schema_envelopes_land_as_their_payload(kafka, connect_c, ch, unique_name):
    """JsonConverter with schemas.enable=true (its default) and no transform: the worker
    converts the {"schema", "payload"} envelope and the sink writes the payload's values with
    the schema's types (the raw fast path is for schemaless JSON only: before, these records
    were parsed as schemaless objects and every row came out as zeros)."""
    db = ident(unique_name("envelope"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.ev (id Int32, name String, score Nullable(Float64)) "
         "ENGINE = MergeTree ORDER BY id")
    topic = unique_name("envelope")
    schema = {"type": "struct", "fields": [{"field": "id", "type": "int32"},
                                           {"field": "name", "type": "string"},
                                           {"field": "score", "type": "double",
                                            "optional": True}]}
    kafka.produce(topic, [{"schema": schema, "payload": {"id": i, "name": f"n{i}",
                                                          "score": i / 2 if i % 3 else None}}
                          for i in range(1, 31)])
    w = connect_c()
    cname = unique_name("envelope")
    w.create_connector(cname, sink_config(ch, topic, database=db, topic2TableMap=f"{topic}=ev",
                                          **{"value.converter.schemas.enable": "true"}))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.ev") == 30, timeout=60, what="30 rows")
    rows = ch.rows(f"SELECT id, name, score FROM {db}.ev ORDER BY id")
    assert [r["id"] for r in rows] == list(range(1, 31))
    assert rows[0] == {"id": 1, "name": "n1", "score": 0.5}
    assert rows[2] == {"id": 3, "name": "n3", "score": None}


@pytest.mark.parametrize("fmt,sep", [("CSV", ","), ("TSV", "\t")])
def test_string_records_as_csv_and_tsv(kafka, connect_c, ch, unique_name, fmt, sep):
    """insertFormat CSV / TSV with StringConverter: each record's text is passed through as one
    line of `INSERT ... FORMAT CSV|TSV` (a newline added when it has none), as the official
    connector; JSON-object records of another connector on the same server are unaffected."""
    db = ident(unique_name(f"text_{fmt}"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.lines (id UInt32, name String, score Float64) "
         "ENGINE = MergeTree ORDER BY id")
    topic = unique_name(f"lines-{fmt}")
    name = '"a, b"' if fmt == "CSV" else "a b"
    values = [f"{i}{sep}{name if i == 3 else f'n{i}'}{sep}{i}.5" + ("\n" if i % 2 else "")
              for i in range(10)]
    kafka.produce(topic, values)
    w = connect_c()
    cname = unique_name(f"text-{fmt}")
    w.create_connector(cname, sink_config(
        ch, topic, database=db, topic2TableMap=f"{topic}=lines", insertFormat=fmt,
        **{"value.converter": "org.apache.kafka.connect.storage.StringConverter"}))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.lines") == 10, timeout=60, what="10 rows")
    rows = ch.rows(f"SELECT id, name, score FROM {db}.lines ORDER BY id")
    assert [r["id"] for r in rows] == list(range(10))
    assert rows[3]["name"] == ("a, b" if fmt == "CSV" else "a b")
    assert rows[4] == {"id": 4, "name": "n4", "score": 4.5}
    assert w.status(cname)["tasks"][0]["state"] == "RUNNING"


def test_string_records_with_insert_format_none_fail_clearly(kafka, connect_c, ch, unique_name):
    """insertFormat=none (explicit) makes a string record an error, as the official connector."""
    topic, cname = unique_name("none"), unique_name("none")
    db = ident(unique_name("none"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.t (id UInt32, name String) ENGINE = MergeTree ORDER BY id")
    kafka.produce(topic, ["1,x"])
    w = connect_c()
    w.create_connector(cname, sink_config(
        ch, topic, insertFormat="none", database=db, topic2TableMap=f"{topic}=t",
        **{"value.converter": "org.apache.kafka.connect.storage.StringConverter"}))

    def failed():
        t = w.status(cname).get("tasks", [])
        return t and t[0]["state"] == "FAILED" and t[0]
    t = kc.wait_until(failed, timeout=60, what="task FAILED")
    assert "needs insertFormat CSV, TSV or JSON" in t["trace"]


@pytest.mark.parametrize("fmt,sep", [("CSV", ","), ("TSV", "\t")])
def test_bad_csv_tsv_line_goes_to_the_dlq_alone(kafka, connect_c, ch, unique_name, fmt, sep):
    """A line the server cannot parse, in a batch of good ones: ClickHouse names its row, the
    sink reads the batch again from Kafka without it, reports that record (DLQ with its key and
    headers, errors.tolerance=all) and inserts the rest once; offsets pass both. The official
    connector sends the whole batch to its DLQ."""
    db = ident(unique_name(f"badtext_{fmt}"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.lines (id UInt32, name String) ENGINE = MergeTree ORDER BY id")
    topic = unique_name(f"badlines-{fmt}")
    dlq = topic + "-dlq"
    values = [f"{i}{sep}n{i}" if i not in (3, 7) else f"x{i}{sep}bad" for i in range(10)]
    kafka.produce(topic, values, keys=[f"k{i}" for i in range(10)])
    w = connect_c()
    cname = unique_name(f"badtext-{fmt}")
    w.create_connector(cname, sink_config(
        ch, topic, database=db, topic2TableMap=f"{topic}=lines", insertFormat=fmt,
        **{"value.converter": "org.apache.kafka.connect.storage.StringConverter",
           "key.converter": "org.apache.kafka.connect.storage.StringConverter",
           "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
           "errors.deadletterqueue.topic.replication.factor": "1",
           "errors.deadletterqueue.context.headers.enable": "true"}))
    w.wait_running(cname)
    kc.wait_until(lambda: ch.count(f"{db}.lines") == 8, timeout=60, what="8 good rows")
    bad = kafka.consume(dlq, count=2, timeout=60)
    assert sorted((r.key, r.value) for r in bad) == [("k3", f"x3{sep}bad"), ("k7", f"x7{sep}bad")]
    h = dict(bad[0].headers)
    assert "Cannot parse input" in h["__connect.errors.exception.message"], h
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 10,
                  timeout=90, what="offsets past the bad lines")
    rows = ch.rows(f"SELECT id FROM {db}.lines ORDER BY id")
    assert [r["id"] for r in rows] == [0, 1, 2, 4, 5, 6, 8, 9]  # each once
    assert w.status(cname)["tasks"][0]["state"] == "RUNNING"


def test_bad_csv_line_fails_the_task_without_tolerance(kafka, connect_c, ch, unique_name):
    """errors.tolerance=none: the refused line fails the task, naming its record and quoting
    ClickHouse."""
    db = ident(unique_name("badcsv_none"))
    ch.q(f"CREATE DATABASE {db}")
    ch.q(f"CREATE TABLE {db}.lines (id UInt32, name String) ENGINE = MergeTree ORDER BY id")
    topic, cname = unique_name("badcsv-none"), unique_name("badcsv-none")
    kafka.produce(topic, ["1,a", "2,b", "x,c", "4,d"])
    w = connect_c()
    w.create_connector(cname, sink_config(
        ch, topic, database=db, topic2TableMap=f"{topic}=lines", insertFormat="CSV",
        **{"value.converter": "org.apache.kafka.connect.storage.StringConverter"}))

    def failed():
        t = w.status(cname).get("tasks", [])
        return t and t[0]["state"] == "FAILED" and t[0]
    t = kc.wait_until(failed, timeout=60, what="task FAILED")
    assert f"Record {topic}-0@2" in t["trace"] and "Cannot parse input" in t["trace"], t
