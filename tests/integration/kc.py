"""Helpers shared by the connect-c integration tests (tests/integration/**).

What lives here (fixtures that use it are in conftest.py):
  - timeouts: scaled(), wait_until(); every timeout is multiplied by KC_TEST_TIMEOUT_SCALE
    (sanitizer runs set 3), the way librdkafka's tmout_multip() does.
  - names and ports: unique(), free_port().
  - Services: a thin wrapper over tests/integration/services.sh (broker, JVM worker, stop).
  - Kafka: produce with kcat from stdin (fast, one message per delimiter), consume with
    `kcat -C -e -J`, topic creation and consumer-group offsets with confluent_kafka's admin
    client when it is installed.
  - Rest: a tiny requests wrapper for a Connect REST endpoint (JVM or ours).
  - JvmWorker: a reference JVM Connect 4.1.0 worker started through services.sh.
  - ConnectC: our C worker binary `connect-distributed` on a generated worker.properties; it can
    be SIGKILLed and restarted on the same properties (same port, same topics, same group).

Nothing here binds anything but 127.0.0.1, and every process is stopped by its own PID.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import requests

REPO = Path(__file__).resolve().parents[2]
SERVICES_SH = REPO / "tests" / "integration" / "services.sh"
JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"
FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"

# ----------------------------------------------------------------------------------------------
# timeouts, names, ports


def timeout_scale() -> float:
    try:
        return max(1.0, float(os.environ.get("KC_TEST_TIMEOUT_SCALE", "1")))
    except ValueError:
        return 1.0


def scaled(seconds: float) -> float:
    """seconds * KC_TEST_TIMEOUT_SCALE."""
    return seconds * timeout_scale()


class GiveUp(AssertionError):
    """Raised by a wait_until predicate to stop waiting at once (e.g. the process died)."""


def wait_until(pred: Callable[[], Any], timeout: float = 30.0, interval: float = 0.2,
               what: str | None = None) -> Any:
    """Call pred() until it returns something truthy and return that value.

    timeout is scaled by KC_TEST_TIMEOUT_SCALE. Exceptions raised by pred count as "not yet",
    except GiveUp, which propagates; on timeout an AssertionError names `what` and carries the
    last value or exception.
    """
    deadline = time.monotonic() + scaled(timeout)
    last: Any = None
    while True:
        try:
            value = pred()
            if value:
                return value
            last = value
        except GiveUp:
            raise
        except Exception as e:  # noqa: BLE001 - "not yet", reported on timeout
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {scaled(timeout):.0f}s waiting for "
                f"{what or getattr(pred, '__name__', 'condition')}; last: {last!r}")
        time.sleep(interval)


_counter = itertools.count()


def unique(prefix: str = "t") -> str:
    """A topic/group/connector name unique across tests and runs: <prefix>-<pid>-<n>-<rand>."""
    return f"{prefix}-{os.getpid()}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def complete_lines(path: Path) -> list[str]:
    """The lines of a file a sink is still writing, without the one it may be half-way through
    (text after the last newline); [] while the file does not exist."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in Path(path).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v
    return env


def write_properties(path: Path, props: dict[str, Any]) -> None:
    lines = [f"{k}={'' if v is None else v}" for k, v in props.items()]
    Path(path).write_text("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------------------------
# services.sh


class Services:
    """tests/integration/services.sh, run in one RUN_DIR."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)

    def _run(self, *args: str, timeout: float = 300) -> str:
        p = subprocess.run([str(SERVICES_SH), *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=scaled(timeout))
        if p.returncode != 0:
            raise RuntimeError(f"services.sh {' '.join(args)} failed ({p.returncode}):\n"
                               f"{p.stderr[-8000:]}")
        return p.stdout

    def fetch(self) -> None:
        self._run("fetch", timeout=900)

    def start_kafka(self) -> dict[str, str]:
        self._run("start-kafka", str(self.run_dir))
        return read_env_file(self.run_dir / "env")

    def start_jvm_connect(self, name: str, props: dict[str, Any] | None = None,
                          bootstrap: str | None = None) -> dict[str, str]:
        kv = [f"{k}={v}" for k, v in (props or {}).items()]
        env = dict(os.environ)
        if bootstrap:
            env["KC_BOOTSTRAP"] = bootstrap
        p = subprocess.run([str(SERVICES_SH), "start-jvm-connect", str(self.run_dir), name, *kv],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                           timeout=scaled(300))
        if p.returncode != 0:
            raise RuntimeError(f"start-jvm-connect {name} failed:\n{p.stderr[-8000:]}")
        return read_env_file(self.run_dir / f"{name}.env")

    def start_registry(self) -> dict[str, str]:
        """Apicurio Registry (Confluent API): {"KC_REGISTRY_URL": ".../apis/ccompat/v7"}."""
        self._run("start-registry", str(self.run_dir), timeout=900)
        return read_env_file(self.run_dir / "registry.env")

    def stop_one(self, name: str) -> None:
        self._run("stop-one", str(self.run_dir), name)

    def stop(self) -> None:
        self._run("stop", str(self.run_dir))


# ----------------------------------------------------------------------------------------------
# Kafka (kcat + optional confluent_kafka admin)


@dataclass
class Record:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: str | None
    headers: list[tuple[str, str | None]] = field(default_factory=list)
    timestamp: int | None = None

    def json(self) -> Any:
        return None if self.value is None else json.loads(self.value)


def _kcat_delim(c: str) -> str:
    return "\\x%02x" % ord(c)


class Kafka:
    """A broker at `bootstrap` (127.0.0.1:<port>)."""

    KEY_SEP = "\x1f"  # ASCII unit separator: between key and value in kcat's input
    MSG_SEP = "\x1e"  # ASCII record separator: between messages (values may contain \n)

    def __init__(self, bootstrap: str, run_dir: Path | None = None):
        self.bootstrap = bootstrap
        self.run_dir = run_dir
        self._admin = None

    # -- produce -------------------------------------------------------------------------------

    def produce(self, topic: str, values: Iterable[str | bytes | dict | list | None],
                keys: Iterable[str | None] | None = None,
                headers: dict[str, str] | None = None, partition: int | None = None,
                compression: str | None = None, timeout: float = 120) -> int:
        """Produce one message per value with kcat (reads stdin). dict/list values are JSON-encoded.

        keys (same length) gives per-message keys; headers go on every message (kcat cannot vary
        them; use produce_records for that). None keys/values become NULL (kcat -Z), so empty
        strings cannot be sent together with nulls. Values must not contain \\x1e and keys must
        not contain \\x1f. Returns the number of messages sent.
        """
        vals = list(values)
        ks = list(keys) if keys is not None else None
        if ks is not None and len(ks) != len(vals):
            raise ValueError("keys and values differ in length")
        has_null = any(v is None for v in vals) or (ks is not None and any(k is None for k in ks))
        chunks = []
        for i, v in enumerate(vals):
            if isinstance(v, (dict, list)):
                v = json.dumps(v, separators=(",", ":"))
            elif isinstance(v, bytes):
                v = v.decode()
            v = "" if v is None else v
            if not has_null and v == "":
                raise ValueError("kcat cannot send an empty value; use produce_records")
            if self.MSG_SEP in v:
                raise ValueError("value contains \\x1e")
            if ks is not None:
                k = "" if ks[i] is None else ks[i]
                if self.KEY_SEP in k:
                    raise ValueError("key contains \\x1f")
                chunks.append(k + self.KEY_SEP + v)
            else:
                chunks.append(v)
        data = (self.MSG_SEP.join(chunks) + self.MSG_SEP).encode() if chunks else b""
        cmd = ["kcat", "-P", "-q", "-b", self.bootstrap, "-t", topic, "-D",
               _kcat_delim(self.MSG_SEP)]
        if ks is not None:
            cmd += ["-K", _kcat_delim(self.KEY_SEP)]
        if has_null:
            cmd.append("-Z")
        if partition is not None:
            cmd += ["-p", str(partition)]
        if compression:
            cmd += ["-z", compression]
        for hk, hv in (headers or {}).items():
            cmd += ["-H", f"{hk}={hv}"]
        p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=scaled(timeout))
        if p.returncode != 0:
            raise RuntimeError(f"kcat produce to {topic} failed: {p.stderr.decode()[-4000:]}")
        return len(vals)

    def produce_lines(self, topic: str, n: int, fmt: str = "line-{i}", **kw: Any) -> list[str]:
        """Produce n values fmt.format(i=0..n-1); return them."""
        vals = [fmt.format(i=i) for i in range(n)]
        self.produce(topic, vals, **kw)
        return vals

    def produce_records(self, topic: str, records: Sequence[dict[str, Any]],
                        timeout: float = 60) -> None:
        """Produce with per-record control (needs confluent_kafka): each record is a dict with
        optional key, value (str/bytes/dict/None), headers (list of (k, v)), partition,
        timestamp (ms)."""
        from confluent_kafka import Producer  # type: ignore

        prod = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5})
        errors: list[str] = []

        def cb(err, _msg):
            if err is not None:
                errors.append(str(err))

        for r in records:
            v = r.get("value")
            if isinstance(v, (dict, list)):
                v = json.dumps(v, separators=(",", ":"))
            kw: dict[str, Any] = {"value": v, "key": r.get("key"), "on_delivery": cb}
            if r.get("headers") is not None:
                kw["headers"] = list(r["headers"])
            if r.get("partition") is not None:
                kw["partition"] = r["partition"]
            if r.get("timestamp") is not None:
                kw["timestamp"] = r["timestamp"]
            prod.produce(topic, **kw)
            prod.poll(0)
        left = prod.flush(scaled(timeout))
        if left or errors:
            raise RuntimeError(f"produce_records: {left} undelivered, errors {errors[:5]}")

    # -- consume -------------------------------------------------------------------------------

    def consume(self, topic: str, count: int | None = None, timeout: float = 30,
                partition: int | None = None, offset: str = "beginning") -> list[Record]:
        """Read a topic from `offset` to its current end with `kcat -C -e -J`.

        With count, keep re-reading until at least count records are there (or time out) and
        return the first count. Records keep kcat's order (per partition in offset order).
        """
        def once() -> list[Record]:
            cmd = ["kcat", "-C", "-q", "-b", self.bootstrap, "-t", topic, "-e", "-J",
                   "-o", offset]
            if partition is not None:
                cmd += ["-p", str(partition)]
            if count is not None:
                cmd += ["-c", str(count)]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=scaled(max(timeout, 30)))
            if p.returncode != 0:
                raise RuntimeError(f"kcat consume {topic}: {p.stderr.decode(errors='replace')}")
            out = []
            for line in p.stdout.decode().splitlines():
                if not line.strip():
                    continue
                j = json.loads(line)
                h = j.get("headers") or []
                out.append(Record(topic=j["topic"], partition=j["partition"], offset=j["offset"],
                                  key=j.get("key"), value=j.get("payload"),
                                  headers=list(zip(h[0::2], h[1::2])), timestamp=j.get("ts")))
            return out

        if count is None:
            return once()

        def enough() -> list[Record] | None:
            recs = once()
            return recs[:count] if len(recs) >= count else None

        return wait_until(enough, timeout=timeout, what=f"{count} records in {topic}")

    def topic_exists(self, topic: str) -> bool:
        p = subprocess.run(["kcat", "-L", "-J", "-b", self.bootstrap, "-t", topic],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=scaled(30))
        if p.returncode != 0:
            return False
        md = json.loads(p.stdout)
        return any(t.get("topic") == topic and not t.get("error") and t.get("partitions")
                   for t in md.get("topics", []))

    # -- admin (confluent_kafka) ---------------------------------------------------------------

    def close(self) -> None:
        """Drop the admin client (before the broker stops, so librdkafka does not log refusals)."""
        self._admin = None
        import gc
        gc.collect()

    def admin(self):
        if self._admin is None:
            try:
                from confluent_kafka.admin import AdminClient  # type: ignore
            except ImportError as e:  # pragma: no cover - setup.sh installs it
                import pytest
                pytest.skip(f"confluent_kafka not installed ({e}); run scripts/setup.sh")
            self._admin = AdminClient({"bootstrap.servers": self.bootstrap,
                                       "log.connection.close": False})
        return self._admin

    def create_topic(self, topic: str, partitions: int = 1,
                     config: dict[str, str] | None = None) -> str:
        from confluent_kafka.admin import NewTopic  # type: ignore

        fut = self.admin().create_topics(
            [NewTopic(topic, num_partitions=partitions, replication_factor=1,
                      config=config or {})], operation_timeout=scaled(30))
        fut[topic].result(timeout=scaled(60))
        wait_until(lambda: self.topic_exists(topic), timeout=30, what=f"topic {topic}")
        return topic

    def describe_topic_config(self, topic: str) -> dict[str, str]:
        from confluent_kafka.admin import ConfigResource  # type: ignore

        res = ConfigResource(ConfigResource.Type.TOPIC, topic)
        cfg = self.admin().describe_configs([res])[res].result(timeout=scaled(30))
        return {k: v.value for k, v in cfg.items()}

    def partitions(self, topic: str) -> int:
        md = self.admin().list_topics(topic, timeout=scaled(30))
        return len(md.topics[topic].partitions)

    def committed_offsets(self, group: str) -> dict[tuple[str, int], int]:
        """Committed offsets of a consumer group: {(topic, partition): offset}. A sink connector
        `c` commits as group `connect-c`."""
        from confluent_kafka import ConsumerGroupTopicPartitions  # type: ignore

        fut = self.admin().list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])
        res = fut[group].result(timeout=scaled(30))
        return {(tp.topic, tp.partition): tp.offset for tp in res.topic_partitions
                if tp.offset >= 0}

    def end_offsets(self, topic: str) -> dict[int, int]:
        from confluent_kafka import Consumer, TopicPartition  # type: ignore

        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": unique("kc-probe"),
                      "enable.auto.commit": False})
        try:
            n = self.partitions(topic)
            out = {}
            for p in range(n):
                _lo, hi = c.get_watermark_offsets(TopicPartition(topic, p),
                                                  timeout=scaled(30))
                out[p] = hi
            return out
        finally:
            c.close()


# ----------------------------------------------------------------------------------------------
# REST


# ---- secrets of the run --------------------------------------------------------------------
# Every password, key or token a test hands a worker (worker properties and connector configs
# are harvested here; tests add others with secret()) and the log of every connect-c worker
# started. conftest.py greps every log for every secret when the session ends.
SECRETS: set[str] = set()
WORKER_LOGS: list[Path] = []
_SECRET_KEY = re.compile(r"(password|secret|(^|\.)token$|keystore\.key$)", re.IGNORECASE)
_JAAS_PASSWORD = re.compile(r'password\s*=\s*"([^"]+)"')
_CONF_STRING_SECRET = re.compile(r"(?:password|token)=([^;]+)")


def secret(value: str) -> str:
    """Register a secret (returned unchanged) that no worker log may ever contain."""
    if value and len(value) >= 6 and value != "[hidden]":
        SECRETS.add(value)
    return value


def harvest_secrets(config: Any) -> None:
    """Register the values of password-like keys (and JAAS passwords) of a config dict."""
    if not isinstance(config, dict):
        return
    for k, v in config.items():
        if isinstance(v, dict):
            harvest_secrets(v)
            continue
        if not isinstance(v, str) or "${" in v:
            continue
        if str(k).endswith("sasl.jaas.config"):
            for m in _JAAS_PASSWORD.finditer(v):
                secret(m.group(1))
        elif str(k) == "client.conf.string":  # QuestDB: only its password= / token= parts
            for m in _CONF_STRING_SECRET.finditer(v):
                secret(m.group(1))
        elif _SECRET_KEY.search(str(k)) and not str(k).endswith((".location", ".type")):
            secret(v)


class Rest:
    """requests against one Connect REST base URL; never raises on HTTP status."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.s = requests.Session()

    def request(self, method: str, path: str, timeout: float = 30, **kw: Any) -> requests.Response:
        harvest_secrets(kw.get("json"))
        return self.s.request(method, self.url + path, timeout=scaled(timeout), **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def create_connector(self, name: str, config: dict[str, Any]) -> requests.Response:
        r = self.post("/connectors", json={"name": name, "config": config})
        assert r.status_code == 201, f"create {name}: {r.status_code} {r.text}"
        return r

    def status(self, name: str) -> dict[str, Any]:
        r = self.get(f"/connectors/{name}/status")
        r.raise_for_status()
        return r.json()

    def wait_running(self, name: str, tasks: int = 1, timeout: float = 60) -> dict[str, Any]:
        """Wait for connector RUNNING with `tasks` tasks all RUNNING; return the status."""
        def ok():
            st = self.status(name)
            ts = st.get("tasks", [])
            return (st["connector"]["state"] == "RUNNING" and len(ts) == tasks
                    and all(t["state"] == "RUNNING" for t in ts)) and st
        return wait_until(ok, timeout=timeout, what=f"{name} RUNNING with {tasks} task(s)")

    def failure(self, name: str) -> str | None:
        """The trace of the connector or a task of it when FAILED, else None (also when the
        status cannot be read)."""
        try:
            st = self.get(f"/connectors/{name}/status").json()
        except Exception:
            return None
        for t in [st.get("connector", {}), *st.get("tasks", [])]:
            if t.get("state") == "FAILED":
                return t.get("trace", "FAILED")
        return None


# ----------------------------------------------------------------------------------------------
# JVM reference worker


class JvmWorker(Rest):
    """A JVM Connect 4.1.0 worker started by services.sh start-jvm-connect."""

    def __init__(self, services: Services, name: str, env: dict[str, str],
                 props: dict[str, Any]):
        super().__init__(env["KC_CONNECT_URL"])
        self.services = services
        self.name = name
        self.env = env
        self.props = props
        self.group = props.get("group.id", name)
        self.config_topic = props.get("config.storage.topic", f"{name}-configs")
        self.offset_topic = props.get("offset.storage.topic", f"{name}-offsets")
        self.status_topic = props.get("status.storage.topic", f"{name}-status")
        self.log_path = Path(env["KC_CONNECT_LOG"])

    def stop(self) -> None:
        self.services.stop_one(self.name)


# ----------------------------------------------------------------------------------------------
# Our worker: connect-distributed


def build_dir() -> Path:
    d = Path(os.environ.get("KC_BUILD_DIR", "build"))
    return d if d.is_absolute() else REPO / d


def connect_bin() -> Path:
    b = os.environ.get("KC_CONNECT_BIN")
    if b:
        p = Path(b)
        return p if p.is_absolute() else REPO / p
    return build_dir() / "worker" / "connect-distributed"


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "WARNING: ThreadSanitizer", "ERROR: UndefinedBehaviorSanitizer")


class ConnectC(Rest):
    """Our C worker: `connect-distributed <worker.properties>`, logs on stderr, REST on listeners.

    Properties (generated once in `workdir`, reused by restart()): bootstrap.servers, group.id,
    config/offset/status topics <group>-configs/-offsets/-status, replication factors 1,
    offset.storage.partitions=1, status.storage.partitions=1,
    listeners=http://127.0.0.1:<free port>, rest.advertised.host.name/port, JsonConverter key and
    value converters with schemas.enable=false, offset.flush.interval.ms=1000, plugin.path=<empty
    dir>; `overrides` are merged last (a None value removes a key).
    """

    def __init__(self, bootstrap: str, workdir: Path, name: str | None = None,
                 overrides: dict[str, Any] | None = None, binary: Path | None = None):
        self.binary = Path(binary) if binary else connect_bin()
        if not (self.binary.is_file() and os.access(self.binary, os.X_OK)):
            import pytest
            pytest.skip(f"connect-c worker binary not built: {self.binary} "
                        f"(build it, or set KC_CONNECT_BIN / KC_BUILD_DIR)")
        self.name = name or unique("kcw")
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        (self.workdir / "plugins").mkdir(exist_ok=True)
        props: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "group.id": self.name,
            "config.storage.topic": f"{self.name}-configs",
            "offset.storage.topic": f"{self.name}-offsets",
            "status.storage.topic": f"{self.name}-status",
            "config.storage.replication.factor": 1,
            "offset.storage.replication.factor": 1,
            "status.storage.replication.factor": 1,
            "offset.storage.partitions": 1,
            "status.storage.partitions": 1,
            "listeners": f"http://127.0.0.1:{self.port}",
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": self.port,
            "key.converter": JSON_CONVERTER,
            "value.converter": JSON_CONVERTER,
            "key.converter.schemas.enable": "false",
            "value.converter.schemas.enable": "false",
            "offset.flush.interval.ms": 1000,
            "plugin.path": str(self.workdir / "plugins"),
        }
        for k, v in (overrides or {}).items():
            if v is None:
                props.pop(k, None)
            else:
                props[k] = v
        if "listeners" in (overrides or {}):  # keep url/port consistent with the override
            self.port = int(str(props["listeners"]).rsplit(":", 1)[1].split(",")[0])
            if "rest.advertised.port" not in (overrides or {}):
                props["rest.advertised.port"] = self.port
        self.props = props
        self.group = props.get("group.id")
        self.config_topic = props.get("config.storage.topic")
        self.offset_topic = props.get("offset.storage.topic")
        self.status_topic = props.get("status.storage.topic")
        self.properties_path = self.workdir / "worker.properties"
        write_properties(self.properties_path, props)
        self.log_path = self.workdir / "worker.log"
        harvest_secrets({k: str(v) for k, v in props.items()})
        WORKER_LOGS.append(self.log_path)
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        super().__init__(f"http://127.0.0.1:{self.port}")

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, wait: bool = True, timeout: float = 60,
              env: dict[str, str] | None = None) -> "ConnectC":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        logf = open(self.log_path, "ab")
        logf.write(f"\n===== start #{self.starts} {time.strftime('%H:%M:%S')} =====\n".encode())
        logf.flush()
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen([str(self.binary), str(self.properties_path)],
                                     stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     cwd=self.workdir, env=e)
        logf.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        def ready():
            if self.proc is not None and self.proc.poll() is not None:
                raise GiveUp(f"connect-distributed exited with {self.proc.returncode}")
            try:
                return self.get("/health", timeout=2).status_code == 200
            except requests.RequestException:
                return False
        try:
            wait_until(ready, timeout=timeout, interval=0.1, what=f"GET {self.url}/health")
        except AssertionError as e:  # GiveUp included
            raise AssertionError(f"{e}\n--- {self.log_path} ---\n{self.log_tail()}") from None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> int | None:
        """SIGKILL (crash simulation); returns the exit status."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(timeout=scaled(30)) if self.proc else None

    def stop(self, grace: float = 30) -> int | None:
        """SIGTERM, then SIGKILL after `grace` (scaled) seconds; returns the exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=scaled(grace))
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(timeout=scaled(30))
        return self.proc.returncode

    def restart(self, kill: bool = False, wait: bool = True) -> "ConnectC":
        """Stop (or SIGKILL with kill=True) and start again on the same properties and port."""
        self.kill() if kill else self.stop()
        return self.start(wait=wait)

    # -- diagnostics ---------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n: int = 200) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def sanitizer_errors(self) -> list[str]:
        return [ln for ln in self.log_text().splitlines()
                if any(m in ln for m in SANITIZER_MARKERS)]


def rss_mib(pid: int) -> float:
    """The process's resident set size (VmRSS) in MiB, 0 when it has gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def make_tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


# ---------------------------------------------------------------------------------------------
# TLS in front of servers without a TLS listener


def make_cert(tmp: Path, name: str) -> tuple[Path, Path]:
    """A self-signed EC certificate for localhost / 127.0.0.1 (openssl CLI): (cert, key)."""
    cert, key = tmp / f"{name}.crt", tmp / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class TlsProxy:
    """TLS on a loopback port, plain TCP to target_port (a server's plain port), bytes
    copied both ways: a TLS terminator in front of a server that has no TLS listener. With
    cert None the client side is plain TCP too. cut() drops every open connection (both
    sides), as a network failure would."""

    def __init__(self, cert: Path | None, key: Path | None, target_port: int):
        self.ctx = None
        if cert is not None:
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(cert, key)
        self.target = target_port
        self.srv = socket.create_server(("127.0.0.1", 0))
        self.port = self.srv.getsockname()[1]
        self.handshake_errors: list[str] = []
        self.open: set[socket.socket] = set()
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                raw, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(raw,), daemon=True).start()

    def serve(self, raw: socket.socket):
        try:
            cli = self.ctx.wrap_socket(raw, server_side=True) if self.ctx is not None else raw
        except (ssl.SSLError, OSError) as e:
            self.handshake_errors.append(str(e))
            raw.close()
            return
        up = socket.create_connection(("127.0.0.1", self.target))
        with self.lock:
            self.open.update((cli, up))
            self.connections += 1

        def pump(src, dst):
            try:
                while True:
                    b = src.recv(65536)
                    if not b:
                        break
                    dst.sendall(b)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass
                with self.lock:
                    self.open.discard(s)
        threading.Thread(target=pump, args=(up, cli), daemon=True).start()
        pump(cli, up)

    def cut(self) -> int:
        """Close every open connection; returns how many sockets were closed."""
        with self.lock:
            socks = list(self.open)
            self.open.clear()
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        return len(socks)

    def close(self):
        self.srv.close()
