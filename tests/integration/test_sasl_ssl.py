"""SASL_SSL to Kafka as a managed-Kafka user runs it: SASL PLAIN over TLS, the credentials in
sasl.jaas.config, a JKS truststore (issue 11, item 3).

A second broker (services.sh start-kafka-sasl-ssl) gets a SASL_SSL listener whose certificate is
signed by a CA made here; the client truststore is a real JKS store made with keytool. The worker
knows only the SASL_SSL listener, so its own clients (internal topics, group), the task consumer
(consumer.*), the DLQ producer (producer.*) must all speak SASL_SSL for the sink to work; the
test helpers produce and read through the broker's PLAINTEXT listener. A wrong password stops
the worker quickly with an error naming authentication, and no password reaches the log.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

import kc

PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"


def _run(*cmd: str, cwd: Path) -> None:
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, f"{' '.join(cmd)}:\n{p.stdout}"


class SaslBroker:
    def __init__(self, run: Path):
        self.run = run
        # unguessable strings, so a leak check cannot pass by luck
        tag = uuid.uuid4().hex[:10]
        self.users = {"alice": f"alicePw{tag}", "bob": f"bobPw{tag}", "carol": f"carolPw{tag}",
                      "dave": f"davePw{tag}"}
        self.truststore_pw = f"tsPw{tag}"
        self.truststore = run / "tls" / "client.truststore.jks"
        self.svc = kc.Services(run)
        self.env: dict[str, str] = {}

    def make_tls(self) -> None:
        tls = self.run / "tls"
        tls.mkdir()
        _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
             "-out", "ca.pem", "-days", "2", "-subj", "/CN=connect-c test CA", cwd=tls)
        _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "broker.key",
             "-out", "broker.csr", "-subj", "/CN=127.0.0.1", cwd=tls)
        (tls / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        _run("openssl", "x509", "-req", "-in", "broker.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "broker.pem", "-days", "2", "-extfile", "san.ext",
             cwd=tls)
        bpw = uuid.uuid4().hex
        (tls / "broker.p12.password").write_text(bpw)
        _run("openssl", "pkcs12", "-export", "-in", "broker.pem", "-inkey", "broker.key",
             "-certfile", "ca.pem", "-name", "broker", "-out", "broker.p12",
             "-passout", f"pass:{bpw}", cwd=tls)
        # the client side as JVM users have it: a JKS truststore holding the CA
        _run("keytool", "-importcert", "-noprompt", "-storetype", "JKS", "-keystore",
             str(self.truststore), "-storepass", self.truststore_pw, "-alias", "ca",
             "-file", "ca.pem", cwd=tls)
        assert self.truststore.read_bytes()[:4] == b"\xfe\xed\xfe\xed"  # really JKS
        (self.run / "users").write_text("".join(f"{u}={p}\n" for u, p in self.users.items()))

    def start(self) -> None:
        self.svc.fetch()
        self.svc._run("start-kafka-sasl-ssl", str(self.run))
        self.env = kc.read_env_file(self.run / "env")
        self.plain = kc.Kafka(self.env["KC_BOOTSTRAP"], self.run)
        self.sasl_bootstrap = self.env["KC_SASL_SSL_BOOTSTRAP"]

    def client(self, user: str, password: str | None = None) -> dict[str, str]:
        """The Java client keys of one client, as a user writes them."""
        pw = self.users[user] if password is None else password
        return {
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "PLAIN",
            "sasl.jaas.config": f'{PLAIN} required username="{user}" password="{pw}";',
            "ssl.truststore.location": str(self.truststore),
            "ssl.truststore.password": self.truststore_pw,
        }

    def worker_props(self, **users: str) -> dict[str, str]:
        """Top-level keys for the worker's own clients, consumer./producer./admin. for the rest;
        users maps a prefix (top, consumer, producer, admin) to a user or (user, password)."""
        props: dict[str, str] = {}
        for prefix, who in users.items():
            user, pw = who if isinstance(who, tuple) else (who, None)
            for k, v in self.client(user, pw).items():
                props[k if prefix == "top" else f"{prefix}.{k}"] = v
        return props

    def secrets(self) -> list[str]:
        return [*self.users.values(), self.truststore_pw]


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory):
    for tool in ("openssl", "keytool", "kcat"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (scripts/setup.sh)")
    b = SaslBroker(tmp_path_factory.mktemp("sasl-ssl"))
    b.make_tls()
    b.start()
    try:
        yield b
    finally:
        b.plain.close()
        b.svc.stop()


@pytest.fixture
def sasl_worker(sasl_broker, tmp_path):
    """connect_c's contract, but against the SASL_SSL listener."""
    workers: list[kc.ConnectC] = []

    def make(props: dict[str, str], start: bool = True) -> kc.ConnectC:
        w = kc.ConnectC(sasl_broker.sasl_bootstrap, tmp_path / f"connect-c-{len(workers)}",
                        overrides=props)
        workers.append(w)
        if start:
            w.start(timeout=kc.scaled(90))
        return w

    yield make
    problems = []
    for w in workers:
        rc = w.stop()
        if rc not in (None, 0, 1, 143, 137, -signal.SIGTERM, -signal.SIGKILL):
            problems.append(f"{w.name}: exit status {rc}")
        if w.sanitizer_errors():
            problems.append(f"{w.name}: sanitizer: {w.sanitizer_errors()[:5]}")
    if problems:
        tails = "\n".join(f"--- {w.log_path} ---\n{w.log_tail(80)}" for w in workers)
        pytest.fail("connect-c worker problems: " + "; ".join(problems) + "\n" + tails)


def _lines(path: Path, n: int, timeout: float = 60) -> list[str]:
    return kc.wait_until(lambda: (lambda ls: ls if len(ls) >= n else None)(kc.complete_lines(path)),
                         timeout=timeout, what=f"{n} lines in {path}")


def _assert_no_secret(w: kc.ConnectC, secrets: list[str]) -> None:
    text = w.log_text()
    for s in secrets:
        assert s not in text, f"a secret reached {w.log_path}"


def _env_name(key: str) -> str:
    """The Connect image's CONNECT_* name of a worker key (sasl.jaas.config -> CONNECT_SASL_...)."""
    return "CONNECT_" + key.upper().replace(".", "_")


@pytest.mark.parametrize("how", ["properties", "env"])
def test_sink_and_dlq_over_sasl_ssl(sasl_broker, sasl_worker, tmp_path, how):
    b = sasl_broker
    props = b.worker_props(top="alice", consumer="bob", producer="carol", admin="dave")
    if how == "properties":
        w = sasl_worker(props)
    else:  # as the Connect image is configured: nothing of it in the properties file
        w = sasl_worker({}, start=False)
        w.start(timeout=kc.scaled(90), env={_env_name(k): v for k, v in props.items()})
    topic, dlq, cname = kc.unique("sasl-in"), kc.unique("sasl-dlq"), kc.unique("sasl-fs")
    out = tmp_path / "out.txt"
    b.plain.produce(topic, ['{"ok":1}', '{not json', '{"ok":2}'], keys=["k1", "k2", "k3"])
    r = w.create_connector(cname, {
        "connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic, "file": str(out),
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1"})
    assert r.status_code in (200, 201), r.text
    w.wait_running(cname, timeout=kc.scaled(60))
    assert _lines(out, 2) == ["{ok=1}", "{ok=2}"]
    recs = b.plain.consume(dlq, count=1, timeout=kc.scaled(60))
    assert [(x.key, x.value) for x in recs] == [("k2", "{not json")]
    # the worker's internal topics went through the SASL_SSL listener too
    assert b.plain.topic_exists(w.config_topic) and b.plain.topic_exists(w.status_topic)
    kc.wait_until(lambda: b.plain.committed_offsets(f"connect-{cname}").get((topic, 0)) == 3,
                  timeout=kc.scaled(60), what="commit past the DLQ'd record")
    _assert_no_secret(w, b.secrets())


def test_wrong_password_fails_fast(sasl_broker, sasl_worker):
    b = sasl_broker
    w = sasl_worker(b.worker_props(top=("alice", "not-" + b.users["alice"])), start=False)
    t0 = time.monotonic()
    w.start(wait=False)
    try:
        w.proc.wait(timeout=kc.scaled(30))
    except subprocess.TimeoutExpired:
        pytest.fail(f"worker still running 30 s after start with a wrong password:\n"
                    f"{w.log_tail(40)}")
    took = time.monotonic() - t0
    assert w.proc.returncode != 0
    log = w.log_text()
    assert "Stopping due to error: Kafka authentication failed" in log, w.log_tail(40)
    assert "Invalid username or password" in log, w.log_tail(40)
    assert took < kc.scaled(20), f"took {took:.1f} s to give up"
    _assert_no_secret(w, [*b.secrets(), "not-" + b.users["alice"]])
    print(f"wrong password: worker exited {w.proc.returncode} after {took:.1f} s")


def test_untrusted_broker_certificate_fails_fast(sasl_broker, sasl_worker, tmp_path):
    """A JKS truststore that holds another CA: the TLS handshake fails, and the worker says so."""
    b = sasl_broker
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key",
         "-out", "other.pem", "-days", "2", "-subj", "/CN=some other CA", cwd=tmp_path)
    other = tmp_path / "other.jks"
    _run("keytool", "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", str(other),
         "-storepass", b.truststore_pw, "-alias", "other", "-file", "other.pem", cwd=tmp_path)
    props = b.worker_props(top="alice")
    props["ssl.truststore.location"] = str(other)
    w = sasl_worker(props, start=False)
    w.start(wait=False)
    try:
        w.proc.wait(timeout=kc.scaled(30))
    except subprocess.TimeoutExpired:
        pytest.fail(f"worker still running 30 s after start with an untrusted broker:\n"
                    f"{w.log_tail(40)}")
    assert w.proc.returncode != 0
    assert "Stopping due to error: Kafka TLS authentication failed" in w.log_text(), \
        w.log_tail(40)
    assert "certificate verify failed" in w.log_text(), w.log_tail(40)
    _assert_no_secret(w, b.secrets())


def test_wrong_truststore_password_is_a_clear_error(sasl_broker, sasl_worker):
    b = sasl_broker
    props = b.worker_props(top="alice")
    props["ssl.truststore.password"] = "not-the-truststore-password"
    w = sasl_worker(props, start=False)
    w.start(wait=False)
    w.proc.wait(timeout=kc.scaled(30))
    assert w.proc.returncode != 0
    log = w.log_text()
    assert "ssl.truststore.location" in log and "ssl.truststore.password" in log, w.log_tail(20)
    assert "not-the-truststore-password" not in log


def _failed_task(w: kc.ConnectC, cname: str, timeout: float) -> dict:
    def failed():
        tasks = w.status(cname).get("tasks") or []
        return tasks[0] if tasks and tasks[0].get("state") == "FAILED" else None
    return kc.wait_until(failed, timeout=kc.scaled(timeout), what=f"task of {cname} FAILED")


def test_wrong_password_of_dlq_producer_fails_the_task(sasl_broker, sasl_worker, tmp_path):
    b = sasl_broker
    w = sasl_worker(b.worker_props(top="alice", consumer="bob",
                                   producer=("carol", "wrong-" + b.users["carol"])))
    cname, topic = kc.unique("sasl-baddlq"), kc.unique("sasl-baddlq-in")
    r = w.create_connector(cname, {
        "connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
        "file": str(tmp_path / "out.txt"), "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": kc.unique("sasl-baddlq"),
        "errors.deadletterqueue.topic.replication.factor": "1"})
    assert r.status_code in (200, 201), r.text
    t0 = time.monotonic()
    task = _failed_task(w, cname, 30)  # the topic creation alone would wait 35 s
    assert "Kafka authentication failed for the DLQ producer" in task.get("trace", ""), task
    assert "Invalid username or password" in task["trace"], task
    print(f"DLQ producer with a wrong password: task FAILED after {time.monotonic() - t0:.1f} s")
    _assert_no_secret(w, [*b.secrets(), "wrong-" + b.users["carol"]])


def test_wrong_password_of_dlq_admin_client_fails_the_task(sasl_broker, sasl_worker, tmp_path):
    """The DLQ topic is created by an admin client made from the worker's admin.* keys (the
    JVM's Worker.adminConfigs): a wrong admin. password fails the task, naming that client,
    although the producer's own credentials are right."""
    b = sasl_broker
    w = sasl_worker(b.worker_props(top="alice", consumer="bob", producer="carol",
                                   admin=("dave", "wrong-" + b.users["dave"])))
    cname, topic = kc.unique("sasl-badadm"), kc.unique("sasl-badadm-in")
    dlq = kc.unique("sasl-badadm-dlq")
    r = w.create_connector(cname, {
        "connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
        "file": str(tmp_path / "out.txt"), "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": dlq,
        "errors.deadletterqueue.topic.replication.factor": "1"})
    assert r.status_code in (200, 201), r.text
    task = _failed_task(w, cname, 30)
    assert "Kafka authentication failed for the DLQ admin client" in task.get("trace", ""), task
    assert "admin.sasl.jaas.config" in task["trace"], task
    assert not b.plain.topic_exists(dlq)
    _assert_no_secret(w, [*b.secrets(), "wrong-" + b.users["dave"]])


def test_admin_override_of_connector_creates_the_dlq_topic(sasl_broker, sasl_worker, tmp_path):
    """admin.override.* of the connector config wins over the worker's admin.* (a wrong worker
    admin password, the right one in the override): the topic is created and records flow."""
    b = sasl_broker
    w = sasl_worker(b.worker_props(top="alice", consumer="bob", producer="carol",
                                   admin=("dave", "wrong-" + b.users["dave"])))
    cname, topic = kc.unique("sasl-ovadm"), kc.unique("sasl-ovadm-in")
    dlq = kc.unique("sasl-ovadm-dlq")
    out = tmp_path / "out.txt"
    b.plain.produce(topic, ['{"ok":1}', '{bad'])
    cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
           "file": str(out), "errors.tolerance": "all",
           "errors.deadletterqueue.topic.name": dlq,
           "errors.deadletterqueue.topic.replication.factor": "1"}
    cfg.update({f"admin.override.{k}": v for k, v in b.client("dave").items()})
    r = w.create_connector(cname, cfg)
    assert r.status_code in (200, 201), r.text
    w.wait_running(cname, timeout=kc.scaled(60))
    assert _lines(out, 1) == ["{ok=1}"]
    recs = b.plain.consume(dlq, count=1, timeout=kc.scaled(60))
    assert [x.value for x in recs] == ["{bad"]
    _assert_no_secret(w, [*b.secrets(), "wrong-" + b.users["dave"]])


def test_wrong_password_of_task_consumer_fails_the_task(sasl_broker, sasl_worker, tmp_path):
    b = sasl_broker
    w = sasl_worker(b.worker_props(top="alice", consumer=("bob", "wrong-" + b.users["bob"]),
                                   producer="carol"))
    cname, topic = kc.unique("sasl-bad"), kc.unique("sasl-bad-in")
    b.plain.produce(topic, ['{"ok":1}'])
    r = w.create_connector(cname, {"connector.class": kc.FILE_SINK, "tasks.max": "1",
                                   "topics": topic, "file": str(tmp_path / "never.txt")})
    assert r.status_code in (200, 201), r.text
    try:
        task = _failed_task(w, cname, 10)
        assert "uthentication" in task.get("trace", ""), task
    finally:
        _assert_no_secret(w, [*b.secrets(), "wrong-" + b.users["bob"]])
