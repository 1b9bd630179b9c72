"""GET /metrics on the REST listener: the worker's metrics in Prometheus text format under the
names the JMX exporter configs give the JVM's MBeans (worker/metrics.h), scraped while records
flow through FileStreamSink connectors; then a real Prometheus (built from the Go module proxy by
scripts/setup.sh) scrapes a running worker, and every panel query of the Grafana dashboard in
docker/grafana returns data from it."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import kc

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "docker" / "grafana" / "connect-c-dashboard.json"
FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"

_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Prometheus text format 0.0.4 -> {(name, labels): value}; asserts every line is valid and
    every family has one HELP and one TYPE line before its samples."""
    out: dict[tuple[str, frozenset], float] = {}
    typed: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            name = line.split(" ")[2]
            if line.startswith("# TYPE "):
                assert name not in typed, f"two TYPE lines for {name}"
                assert line.split(" ")[3] in ("counter", "gauge"), line
                typed.add(name)
            continue
        m = _LINE.match(line)
        assert m, f"bad sample line {line!r}"
        name, _, labels, value = m.groups()
        assert name in typed, f"sample before its TYPE line: {line!r}"
        lab = frozenset((k, v) for k, v, _ in _LABEL.findall(labels or ""))
        key = (name, lab)
        assert key not in out, f"duplicate series {line!r}"
        out[key] = float(value)
    return out


def scrape(worker: kc.ConnectC) -> dict[tuple[str, frozenset], float]:
    r = worker.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    return parse(r.text)


def value(m: dict, name: str, **labels: str) -> float | None:
    return m.get((name, frozenset(labels.items())))


def task_value(m: dict, name: str, connector: str, task: int = 0) -> float | None:
    return value(m, name, connector=connector, task=str(task))


def file_connector(worker: kc.ConnectC, name: str, topic: str, path: Path,
                   **extra: Any) -> None:
    cfg = {"connector.class": FILE_SINK, "topics": topic, "file": str(path), "tasks.max": "1"}
    cfg.update(extra)
    r = worker.create_connector(name, cfg)
    assert r.status_code == 201, r.text
    worker.wait_running(name, tasks=1)


def test_metrics_follow_records_through_filestream(kafka, connect_c, unique_name, tmp_path):
    worker = connect_c()
    topic = kafka.create_topic(unique_name("metrics"), partitions=2)
    name = unique_name("mfile")
    out = tmp_path / "out.txt"

    m = scrape(worker)
    assert value(m, "kafka_connect_worker_connector_count") == 0
    assert value(m, "kafka_connect_worker_rebalance_completed_rebalances_total") >= 1

    file_connector(worker, name, topic, out)
    kafka.produce(topic, [json.dumps({"i": i, "pad": "x" * 40}) for i in range(100)])
    kc.wait_until(lambda: len(kc.complete_lines(out)) == 100, timeout=kc.scaled(30),
                  what="100 lines in the file")

    def read_100():
        m = scrape(worker)
        done = (task_value(m, "kafka_connect_sink_task_sink_record_read_total", name) == 100 and
                task_value(m, "kafka_connect_sink_task_offset_commit_completion_total", name, 0)
                and task_value(m, "kafka_connect_sink_task_sink_record_active_count", name) == 0
                # gauges are refreshed every 500 ms: this one says a refresh saw the records
                and task_value(m, "connect_c_task_budget_peak_bytes", name) > 0)
        return m if done else None
    m = kc.wait_until(read_100, timeout=kc.scaled(20), what="metrics after 100 records")
    assert value(m, "kafka_connect_worker_connector_count") == 1
    assert value(m, "kafka_connect_worker_task_count") == 1
    assert value(m, "kafka_connect_connector_status", connector=name, status="running") == 1
    assert value(m, "kafka_connect_connector_task_status", connector=name, task="0",
                 status="running") == 1
    assert value(m, "kafka_connect_connector_connector_class", connector=name,
                 connector_class=FILE_SINK) == 1
    assert value(m, "kafka_connect_worker_connector_running_task_count", connector=name) == 1
    assert task_value(m, "kafka_connect_sink_task_sink_record_send_total", name) == 100
    assert task_value(m, "kafka_connect_sink_task_sink_record_read_rate", name) > 0
    assert task_value(m, "kafka_connect_sink_task_offset_commit_completion_rate", name) > 0
    assert task_value(m, "kafka_connect_sink_task_partition_count", name) == 2
    assert task_value(m, "kafka_connect_sink_task_sink_record_lag_max", name) == 0
    assert task_value(m, "kafka_connect_sink_task_put_batch_max_time_ms", name) >= 0
    assert 1 <= task_value(m, "kafka_connect_connector_task_batch_size_max", name) <= 100
    assert task_value(m, "kafka_connect_connector_task_offset_commit_failure_percentage",
                      name) == 0
    assert task_value(m, "kafka_connect_connector_task_running_ratio", name) == 1
    assert task_value(m, "kafka_connect_task_error_total_record_errors", name) == 0
    sink = {"connector": name, "task": "0", "sink": "file"}
    written = out.stat().st_size
    assert value(m, "connect_c_sink_bytes_sent_total", **sink) == written
    assert value(m, "connect_c_sink_insert_total", **sink) >= 1
    assert task_value(m, "connect_c_task_record_bytes_read_total", name) == sum(
        len(json.dumps({"i": i, "pad": "x" * 40})) for i in range(100))
    assert task_value(m, "connect_c_task_budget_limit_bytes", name) == 256 << 20

    # More records: the counters move on.
    kafka.produce(topic, [json.dumps({"i": i}) for i in range(100, 150)])
    kc.wait_until(lambda: task_value(scrape(worker), "kafka_connect_sink_task_sink_record_read_total",
                                     name) == 150, timeout=kc.scaled(20), what="150 read")
    m = scrape(worker)
    assert task_value(m, "kafka_connect_sink_task_sink_record_send_total", name) == 150
    assert value(m, "connect_c_sink_bytes_sent_total", **sink) > written

    # Pause: the task status and the pause ratio follow.
    assert worker.put(f"/connectors/{name}/pause").status_code == 202
    kc.wait_until(lambda: value(scrape(worker), "kafka_connect_connector_task_status",
                                connector=name, task="0", status="paused") == 1,
                  timeout=kc.scaled(20), what="task status paused")
    time.sleep(0.3)
    assert task_value(scrape(worker), "kafka_connect_connector_task_pause_ratio", name) > 0

    # Deleted: its series go.
    assert worker.delete(f"/connectors/{name}").status_code == 204
    kc.wait_until(lambda: not any(dict(k[1]).get("connector") == name for k in scrape(worker)),
                  timeout=kc.scaled(20), what="series of the deleted connector gone")
    assert value(scrape(worker), "kafka_connect_worker_connector_count") == 0


def test_metrics_count_errors_and_dlq(kafka, connect_c, unique_name, tmp_path):
    worker = connect_c()
    topic = unique_name("merr")
    dlq = unique_name("merr-dlq")
    name = unique_name("merrc")
    out = tmp_path / "out.txt"
    kafka.create_topic(topic)
    file_connector(worker, name, topic, out, **{
        "errors.tolerance": "all", "errors.log.enable": "true",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1"})
    kafka.produce(topic, ['{"ok":1}', "not json", '{"ok":2}', "{broken", '{"ok":3}'])
    kc.wait_until(lambda: len(kc.complete_lines(out)) == 3, timeout=kc.scaled(30),
                  what="3 good lines")

    def counted():
        m = scrape(worker)
        return m if task_value(m, "kafka_connect_task_error_total_records_skipped", name) == 2 \
            else None
    m = kc.wait_until(counted, timeout=kc.scaled(20), what="2 skipped records in the metrics")
    assert task_value(m, "kafka_connect_task_error_total_record_errors", name) == 2
    assert task_value(m, "kafka_connect_task_error_total_record_failures", name) == 2
    assert task_value(m, "kafka_connect_task_error_total_errors_logged", name) == 2
    assert task_value(m, "kafka_connect_task_error_deadletterqueue_produce_requests", name) == 2
    assert task_value(m, "kafka_connect_task_error_deadletterqueue_produce_failures", name) == 0
    assert task_value(m, "kafka_connect_task_error_last_error_timestamp", name) > \
        (time.time() - 120) * 1000
    assert task_value(m, "kafka_connect_sink_task_sink_record_read_total", name) == 5
    assert task_value(m, "kafka_connect_sink_task_sink_record_send_total", name) == 3
    assert len(kafka.consume(dlq, count=2)) == 2


# ---------------------------------------------------------------- a real Prometheus

def prometheus_binary() -> Path:
    cache = Path(os.environ.get("KC_CACHE") or Path.home() / ".cache" / "connect-c")
    found = sorted(cache.glob("prometheus-*/bin/prometheus"))
    if not found:
        pytest.skip(f"no Prometheus in {cache} (scripts/setup.sh builds it with Go: "
                    "scripts/build-prometheus.sh)")
    return found[-1]


class Prometheus:
    """A Prometheus server on 127.0.0.1 scraping `targets` every second."""

    def __init__(self, binary: Path, workdir: Path, targets: list[str]):
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = kc.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = workdir / "prometheus.yml"
        cfg.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: connect-c\n    static_configs:\n"
            f"      - targets: [{', '.join(repr(t) for t in targets)}]\n")
        self.log_path = workdir / "prometheus.log"
        self.proc = subprocess.Popen(
            [str(binary), f"--config.file={cfg}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=open(self.log_path, "wb"), stderr=subprocess.STDOUT)

        def ready():
            if self.proc.poll() is not None:
                raise kc.GiveUp(f"prometheus exited: {self.log_path.read_text()[-2000:]}")
            try:
                return requests.get(self.url + "/-/ready", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        kc.wait_until(ready, timeout=kc.scaled(30), what="prometheus ready")

    def query(self, q: str) -> list[dict[str, Any]]:
        r = requests.get(self.url + "/api/v1/query", params={"query": q}, timeout=10)
        j = r.json()
        assert r.status_code == 200 and j["status"] == "success", (q, r.text)
        return j["data"]["result"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def prometheus(tmp_path):
    binary = prometheus_binary()
    started: list[Prometheus] = []

    def start(targets: list[str]) -> Prometheus:
        p = Prometheus(binary, tmp_path / f"prometheus-{len(started)}", targets)
        started.append(p)
        return p
    yield start
    for p in started:
        p.stop()


def target_of(worker: kc.ConnectC) -> str:
    return f"127.0.0.1:{worker.port}"


def test_prometheus_scrapes_the_worker(kafka, connect_c, prometheus, unique_name, tmp_path):
    worker = connect_c()
    topic = kafka.create_topic(unique_name("mprom"), partitions=3)
    name = unique_name("mpromc")
    out = tmp_path / "out.txt"
    file_connector(worker, name, topic, out)
    kafka.produce(topic, [json.dumps({"i": i}) for i in range(30)])
    prom = prometheus([target_of(worker)])

    sel = f'{{connector="{name}",task="0"}}'

    def scraped(n: int):
        res = prom.query(f"kafka_connect_sink_task_sink_record_read_total{sel}")
        return res if res and res[0]["value"][1] == str(n) else None
    res = kc.wait_until(lambda: scraped(30), timeout=kc.scaled(30),
                        what="Prometheus sees 30 records read")
    assert res[0]["metric"] == {"__name__": "kafka_connect_sink_task_sink_record_read_total",
                                "connector": name, "task": "0", "instance": target_of(worker),
                                "job": "connect-c"}
    assert [r["value"][1] for r in prom.query('up{job="connect-c"}')] == ["1"]
    status = prom.query(f'kafka_connect_connector_task_status{{connector="{name}"}} == 1')
    assert [r["metric"]["status"] for r in status] == ["running"]
    assert prom.query(f"kafka_connect_sink_task_partition_count{sel}")[0]["value"][1] == "3"

    # The series follow the records.
    kafka.produce(topic, [json.dumps({"i": i}) for i in range(30, 50)])
    kc.wait_until(lambda: scraped(50), timeout=kc.scaled(30), what="Prometheus sees 50")
    rate = prom.query(f"rate(kafka_connect_sink_task_sink_record_read_total{sel}[30s])")
    assert float(rate[0]["value"][1]) > 0
    # No scrape was rejected (bad format, duplicate series, ...).
    assert float(prom.query('scrape_samples_scraped{job="connect-c"}')[0]["value"][1]) > 50
    targets = requests.get(prom.url + "/api/v1/targets", timeout=10).json()["data"]
    [t] = targets["activeTargets"]
    assert (t["health"], t["lastError"], t["scrapeUrl"]) == (
        "up", "", f"http://{target_of(worker)}/metrics"), t


def dashboard_queries() -> list[tuple[str, str]]:
    """(panel title, PromQL) of every target of every panel in the dashboard."""
    dash = json.loads(DASHBOARD.read_text())
    out = []

    def walk(panels):
        for p in panels:
            walk(p.get("panels", []))
            for t in p.get("targets", []):
                out.append((p["title"], t["expr"]))
    walk(dash["panels"])
    return out


def test_dashboard_panels_return_data(kafka, connect_c, prometheus, unique_name, tmp_path):
    queries = dashboard_queries()
    assert len(queries) >= 20
    worker = connect_c()
    topic = kafka.create_topic(unique_name("mdash"), partitions=2)
    dlq = unique_name("mdash-dlq")
    name = unique_name("mdashc")
    file_connector(worker, name, topic, tmp_path / "out.txt", **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1"})
    prom = prometheus([target_of(worker)])

    # Records (and a bad one now and then) keep flowing while the panels are checked.
    batch = 0

    def feed():
        nonlocal batch
        vals = [json.dumps({"b": batch, "i": i}) for i in range(20)] + ["not json"]
        kafka.produce(topic, vals)
        batch += 1

    dash = json.loads(DASHBOARD.read_text())
    var = [v for v in dash["templating"]["list"] if v["name"] == "connector"][0]
    assert var["definition"] == "label_values(kafka_connect_connector_status, connector)"

    pending = dict.fromkeys(queries)

    def all_answer():
        feed()
        for title, expr in list(pending):
            q = expr.replace("$connector", ".+").replace("$__rate_interval", "10s")
            res = prom.query(q)
            vals = [float(r["value"][1]) for r in res]
            if vals and not any(math.isnan(v) for v in vals):
                pending.pop((title, expr))
        return not pending
    deadline = time.monotonic() + kc.scaled(60)
    while not all_answer():
        assert time.monotonic() < deadline, f"panels without data: {list(pending)}"
        time.sleep(1)
    # The variable's own query (label_values) lists the connector.
    r = requests.get(prom.url + "/api/v1/label/connector/values",
                     params={"match[]": "kafka_connect_connector_status"}, timeout=10)
    assert name in r.json()["data"]


# ---------------------------------------------------------------- a sink with a network target

@pytest.fixture(scope="module")
def questdb_http(tmp_path_factory):
    """The HTTP port of a QuestDB server (tests/integration/services.sh start-questdb)."""
    if os.environ.get("KC_QUESTDB_HTTP_PORT"):
        yield int(os.environ["KC_QUESTDB_HTTP_PORT"])
        return
    services = Path(__file__).resolve().parent / "services.sh"
    run = tmp_path_factory.mktemp("questdb")
    p = subprocess.run(["bash", str(services), "start-questdb", str(run)], capture_output=True,
                       text=True, timeout=kc.scaled(300))
    if p.returncode != 0:
        pytest.skip(f"QuestDB did not start: {p.stderr[-2000:]}")
    try:
        yield int(kc.read_env_file(run / "questdb.env")["KC_QUESTDB_HTTP_PORT"])
    finally:
        subprocess.run(["bash", str(services), "stop-one", str(run), "questdb"], timeout=120)


def test_metrics_of_questdb_inserts(kafka, connect_c, questdb_http, unique_name):
    worker = connect_c()
    topic = unique_name("mqdb")
    name = unique_name("mqdbc")
    r = worker.put(f"/connectors/{name}/config", json={
        "connector.class": "io.questdb.kafka.QuestDBSinkConnector", "topics": topic,
        "table": topic, "client.conf.string": f"http::addr=127.0.0.1:{questdb_http};",
        "value.converter.schemas.enable": "false"})
    assert r.status_code == 201, r.text
    worker.wait_running(name)
    kafka.produce(topic, [json.dumps({"sensor": f"s{i % 3}", "v": i}) for i in range(60)])
    labels = {"connector": name, "task": "0", "sink": "questdb"}

    def inserted():
        m = scrape(worker)
        return m if (task_value(m, "kafka_connect_sink_task_sink_record_send_total", name) == 60
                     and value(m, "connect_c_sink_insert_total", **labels)) else None
    m = kc.wait_until(inserted, timeout=kc.scaled(60), what="QuestDB inserts in the metrics")
    n = value(m, "connect_c_sink_insert_total", **labels)
    assert value(m, "connect_c_sink_insert_failures_total", **labels) == 0
    assert value(m, "connect_c_sink_bytes_sent_total", **labels) > 60 * len("s0 v=0i")
    assert value(m, "connect_c_sink_insert_time_ms_total", **labels) > 0
    assert 0 < value(m, "connect_c_sink_insert_max_time_ms", **labels) < 30000
    avg = value(m, "connect_c_sink_insert_avg_time_ms", **labels)
    assert avg <= value(m, "connect_c_sink_insert_max_time_ms", **labels)
    assert n >= 1


# ---------------------------------------------------------------- against the JVM worker

# kafka.connect MBean types that are the Kafka clients' own metrics inside the JVM worker (its
# group member's network and coordinator figures), not Connect's: connect-c has no JVM client.
JVM_CLIENT_TYPES = {"app-info", "connect-metrics", "connect-coordinator-metrics",
                    "connect-node-metrics", "kafka-metrics-count"}


def _prom_name(s: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", s).lower()


def jvm_exporter_series(pid: int) -> dict[tuple[str, frozenset], float]:
    """The kafka.connect MBeans of a running JVM worker (tests/integration/JmxDump.java), named
    as a JMX exporter with the usual Kafka Connect rules names them: numeric attributes of
    <group>-metrics with connector and task -> kafka_connect_<group>_<attr>{connector,task};
    connect-worker-metrics[,connector] -> kafka_connect_worker_<attr>[{connector}];
    connect-worker-rebalance-metrics -> kafka_connect_worker_rebalance_<attr>; the string
    attributes status (tasks and connectors) and connector-class/-type/-version (connectors) as
    a label of a sample of value 1."""
    java = os.environ.get("JAVA", "java")
    p = subprocess.run([java, str(Path(__file__).with_name("JmxDump.java")), str(pid)],
                       capture_output=True, text=True, timeout=kc.scaled(120))
    assert p.returncode == 0, p.stderr[-3000:]
    out: dict[tuple[str, frozenset], float] = {}
    for line in p.stdout.splitlines():
        keys, attr, val = line.split("\t", 2)
        props = dict(kv.split("=", 1) for kv in keys.split(","))
        group = props.pop("type")
        if group in JVM_CLIENT_TYPES:
            continue
        labels = frozenset(props.items())
        if group == "connector-task-metrics" and attr == "status":
            out[("kafka_connect_connector_task_status", labels | {("status", val)})] = 1
            continue
        if group == "connector-metrics":
            if attr in ("status", "connector-class", "connector-type", "connector-version"):
                out[("kafka_connect_connector_" + _prom_name(attr),
                     labels | {(_prom_name(attr), val)})] = 1
            continue
        try:
            v = float(val)
        except ValueError:
            continue  # other strings (classes, versions, protocol, leader): not exported
        if group == "connect-worker-metrics":
            name = "kafka_connect_worker_" + _prom_name(attr)
        elif group == "connect-worker-rebalance-metrics":
            name = "kafka_connect_worker_rebalance_" + _prom_name(attr)
        else:
            assert group.endswith("-metrics") and "task" in props, line
            name = f"kafka_connect_{_prom_name(group[:-len('-metrics')])}_{_prom_name(attr)}"
        out[(name, labels)] = v
    return out


def test_names_and_counts_match_the_jvm_worker(kafka, jvm_connect, connect_c, unique_name,
                                               tmp_path):
    """Every metric a JMX exporter makes of the JVM worker's Connect MBeans exists in our
    /metrics with the same labels, and the counts of the same records agree."""
    topic = kafka.create_topic(unique_name("mjvm"), partitions=2)
    kafka.produce(topic, ['{"a":1}', '{"a":2}', "not json", '{"a":3}', '{"a":4}'])
    jvm, ours = jvm_connect(), connect_c()
    # Different names: each connector's consumer group is connect-<name>.
    names = {"jvm": unique_name("mjvmj"), "cc": unique_name("mjvmc")}
    for w, tag in ((jvm, "jvm"), (ours, "cc")):
        file_connector(w, names[tag], topic, tmp_path / f"{tag}.txt", **{
            "errors.tolerance": "all", "errors.deadletterqueue.topic.name": f"{topic}-{tag}-dlq",
            "errors.deadletterqueue.topic.replication.factor": "1"})
    for tag in ("jvm", "cc"):
        kc.wait_until(lambda: len(kc.complete_lines(tmp_path / f"{tag}.txt")) == 4,
                      timeout=kc.scaled(60), what=f"4 lines from the {tag} worker")
    time.sleep(1.5)  # a commit and a gauge refresh on both

    def same_name(series, tag):
        """Only the series of our connector (others may share the broker), its name as C."""
        out = {}
        for (n, labels), v in series.items():
            d = dict(labels)
            if d.get("connector", names[tag]) != names[tag]:
                continue
            if "connector" in d:
                d["connector"] = "C"
            out[(n, frozenset(d.items()))] = v
        return out
    theirs = same_name(jvm_exporter_series(int(jvm.env["KC_CONNECT_PID"])), "jvm")
    mine = same_name(scrape(ours), "cc")
    assert len(theirs) > 50 and len({n for n, _ in theirs}) > 50, sorted(theirs)
    missing = sorted(f"{n}{dict(l)}" for n, l in theirs.keys() - mine.keys())
    assert not missing, "JVM series missing from /metrics:\n" + "\n".join(missing)

    task = frozenset({("connector", "C"), ("task", "0")})
    for metric in ("kafka_connect_sink_task_sink_record_read_total",
                   "kafka_connect_sink_task_sink_record_send_total",
                   "kafka_connect_sink_task_partition_count",
                   "kafka_connect_sink_task_sink_record_active_count",
                   "kafka_connect_task_error_total_record_errors",
                   "kafka_connect_task_error_total_record_failures",
                   "kafka_connect_task_error_total_records_skipped",
                   "kafka_connect_task_error_total_errors_logged",
                   "kafka_connect_task_error_deadletterqueue_produce_requests",
                   "kafka_connect_task_error_deadletterqueue_produce_failures",
                   "kafka_connect_connector_task_offset_commit_failure_percentage",
                   "kafka_connect_connector_task_pause_ratio"):
        assert mine[(metric, task)] == theirs[(metric, task)], metric
    for metric in ("kafka_connect_worker_connector_count", "kafka_connect_worker_task_count",
                   "kafka_connect_worker_rebalance_rebalancing"):
        assert mine[(metric, frozenset())] == theirs[(metric, frozenset())], metric
    conn = frozenset({("connector", "C")})
    for metric in ("kafka_connect_worker_connector_running_task_count",
                   "kafka_connect_worker_connector_total_task_count",
                   "kafka_connect_worker_connector_failed_task_count"):
        assert mine[(metric, conn)] == theirs[(metric, conn)], metric


def test_metrics_of_s3_objects(kafka, connect_c, unique_name, tmp_path):
    """An S3 sink on the local store: each object made visible is one write, its bytes the
    object's size."""
    worker = connect_c()
    topic = kafka.create_topic(unique_name("ms3"))
    name = unique_name("ms3c")
    root = tmp_path / "store"
    root.mkdir()
    r = worker.create_connector(name, {
        "connector.class": "io.confluent.connect.s3.S3SinkConnector", "tasks.max": "1",
        "topics": topic, "s3.bucket.name": "b", "s3.region": "eu-west-1",
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat", "flush.size": "10",
        "store.url": f"file://{root}"})
    assert r.status_code == 201, r.text
    worker.wait_running(name)
    kafka.produce(topic, [json.dumps({"i": i}) for i in range(30)])
    labels = {"connector": name, "task": "0", "sink": "s3"}
    m = kc.wait_until(lambda: (lambda m: m if value(m, "connect_c_sink_insert_total", **labels)
                               == 3 else None)(scrape(worker)),
                      timeout=kc.scaled(60), what="3 S3 objects in the metrics")
    files = [f for f in root.rglob("*") if f.is_file()]
    assert len(files) == 3, files
    assert value(m, "connect_c_sink_bytes_sent_total", **labels) == sum(f.stat().st_size
                                                                        for f in files)
    assert value(m, "connect_c_sink_insert_failures_total", **labels) == 0


@pytest.fixture(scope="module")
def clickhouse_http(tmp_path_factory):
    """The HTTP port of a ClickHouse server (tests/integration/services.sh start-clickhouse)."""
    server = os.environ.get("KC_CLICKHOUSE_SERVER", "/usr/sbin/clickhouse-server")
    if not os.access(server, os.X_OK):
        pytest.skip("clickhouse-server not installed (scripts/setup.sh)")
    services = Path(__file__).resolve().parent / "services.sh"
    run = tmp_path_factory.mktemp("clickhouse")
    subprocess.run([str(services), "start-clickhouse", str(run)], check=True,
                   capture_output=True, timeout=kc.scaled(120))
    try:
        yield int(kc.read_env_file(run / "clickhouse.env")["KC_CLICKHOUSE_HTTP_PORT"])
    finally:
        subprocess.run([str(services), "stop-one", str(run), "clickhouse"], timeout=120,
                       capture_output=True)


def test_metrics_of_clickhouse_inserts(kafka, connect_c, clickhouse_http, unique_name):
    def q(sql: str) -> str:
        r = requests.post(f"http://127.0.0.1:{clickhouse_http}/", data=sql.encode(), timeout=30)
        assert r.status_code == 200, r.text
        return r.text
    db = unique_name("mch").replace("-", "_")
    q(f"CREATE DATABASE {db}")
    q(f"CREATE TABLE {db}.t (id UInt32, s String) ENGINE = MergeTree ORDER BY id")
    worker = connect_c()
    topic = unique_name("mch")
    name = unique_name("mchc")
    r = worker.create_connector(name, {
        "connector.class": "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
        "tasks.max": "1", "topics": topic, "hostname": "127.0.0.1", "port": str(clickhouse_http),
        "ssl": "false", "database": db, "topic2TableMap": f"{topic}=t",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false"})
    assert r.status_code == 201, r.text
    worker.wait_running(name)
    kafka.produce(topic, [json.dumps({"id": i, "s": f"row {i}"}) for i in range(50)])
    kc.wait_until(lambda: q(f"SELECT count() FROM {db}.t").strip() == "50",
                  timeout=kc.scaled(60), what="50 rows in ClickHouse")
    labels = {"connector": name, "task": "0", "sink": "clickhouse"}
    m = kc.wait_until(lambda: (lambda m: m if value(m, "connect_c_sink_insert_total", **labels)
                               else None)(scrape(worker)),
                      timeout=kc.scaled(30), what="ClickHouse inserts in the metrics")
    # Native (every column has a Native form): 4 bytes of id, a length byte and the string per
    # row, plus per insert its block header: column and row counts (1 byte each here) and each
    # column's name and type as length-prefixed strings (id UInt32: 10 bytes, s String: 9).
    inserts = value(m, "connect_c_sink_insert_total", **labels)
    assert value(m, "connect_c_sink_bytes_sent_total", **labels) == sum(
        4 + 1 + len(f"row {i}") for i in range(50)) + 21 * inserts
    assert value(m, "connect_c_sink_insert_failures_total", **labels) == 0
    assert value(m, "connect_c_sink_insert_time_ms_total", **labels) > 0
