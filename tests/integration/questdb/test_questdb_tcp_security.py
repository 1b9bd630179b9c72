"""ILP over TCP with QuestDB's authentication and with TLS (tcps::), against a real QuestDB.

QuestDB 9.3.2 (open source) runs with `line.tcp.auth.db.path` (services.sh start-questdb with
KC_QUESTDB_EXTRA_CONF): every ILP/TCP connection must sign the server's challenge with the
ECDSA P-256 key of a known key id. The key pair is made in the test with the openssl CLI.

QuestDB open source has no TLS listener (Enterprise has one; QuestDB's docs put HAProxy in front
otherwise), so TLS is terminated by a small Python proxy (ssl module, a certificate for localhost
made by the openssl CLI) that forwards the bytes to QuestDB's ILP port: connect-c speaks TLS to
it, authenticates through it, and QuestDB checks the signature.

  * tcps:: + token: rows arrive; the token never appears in the worker's log or the REST config
  * legacy keys (host, tls=true, tls.validation.mode=insecure, username, token): rows arrive
  * a wrong key: nothing is written, the task keeps retrying with a clear message (no loss:
    the offsets are not committed)
  * an untrusted certificate: the handshake fails with "certificate verification failed"
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import kc  # noqa: E402

SERVICES = HERE.parent / "services.sh"
CLASS = "io.questdb.kafka.QuestDBSinkConnector"
KEY_ID = "testUser1"


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def ec_key(tmp: Path, name: str) -> dict:
    """A P-256 key pair: d, x, y as base64url, as QuestDB's auth file and clients take them."""
    pem = tmp / f"{name}.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
                    str(pem)], check=True, capture_output=True)
    text = subprocess.run(["openssl", "ec", "-in", str(pem), "-text", "-noout"], check=True,
                          capture_output=True, text=True).stdout

    def hexblock(label: str) -> bytes:
        m = re.search(label + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
    priv = hexblock("priv")
    pub = hexblock("pub")
    assert pub[0] == 4 and len(pub) == 65
    d = priv[-32:].rjust(32, b"\0")
    return {"d": b64url(d), "x": b64url(pub[1:33]), "y": b64url(pub[33:])}


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("keys")
    return {"good": ec_key(tmp, "good"), "other": ec_key(tmp, "other")}


@pytest.fixture(scope="module")
def questdb(tmp_path_factory, keys):
    run = tmp_path_factory.mktemp("questdb-auth")
    # QuestDB reads the path relative to its root (RUN_DIR/questdb)
    auth = run / "questdb" / "conf" / "auth.txt"
    auth.parent.mkdir(parents=True)
    k = keys["good"]
    auth.write_text(f"{KEY_ID} ec-p-256-sha256 {k['x']} {k['y']}\n")
    env = dict(os.environ, KC_QUESTDB_EXTRA_CONF="line.tcp.auth.db.path=conf/auth.txt")
    p = subprocess.run(["bash", str(SERVICES), "start-questdb", str(run)], capture_output=True,
                       text=True, timeout=kc.scaled(300), env=env)
    assert p.returncode == 0, f"QuestDB did not start: {p.stderr[-2000:]}"
    try:
        yield kc.read_env_file(run / "questdb.env")
    finally:
        subprocess.run(["bash", str(SERVICES), "stop-one", str(run), "questdb"], timeout=120)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, questdb):
    tmp = tmp_path_factory.mktemp("tls")
    cert, key = kc.make_cert(tmp, "server")
    p = kc.TlsProxy(cert, key, int(questdb["KC_QUESTDB_ILP_PORT"]))
    p.cert = cert
    yield p
    p.close()


def count(questdb: dict, table: str) -> int:
    url = (f"http://127.0.0.1:{questdb['KC_QUESTDB_HTTP_PORT']}/exec?" +
           urllib.parse.urlencode({"query": f'SELECT count() FROM "{table}"'}))
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.loads(r.read())["dataset"][0][0]
    except urllib.error.HTTPError:
        return 0


def events(n: int) -> list[dict]:
    return [{"type": "PushEvent", "repo": f"r/{i % 4}", "actor": f"u{i}", "seq": i}
            for i in range(n)]


def run_connector(kafka, connect_c, unique_name, cfg: dict):
    topic = unique_name("qtls")
    kafka.create_topic(topic)
    kafka.produce(topic, events(200))
    w = connect_c()
    name = unique_name("qtls")
    w.create_connector(name, {"connector.class": CLASS, "tasks.max": "1", "topics": topic,
                              "table": topic, "value.converter.schemas.enable": "false",
                              "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                              **cfg})
    return w, name, topic


def test_tcps_with_token_authentication(kafka, connect_c, unique_name, questdb, proxy, keys):
    k = keys["good"]
    conf = (f"tcps::addr=localhost:{proxy.port};tls_roots={proxy.cert};username={KEY_ID};"
            f"token={k['d']};token_x={k['x']};token_y={k['y']};")
    w, name, topic = run_connector(kafka, connect_c, unique_name, {"client.conf.string": conf})
    kc.wait_until(lambda: count(questdb, topic) == 200, timeout=60,
                  what="200 rows through TLS with authentication")
    log = w.log_text()
    assert k["d"] not in log
    # the config is stored and echoed as given (as the JVM's REST API does); the log never has it
    assert w.get(f"/connectors/{name}/config").json()["client.conf.string"] == conf
    assert not proxy.handshake_errors


def test_legacy_host_tls_and_token(kafka, connect_c, unique_name, questdb, proxy, keys):
    k = keys["good"]
    w, name, topic = run_connector(kafka, connect_c, unique_name, {
        "host": f"localhost:{proxy.port}", "tls": "true", "tls.validation.mode": "insecure",
        "username": KEY_ID, "token": k["d"]})
    kc.wait_until(lambda: count(questdb, topic) == 200, timeout=60,
                  what="200 rows through the legacy keys")
    assert k["d"] not in w.log_text()


def test_wrong_key_writes_nothing_and_commits_nothing(kafka, connect_c, unique_name, questdb,
                                                      keys):
    k = keys["other"]  # not in the server's auth file under this key id
    conf = (f"tcp::addr=127.0.0.1:{questdb['KC_QUESTDB_ILP_PORT']};username={KEY_ID};"
            f"token={k['d']};")
    w, name, topic = run_connector(kafka, connect_c, unique_name, {"client.conf.string": conf})
    kc.wait_until(lambda: "ILP/TCP authentication refused" in w.log_text(), timeout=60,
                  what="the refused connection in the log")
    assert count(questdb, topic) == 0
    assert kafka.committed_offsets(f"connect-{name}").get((topic, 0), 0) == 0
    assert k["d"] not in w.log_text()


def test_untrusted_certificate_is_refused(kafka, connect_c, unique_name, questdb, proxy, keys,
                                          tmp_path):
    other_ca, _ = kc.make_cert(tmp_path, "other")
    k = keys["good"]
    conf = (f"tcps::addr=localhost:{proxy.port};tls_roots={other_ca};username={KEY_ID};"
            f"token={k['d']};")
    w, name, topic = run_connector(kafka, connect_c, unique_name, {"client.conf.string": conf})
    kc.wait_until(lambda: "certificate verification failed" in w.log_text(), timeout=60,
                  what="the verification failure in the log")
    assert count(questdb, topic) == 0


def test_mismatched_public_key_is_refused_at_create(connect_c, unique_name, questdb, keys):
    g, o = keys["good"], keys["other"]
    w = connect_c()
    conf = (f"tcp::addr=127.0.0.1:{questdb['KC_QUESTDB_ILP_PORT']};username={KEY_ID};"
            f"token={g['d']};token_x={o['x']};")
    r = w.post("/connectors", json={"name": unique_name("q"), "config": {
        "connector.class": CLASS, "topics": "t", "table": "t", "client.conf.string": conf}})
    # refused at create (validation) or at task start: either way the message names token_x
    if r.status_code == 400:
        assert "token_x" in json.dumps(r.json())
    else:
        kc.wait_until(lambda: "token_x does not match" in w.log_text(), timeout=60,
                      what="the token_x mismatch in the log")
    assert g["d"] not in w.log_text()
