"""HTTPS REST listeners, as the JVM worker configures them: `listeners=https://...` with the ssl.*
keys (or listeners.https.ssl.*, which then replace them all), keystores in JKS, PKCS12 and PEM,
a truststore for client certificates and ssl.client.auth none / requested / required.

A CA, a server certificate, a client certificate signed by the CA and a self-signed "rogue" client
certificate are made in the test with openssl; the JKS stores with keytool (as users make them).
curl is the client. Also: plain http on the https port gets no answer, and the idle RSS of a
worker with and without an https listener is measured (printed; on a non-ASan build the https
worker must stay within 6 MiB of the plain one)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

import kc

PW = "store-secret-1"
KEYPW = "key-secret-2"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("keytool") is None
                                or shutil.which("curl") is None,
                                reason="openssl, keytool and curl are needed")


def run(*args: str, cwd: Path) -> None:
    subprocess.run(list(args), cwd=cwd, check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pki")
    o = "openssl"
    run(o, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=kc-test-ca", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "kc-client")):
        run(o, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
            f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)
        extra = ["-extfile", "san.ext"] if name == "server" else []
        run(o, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", *extra, cwd=d)
    run(o, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rogue.key", "-out",
        "rogue.pem", "-days", "2", "-subj", "/CN=kc-client", cwd=d)
    # server keystores: PKCS12 (openssl), JKS (keytool from the PKCS12, key password != store's)
    run(o, "pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-certfile",
        "ca.pem", "-name", "server", "-out", "server.p12", "-passout", f"pass:{PW}", cwd=d)
    run("keytool", "-importkeystore", "-srckeystore", "server.p12", "-srcstoretype", "PKCS12",
        "-srcstorepass", PW, "-destkeystore", "server.jks", "-deststoretype", "JKS",
        "-deststorepass", PW, "-destkeypass", KEYPW, "-noprompt", cwd=d)
    # PEM keystore: key and chain in one file
    (d / "server-bundle.pem").write_text((d / "server.key").read_text()
                                         + (d / "server.pem").read_text())
    # truststore with the CA, JKS
    run("keytool", "-importcert", "-alias", "ca", "-file", "ca.pem", "-keystore", "trust.jks",
        "-storetype", "JKS", "-storepass", PW, "-noprompt", cwd=d)
    return {n: d / n for n in ("ca.pem", "server.p12", "server.jks", "server-bundle.pem",
                               "trust.jks", "client.pem", "client.key", "rogue.pem",
                               "rogue.key")}


def curl(url: str, *args: str) -> tuple[int, str]:
    """(curl exit code, body). Exit 0 with a body means an HTTP answer came back."""
    p = subprocess.run(["curl", "-sS", "--max-time", "10", *args, url], capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout + p.stderr


def https_worker(connect_c, pki, props: dict, client: str | None = None) -> kc.ConnectC:
    port = kc.free_port()
    w = connect_c(overrides={"listeners": f"https://127.0.0.1:{port}", **props}, start=False)
    w.url = f"https://127.0.0.1:{port}"
    w.s.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    w.s.verify = str(pki["ca.pem"])
    if client:
        w.s.cert = (str(pki[f"{client}.pem"]), str(pki[f"{client}.key"]))
    w.start()
    return w


def test_https_jks_keystore_and_plain_http_refused(connect_c, pki):
    w = https_worker(connect_c, pki, {
        "ssl.keystore.type": "JKS", "ssl.keystore.location": str(pki["server.jks"]),
        "ssl.keystore.password": PW, "ssl.key.password": KEYPW})
    rc, out = curl(w.url + "/", "--cacert", str(pki["ca.pem"]))
    assert rc == 0 and '"version":"4.1.0"' in out.replace(" ", ""), out
    assert w.get("/connectors").json() == []
    # without trusting the CA, curl refuses the certificate
    rc, out = curl(w.url + "/")
    assert rc != 0, out
    # plain http on the https port gets no HTTP answer
    rc, out = curl(w.url.replace("https://", "http://") + "/")
    assert rc != 0 and "4.1.0" not in out, out
    # and the worker still serves https afterwards
    assert w.get("/health").status_code == 200
    log = w.log_text()
    assert PW not in log and KEYPW not in log


def test_https_pkcs12_prefixed_keys_client_auth_required(connect_c, pki):
    # listeners.https.* keys replace every ssl.* key (the JVM's all-or-nothing rule): the
    # deliberately wrong ssl.keystore.location must not be used
    w = https_worker(connect_c, pki, {
        "ssl.keystore.location": "/nonexistent/wrong.jks",
        "listeners.https.ssl.keystore.type": "PKCS12",
        "listeners.https.ssl.keystore.location": str(pki["server.p12"]),
        "listeners.https.ssl.keystore.password": PW,
        "listeners.https.ssl.truststore.location": str(pki["trust.jks"]),
        "listeners.https.ssl.truststore.password": PW,
        "listeners.https.ssl.client.auth": "required"}, client="client")
    ca = ["--cacert", str(pki["ca.pem"])]
    rc, out = curl(w.url + "/connectors", *ca, "--cert", str(pki["client.pem"]), "--key",
                   str(pki["client.key"]))
    assert rc == 0 and out.strip() == "[]", out
    rc, out = curl(w.url + "/connectors", *ca)
    assert rc != 0 and "[]" not in out, f"no client certificate must be refused: {out}"
    rc, out = curl(w.url + "/connectors", *ca, "--cert", str(pki["rogue.pem"]), "--key",
                   str(pki["rogue.key"]))
    assert rc != 0 and "[]" not in out, f"a certificate from another CA must be refused: {out}"
    assert w.get("/health").status_code == 200


def test_https_pem_keystore_client_auth_requested(connect_c, pki):
    aport = kc.free_port()
    w = https_worker(connect_c, pki, {
        "ssl.keystore.type": "PEM", "ssl.keystore.location": str(pki["server-bundle.pem"]),
        "ssl.truststore.type": "PEM", "ssl.truststore.location": str(pki["ca.pem"]),
        "ssl.client.auth": "requested", "admin.listeners": f"https://127.0.0.1:{aport}"})
    ca = ["--cacert", str(pki["ca.pem"])]
    # admin.listeners on its own https port: /admin there, not on the main listener
    rc, out = curl(f"https://127.0.0.1:{aport}/admin/loggers/root", *ca)
    assert rc == 0 and '"level"' in out, out
    assert w.get("/admin/loggers/root").status_code == 404
    rc, out = curl(w.url + "/connectors", *ca)
    assert rc == 0 and out.strip() == "[]", f"requested: no certificate is fine: {out}"
    rc, out = curl(w.url + "/connectors", *ca, "--cert", str(pki["client.pem"]), "--key",
                   str(pki["client.key"]))
    assert rc == 0 and out.strip() == "[]", out
    rc, out = curl(w.url + "/connectors", *ca, "--cert", str(pki["rogue.pem"]), "--key",
                   str(pki["rogue.key"]))
    assert rc != 0, f"requested: a certificate that does not verify is refused: {out}"


def test_https_bad_keystore_password_stops_worker(connect_c, pki):
    port = kc.free_port()
    w = connect_c(overrides={"listeners": f"https://127.0.0.1:{port}",
                             "ssl.keystore.location": str(pki["server.jks"]),
                             "ssl.keystore.password": "wrong-password-3"}, start=False)
    w.start(wait=False)
    kc.wait_until(lambda: w.proc.poll() is not None, timeout=60, what="worker exits")
    assert w.proc.returncode not in (0, None)
    assert not w.sanitizer_errors()
    w.proc = None  # its non-zero exit is the point
    log = w.log_text()
    assert str(pki["server.jks"]) in log and "ssl.keystore.password" in log, w.log_tail(20)
    assert "wrong-password-3" not in log


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_https_idle_rss(connect_c, pki):
    """Idle RSS with and without an https listener (figures printed for the closing note)."""
    import time
    plain = connect_c()
    tls = https_worker(connect_c, pki, {
        "ssl.keystore.type": "PKCS12", "ssl.keystore.location": str(pki["server.p12"]),
        "ssl.keystore.password": PW})
    assert tls.get("/").status_code == 200 and plain.get("/").status_code == 200
    time.sleep(kc.scaled(3))
    a, b = rss_kib(plain.pid), rss_kib(tls.pid)
    print(f"\nidle RSS: http-only worker {a} KiB, https worker {b} KiB (+{b - a} KiB)")
    asan = b"__asan_init" in open(plain.binary, "rb").read()
    if not asan:
        assert b - a < 6 * 1024, (a, b)


def test_https_unfinished_handshakes_are_capped_per_ip(connect_c, pki):
    """Connections that never finish their TLS handshake count against
    rest.max.connections.per.ip from accept on: one address cannot take the https listener."""
    import socket
    import time
    port = kc.free_port()
    w = connect_c(overrides={"listeners": f"https://:{port}", "rest.max.connections.per.ip": 4,
                             "rest.request.header.timeout.ms": 20000,
                             "ssl.keystore.type": "PKCS12",
                             "ssl.keystore.location": str(pki["server.p12"]),
                             "ssl.keystore.password": PW}, start=False)
    w.url = f"https://127.0.0.1:{port}"
    w.s.trust_env = False
    w.s.verify = str(pki["ca.pem"])
    w.start()
    held = []
    for _ in range(4):  # silent clients from 127.0.0.2: their handshakes never start
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        held.append(s)
    time.sleep(0.5)
    extra = socket.socket()
    extra.bind(("127.0.0.2", 0))
    extra.settimeout(5)
    extra.connect(("127.0.0.1", port))
    t0 = time.monotonic()
    assert extra.recv(1) == b"", "a fifth connection from the same address must be closed"
    assert time.monotonic() - t0 < 3
    # another address is served at once
    t0 = time.monotonic()
    rc, out = curl(w.url + "/health", "--cacert", str(pki["ca.pem"]))
    assert rc == 0 and "healthy" in out, out
    assert time.monotonic() - t0 < 2
    for s in held + [extra]:
        s.close()


def test_https_group_forwards_with_the_configured_truststore(kafka, connect_c, pki, tmp_path,
                                                            unique_name):
    """Two workers in one group, each behind an https listener that requires client
    certificates, trusting our CA only through ssl.truststore.* (not the system store): a create
    through the follower is forwarded to the leader over https with the configured truststore
    and the keystore as client certificate, and task configs of a connector the follower runs
    reach the leader the same way (its tasks start). Issue 10's "forwarding between workers"."""
    # each worker needs a keystore whose certificate is also a client certificate our CA signed:
    # the server certificate serves both (as the JVM's RestClient reuses listeners.https.*)
    props = {
        "ssl.keystore.type": "PKCS12", "ssl.keystore.location": str(pki["server.p12"]),
        "ssl.keystore.password": PW,
        "ssl.truststore.location": str(pki["trust.jks"]), "ssl.truststore.password": PW,
        "ssl.client.auth": "required",
        "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000,
        "scheduled.rebalance.max.delay.ms": 0,
    }
    first = None
    ws = []
    for _ in range(2):
        o = dict(props)
        if first is not None:
            o.update({"group.id": first.group, "config.storage.topic": first.config_topic,
                      "offset.storage.topic": first.offset_topic,
                      "status.storage.topic": first.status_topic})
        port = kc.free_port()
        w = connect_c(overrides={"listeners": f"https://127.0.0.1:{port}", **o}, start=False)
        w.url = f"https://127.0.0.1:{port}"
        w.s.trust_env = False
        w.s.verify = str(pki["ca.pem"])
        w.s.cert = (str(pki["client.pem"]), str(pki["client.key"]))
        first = first or w
        ws.append(w)
    for w in ws:
        w.start(wait=False)
    for w in ws:
        w.wait_ready(timeout=kc.scaled(90))

    def leader():
        for w in ws:
            try:
                r = w.get("/connectors?forward=false", timeout=5)
            except Exception:
                return None
            if r.status_code != 200:
                return None
        # the leader answers forward=false writes; a follower answers 409
        for w in ws:
            r = w.post("/connectors?forward=false", json={"name": "", "config": {}}, timeout=5)
            if r.status_code != 409:
                return w
        return None
    lead = kc.wait_until(leader, timeout=kc.scaled(60), what="a leader")
    follower = next(w for w in ws if w is not lead)
    assert follower.url.startswith("https://")

    topic = unique_name("t")
    kafka.create_topic(topic, partitions=2)
    names = [unique_name("c") for _ in range(2)]
    for n in names:
        cfg = {"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
               "tasks.max": "1", "topics": topic, "file": str(tmp_path / f"{n}.txt")}
        r = follower.post("/connectors", json={"name": n, "config": cfg}, timeout=30)
        assert r.status_code == 201, r.text
        # resolved against the request's own base URI, as the JVM's Response.created
        assert r.headers["Location"] == f"{follower.url}/connectors/{n}", r.headers

    def all_running():
        owners = set()
        for n in names:
            r = lead.get(f"/connectors/{n}/status", timeout=5)
            if r.status_code != 200:
                return None
            st = r.json()
            if st["connector"]["state"] != "RUNNING" or not st["tasks"] or \
                    any(t["state"] != "RUNNING" for t in st["tasks"]):
                return None
            owners.add(st["connector"]["worker_id"])
        return owners
    owners = kc.wait_until(all_running, timeout=kc.scaled(90), what="both connectors RUNNING")
    # round robin puts one connector on each worker: the follower's task configs crossed https
    assert len(owners) == 2, owners
    for w in ws:
        assert "IO Error trying to forward" not in w.log_text()


def test_https_early_401_reaches_the_client(connect_c, pki, tmp_path):
    """Basic auth behind https: a client without credentials announcing a 2 MiB body is
    answered 401 at once and stops reading; the answer crosses the TLS pump although the
    server stopped taking the client's bytes (it used to be lost: the connection closed
    without an answer)."""
    import socket
    import ssl
    module = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
    users = tmp_path / "users.properties"
    users.write_text("alice=s3cret\n")
    jaas = tmp_path / "jaas.conf"
    jaas.write_text(f'KafkaConnect {{\n  {module} required\n  file="{users}";\n}};\n')
    port = kc.free_port()
    w = connect_c(overrides={
        "listeners": f"https://127.0.0.1:{port}",
        "rest.extension.classes":
            "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",
        "ssl.keystore.type": "PKCS12", "ssl.keystore.location": str(pki["server.p12"]),
        "ssl.keystore.password": PW}, start=False)
    w.url = f"https://127.0.0.1:{port}"
    w.s.trust_env = False
    w.s.verify = str(pki["ca.pem"])
    w.s.auth = ("alice", "s3cret")
    w.start(wait=False, env={"KAFKA_OPTS": f"-Djava.security.auth.login.config={jaas}"})
    kc.wait_until(lambda: w.get("/connectors", timeout=2).status_code == 200,
                  timeout=kc.scaled(60), what="https worker answers")
    ctx = ssl.create_default_context(cafile=str(pki["ca.pem"]))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    size = 2 * 1024 * 1024
    answer = b""
    with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
        s.sendall(b"POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(size).encode() + b"\r\n\r\n")
        # the whole body first, as a client that does not look for an early answer: the
        # server stops taking it, so this blocks until the time-out (or fails)
        s.settimeout(3)
        try:
            s.sendall(b"p" * size)
        except (OSError, ssl.SSLError):
            pass
        s.settimeout(10)
        try:
            while b"\r\n\r\n" not in answer:
                data = s.recv(4096)
                if not data:
                    break
                answer += data
        except (OSError, ssl.SSLError):
            pass
    print(f"https early 401: answer {answer[:40]!r}")
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
