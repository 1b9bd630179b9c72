"""QuestDB sink (connectors/questdb) end to end: Kafka -> connect-c -> a real QuestDB.

QuestDB 9.3.2 from Maven Central runs on free loopback ports (services.sh start-questdb, one per
module; set KC_QUESTDB_HTTP_PORT/KC_QUESTDB_ILP_PORT/KC_QUESTDB_PG_PORT to reuse a running one).
Connectors are created through the worker's REST API with the JSON a user's curl sends.

  * seed scenario: GitHub events (type/repo symbols, actor, created_at as designated timestamp in
    epoch micros) and IoT readings (device_id/device_type symbols, value, battery_level,
    signal_strength, event timestamp as a string) on two topics, two connectors; then
    `SELECT timestamp, repo, count() FROM github_events SAMPLE BY 5m` gives the expected counts.
    Over ILP/HTTP, ILP/TCP (the pipeline's legacy `host` key) and PostgreSQL wire (pg::).
  * bad records (not JSON, an array field, a null designated timestamp) go to the DLQ with
    errors.tolerance=all, and every good record arrives.
  * QuestDB stopped (SIGSTOP) for 30 s mid-stream: the sink retries, holds at most its byte
    budget (worker RSS checked), and once QuestDB runs again every record arrives exactly once.
  * exactly-once: a WAL table with DEDUP UPSERT KEYS(timestamp, seq); the worker is killed with
    SIGKILL mid-stream and restarted; every record is in the table once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import kc  # noqa: E402

SERVICES = HERE.parent / "services.sh"


class QuestDB:
    def __init__(self, env: dict[str, str], pid: int | None = None):
        self.pid = pid
        self.http = int(env["KC_QUESTDB_HTTP_PORT"])
        self.ilp = int(env["KC_QUESTDB_ILP_PORT"])
        self.pg = int(env["KC_QUESTDB_PG_PORT"])

    def exec(self, sql: str) -> dict:
        url = f"http://127.0.0.1:{self.http}/exec?" + urllib.parse.urlencode({"query": sql})
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.loads(r.read())

    def rows(self, sql: str) -> list[list]:
        return self.exec(sql).get("dataset", [])

    def count(self, table: str) -> int:
        try:
            return self.rows(f'SELECT count() FROM "{table}"')[0][0]
        except urllib.error.HTTPError:
            return 0


@pytest.fixture(scope="module")
def questdb(tmp_path_factory):
    if os.environ.get("KC_QUESTDB_HTTP_PORT"):
        pid = os.environ.get("KC_QUESTDB_PID")
        yield QuestDB(dict(os.environ), int(pid) if pid else None)
        return
    run = tmp_path_factory.mktemp("questdb")
    p = subprocess.run(["bash", str(SERVICES), "start-questdb", str(run)], capture_output=True,
                       text=True, timeout=kc.scaled(300))
    if p.returncode != 0:
        pytest.skip(f"QuestDB did not start: {p.stderr[-2000:]}")
    try:
        yield QuestDB(kc.read_env_file(run / "questdb.env"),
                      int((run / "questdb.pid").read_text().strip()))
    finally:
        subprocess.run(["bash", str(SERVICES), "stop-one", str(run), "questdb"], timeout=120)


BASE_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in micros: 5-minute windows line up
REPOS = ["cs-jsi/chisel4ml", "questdb/questdb", "apache/kafka"]
TYPES = ["PushEvent", "WatchEvent", "IssuesEvent"]


def github_events(n_windows: int = 4, per_window: int = 30) -> tuple[list[dict], dict]:
    """Events spread over n_windows 5-minute windows; expected {(window_us, repo): count}."""
    events, expected = [], {}
    for w in range(n_windows):
        for i in range(per_window):
            repo = REPOS[(i * (w + 1)) % len(REPOS)]
            ts = BASE_US + w * 300_000_000 + i * 7_000_000  # < 300 s into the window
            events.append({"type": TYPES[i % 3], "repo": repo, "actor": f"user-{i}",
                           "created_at": ts})
            key = (BASE_US + w * 300_000_000, repo)
            expected[key] = expected.get(key, 0) + 1
    return events, expected


def iot_readings(n: int = 50) -> list[dict]:
    out = []
    for i in range(n):
        out.append({"device_id": f"dev-{i % 5}", "device_type": ["temp", "humidity"][i % 2],
                    "value": 20.5 + i, "battery_level": 90 - i % 10, "signal_strength": -60 - i % 7,
                    "timestamp": f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000000Z"})
    return out


def us_iso(us: int) -> str:
    t = time.gmtime(us // 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + f".{us % 1_000_000:06d}Z"


def client_conf(questdb: QuestDB, transport: str) -> str:
    if transport == "http":
        return f"http::addr=127.0.0.1:{questdb.http};auto_flush_rows=1000;"
    if transport == "pg":
        return f"pg::addr=127.0.0.1:{questdb.pg};username=admin;password=quest;"
    return f"tcp::addr=127.0.0.1:{questdb.ilp};"


def create(w: kc.ConnectC, name: str, config: dict) -> None:
    r = w.put(f"/connectors/{name}/config", json=config)
    assert r.status_code in (200, 201), r.text
    w.wait_running(name)


@pytest.mark.parametrize("transport", ["http", "tcp", "pg"])
def test_questdb_seed_scenario(kafka, connect_c, questdb, unique_name, transport):
    gh_topic, iot_topic = unique_name("github_events"), unique_name("iot_data")
    gh_table, iot_table = gh_topic, iot_topic
    events, expected = github_events()
    readings = iot_readings()
    kafka.produce(gh_topic, events)
    kafka.produce(iot_topic, readings, keys=[r["device_id"] for r in readings])
    w = connect_c()
    common = {"connector.class": "io.questdb.kafka.QuestDBSinkConnector",
              "client.conf.string": client_conf(questdb, transport),
              "include.key": False,
              "key.converter": "org.apache.kafka.connect.storage.StringConverter",
              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
              "value.converter.schemas.enable": False}
    if transport == "tcp":  # the pipeline's own legacy form
        del common["client.conf.string"]
        common["host"] = f"127.0.0.1:{questdb.ilp}"
    create(w, f"questdb-github-{transport}",
           {**common, "topics": gh_topic, "table": gh_table, "symbols": "type,repo",
            "timestamp.field.name": "created_at", "timestamp.units": "micros"})
    create(w, f"questdb-iot-{transport}",
           {**common, "topics": iot_topic, "table": iot_table, "symbols": "device_type,device_id",
            "timestamp.field.name": "timestamp"})
    kc.wait_until(lambda: questdb.count(gh_table) == len(events), timeout=60,
                  what=f"{len(events)} rows in {gh_table}")
    kc.wait_until(lambda: questdb.count(iot_table) == len(readings), timeout=60,
                  what=f"{len(readings)} rows in {iot_table}")
    got = questdb.rows(f'SELECT timestamp, repo, count() FROM "{gh_table}" SAMPLE BY 5m')
    want = sorted([us_iso(k[0]), k[1], v] for k, v in expected.items())
    assert sorted(got) == want
    cols = {c["name"]: c["type"] for c in questdb.exec(f'SELECT * FROM "{gh_table}" LIMIT 1')["columns"]}
    assert cols["type"] == cols["repo"] == "SYMBOL" and cols["timestamp"] == "TIMESTAMP"
    assert cols["actor"] in ("VARCHAR", "STRING") and set(cols) == {"type", "repo", "actor",
                                                                    "timestamp"}
    iot = questdb.rows(f'SELECT device_id, count(), min(battery_level), max(value) FROM '
                       f'"{iot_table}" WHERE device_id = \'dev-0\'')
    assert iot == [["dev-0", 10, 85, 65.5]]
    first = questdb.rows(f'SELECT timestamp, signal_strength FROM "{iot_table}" LIMIT 1')
    assert first == [["2026-01-01T00:00:00.000000Z", -60]]
    # offsets are committed once QuestDB has the rows
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-questdb-github-{transport}").get(
        (gh_topic, 0)) == len(events), timeout=30, what="committed offsets")


def test_questdb_bad_records_to_dlq(kafka, connect_c, questdb, unique_name):
    topic, dlq = unique_name("qbad"), unique_name("qbaddlq")
    good = [{"seq": i, "v": i * 1.5, "ts": BASE_US + i} for i in range(20)]
    values = [json.dumps(g) for g in good]
    values.insert(3, "{not json")
    values.insert(7, json.dumps({"seq": 100, "v": [1, 2], "ts": BASE_US}))
    values.insert(11, json.dumps({"seq": 101, "v": 1.0, "ts": None}))
    kafka.produce(topic, values)
    w = connect_c()
    create(w, "qdb-dlq", {
        "connector.class": "QuestDBSinkConnector", "topics": topic, "table": topic,
        "client.conf.string": client_conf(questdb, "http"), "include.key": "false",
        "timestamp.field.name": "ts", "doubles": "v",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1",
        "errors.deadletterqueue.context.headers.enable": "true"})
    kc.wait_until(lambda: questdb.count(topic) == len(good), timeout=60, what="good rows")
    bad = kafka.consume(dlq, count=3, timeout=60)
    assert sorted(r.value for r in bad) == sorted([values[3], values[7], values[11]])
    assert questdb.rows(f'SELECT sum(seq) FROM "{topic}"') == [[sum(range(20))]]


@pytest.mark.parametrize("ts_from", ["field", "kafka"])
def test_questdb_exactly_once_after_kill(kafka, connect_c, questdb, unique_name, ts_from):
    topic = unique_name("qdedup")
    questdb.exec(f'CREATE TABLE "{topic}" (seq LONG, v DOUBLE, timestamp TIMESTAMP) '
                 f'TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, seq)')
    n = 20000
    kafka.produce(topic, [{"seq": i, "v": i / 2, "at": BASE_US + i} for i in range(n)])
    w = connect_c(overrides={"offset.flush.interval.ms": 60000})
    ts = ({"timestamp.field.name": "at"} if ts_from == "field"
          else {"timestamp.kafka.native": "true"})
    create(w, "qdb-eos", {
        "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
        "table": topic, "include.key": "false", **ts,
        "client.conf.string": f"http::addr=127.0.0.1:{questdb.http};auto_flush_rows=500;",
        "consumer.override.max.poll.records": "500",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    kc.wait_until(lambda: questdb.count(topic) >= 2000, timeout=60, what="some rows")
    w.kill()  # no commit since the start: everything is replayed
    w.restart()
    kc.wait_until(lambda: questdb.count(topic) == n, timeout=90, what=f"{n} rows")
    time.sleep(2)
    assert questdb.count(topic) == n
    assert questdb.rows(f'SELECT count_distinct(seq) FROM "{topic}"') == [[n]]
    if ts_from == "kafka":  # the designated timestamp is the record's Kafka timestamp
        first = kafka.consume(topic, count=1)[0]
        got = questdb.rows(f'SELECT timestamp FROM "{topic}" WHERE seq = 0')[0][0]
        assert got == us_iso(first.timestamp * 1000)


def test_questdb_pg_wire_into_a_table_whose_timestamp_is_not_called_timestamp(
        kafka, connect_c, questdb, unique_name):
    """PostgreSQL wire mode into a table created beforehand with TIMESTAMP(ts) and DEDUP (as
    connectors.md's example): the sink asks QuestDB for the designated column instead of
    assuming ILP's `timestamp`, so rows land with their record timestamps."""
    topic = unique_name("qpgts")
    questdb.exec(f'CREATE TABLE "{topic}" (seq LONG, v DOUBLE, ts TIMESTAMP) '
                 f'TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, seq)')
    n = 300
    kafka.produce(topic, [{"seq": i, "v": i / 2, "at": BASE_US + i * 1000} for i in range(n)])
    w = connect_c()
    create(w, "qdb-pg-ts", {
        "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
        "table": topic, "include.key": "false", "timestamp.field.name": "at",
        "client.conf.string": f"pg::addr=127.0.0.1:{questdb.pg};username=admin;password=quest;",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    kc.wait_until(lambda: questdb.count(topic) == n, timeout=60, what=f"{n} rows")
    assert questdb.rows(f'SELECT ts FROM "{topic}" WHERE seq = 7') == [[us_iso(BASE_US + 7000)]]
    cols = [r[0] for r in questdb.rows(f"SELECT \"column\" FROM table_columns('{topic}')")]
    assert "timestamp" not in cols, cols  # no stray column next to ts


def test_questdb_tcp_connection_cut_mid_stream(kafka, connect_c, questdb, unique_name):
    """ILP over TCP through a proxy that drops the connection twice mid-stream: the sink
    reconnects and sends the unacknowledged batch again, so every row arrives; the DEDUP table
    shows each exactly once. The records come in three parts, the next one produced after each
    cut, so the sink has something to send after every cut however fast it went through the
    part before."""
    topic = unique_name("qcut")
    questdb.exec(f'CREATE TABLE "{topic}" (seq LONG, pad VARCHAR, timestamp TIMESTAMP) '
                 f'TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, seq)')
    n = 60_000
    pad = "q" * 100
    rows = [{"seq": i, "pad": pad, "at": BASE_US + i} for i in range(n)]
    part = n // 3
    proxy = kc.TlsProxy(None, None, questdb.ilp)
    try:
        kafka.produce(topic, rows[:part])
        w = connect_c()
        create(w, "qdb-cut", {
            "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
            "table": topic, "include.key": "false", "timestamp.field.name": "at",
            "client.conf.string": f"tcp::addr=127.0.0.1:{proxy.port};",
            "consumer.override.max.poll.records": "200",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false"})
        for k in (1, 2):
            kc.wait_until(lambda: proxy.open, timeout=60, what="a connection to cut")
            time.sleep(0.3)
            assert proxy.cut() > 0
            kafka.produce(topic, rows[k * part:(k + 1) * part if k < 2 else n])
        kc.wait_until(lambda: questdb.count(topic) == n, timeout=120, what=f"{n} rows")
        assert questdb.rows(f'SELECT count_distinct(seq) FROM "{topic}"') == [[n]]
        assert proxy.connections >= 3  # reconnected after each cut
        assert w.running()
    finally:
        proxy.close()


def test_questdb_stopped_30s_mid_stream(kafka, connect_c, questdb, unique_name):
    if questdb.pid is None:
        pytest.skip("needs QuestDB's pid (KC_QUESTDB_PID) to stop it")
    topic = unique_name("qstop")
    questdb.exec(f'CREATE TABLE "{topic}" (seq LONG, pad VARCHAR, timestamp TIMESTAMP) '
                 f'TIMESTAMP(timestamp) PARTITION BY DAY WAL DEDUP UPSERT KEYS(timestamp, seq)')
    n = 200_000
    pad = "p" * 150
    kafka.produce(topic, [{"seq": i, "pad": pad, "at": BASE_US + i} for i in range(20_000)])
    budget = 32 * 1024 * 1024
    w = connect_c(overrides={"task.memory.budget.bytes": budget})
    create(w, "qdb-stop", {
        "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
        "table": topic, "include.key": "false", "timestamp.field.name": "at",
        "client.conf.string": f"http::addr=127.0.0.1:{questdb.http};auto_flush_rows=2000;"
                              f"retry_timeout=2000;request_timeout=2000;",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    kc.wait_until(lambda: questdb.count(topic) >= 2000, timeout=60, what="first rows")
    rss_before = kc.rss_mib(w.pid)
    os.kill(questdb.pid, signal.SIGSTOP)
    peak = rss_before
    try:
        kafka.produce(topic, [{"seq": i, "pad": pad, "at": BASE_US + i}
                              for i in range(20_000, n)])
        end = time.monotonic() + 30
        while time.monotonic() < end:
            peak = max(peak, kc.rss_mib(w.pid))
            time.sleep(0.5)
    finally:
        os.kill(questdb.pid, signal.SIGCONT)
    assert w.running()
    kc.wait_until(lambda: questdb.count(topic) == n, timeout=120, what=f"{n} rows")
    assert questdb.rows(f'SELECT count_distinct(seq) FROM "{topic}"') == [[n]]
    # 30 MB of records arrived while QuestDB was stopped; the worker held at most its budget
    assert peak - rss_before < budget / 2**20, (rss_before, peak)


def test_questdb_plugin_and_validate(connect_c):
    w = connect_c()
    plugins = w.get("/connector-plugins").json()
    assert {"class": "io.questdb.kafka.QuestDBSinkConnector", "type": "sink",
            "version": "0.23"} in plugins
    cfg = {"connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": "t", "name": "v",
           "client.conf.string": "http::addr=h:9000;password=hunter2;bogus=1;",
           "timestamp.units": "hours", "timestamp.kafka.native": "true",
           "timestamp.field.name": "ts"}
    r = w.put("/connector-plugins/QuestDBSinkConnector/config/validate", json=cfg)
    assert r.status_code == 200, r.text
    assert "hunter2" not in r.text
    errs = {c["value"]["name"]: c["value"]["errors"] for c in r.json()["configs"]}
    assert any("timestamp.units" in e for e in errs["timestamp.units"])
    ok = dict(cfg, **{"timestamp.units": "auto"})
    r = w.put("/connector-plugins/QuestDBSinkConnector/config/validate", json=ok)
    errs = {c["value"]["name"]: c["value"]["errors"] for c in r.json()["configs"]}
    assert "hunter2" not in r.text
    assert any("what follows the value of 'password' does not parse" in e
               for e in errs["client.conf.string"])  # a lone ';' would put its tail here
    assert any("cannot be used together" in e for e in errs["timestamp.kafka.native"])
    assert r.json()["error_count"] == 2


@pytest.mark.parametrize("tolerance", ["all", "none"])
def test_questdb_refused_rows(kafka, connect_c, questdb, unique_name, tolerance):
    """Rows QuestDB itself refuses (a string into an existing LONG column): with a DLQ they go
    there one by one and the rest is written; without, the task fails with QuestDB's message."""
    topic, dlq = unique_name("qref"), unique_name("qrefdlq")
    questdb.exec(f'CREATE TABLE "{topic}" (seq LONG, n LONG, timestamp TIMESTAMP) '
                 f'TIMESTAMP(timestamp) PARTITION BY DAY WAL')
    values = [json.dumps({"seq": i, "n": i, "ts": BASE_US + i}) for i in range(30)]
    values[12] = json.dumps({"seq": 12, "n": "twelve", "ts": BASE_US + 12})
    values[25] = json.dumps({"seq": 25, "n": "twenty-five", "ts": BASE_US + 25})
    kafka.produce(topic, values)
    w = connect_c()
    cfg = {"connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
           "table": topic, "include.key": "false", "timestamp.field.name": "ts",
           "client.conf.string": f"http::addr=127.0.0.1:{questdb.http};",
           "value.converter": "org.apache.kafka.connect.json.JsonConverter",
           "value.converter.schemas.enable": "false", "errors.tolerance": tolerance}
    if tolerance == "all":
        cfg.update({"errors.deadletterqueue.topic.name": dlq,
                    "errors.deadletterqueue.topic.replication.factor": "1"})
    r = w.put(f"/connectors/qref-{tolerance}/config", json=cfg)
    assert r.status_code in (200, 201), r.text
    if tolerance == "none":
        def failed():
            st = w.status(f"qref-{tolerance}")
            t = st.get("tasks", [{}])
            return t and t[0].get("state") == "FAILED" and t[0]
        t = kc.wait_until(failed, timeout=60, what="task FAILED")
        assert "cast error" in t["trace"], t["trace"][:2000]
        assert questdb.count(topic) == 0
        return
    kc.wait_until(lambda: questdb.count(topic) == 28, timeout=60, what="28 rows")
    bad = kafka.consume(dlq, count=2, timeout=60)
    assert sorted(r.value for r in bad) == sorted([values[12], values[25]])
    time.sleep(1)
    assert questdb.count(topic) == 28


def test_questdb_double_arrays(kafka, connect_c, questdb, unique_name):
    """Arrays of numbers become DOUBLE[] columns (ILP v2 binary) over HTTP; bytes such as '\\n'
    (0x0a) inside the binary doubles do not split lines."""
    topic = unique_name("qarr")
    recs = [{"seq": i, "v": [i + 0.5, 10.0, 2.0 ** -1074 * 10], "m": [[i, 1], [2, 3]],
             "ts": BASE_US + i} for i in range(20)]
    kafka.produce(topic, recs)
    w = connect_c()
    create(w, "qdb-arr", {
        "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
        "table": topic, "include.key": "false", "timestamp.field.name": "ts",
        "client.conf.string": f"http::addr=127.0.0.1:{questdb.http};",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    kc.wait_until(lambda: questdb.count(topic) == 20, timeout=60, what="20 rows")
    types = dict(questdb.rows(f"SELECT \"column\", type FROM table_columns('{topic}')"))
    assert types["v"] == "DOUBLE[]" and types["m"] == "DOUBLE[][]", types
    r = questdb.exec(f'SELECT seq, v, m FROM "{topic}" WHERE seq = 3')
    seq, v, m = r["dataset"][0]
    assert seq == 3 and v[:2] == [3.5, 10.0] and m == [[3.0, 1.0], [2.0, 3.0]]
