"""No secret in any log line or REST response (issue 11).

One worker runs with secrets everywhere a user puts them: an https listener's keystore
password, basic-auth users, a `${file:...}` config provider, connector passwords (ClickHouse
`password`, S3 `aws.secret.access.key`, a consumer override's `sasl.jaas.config`, a producer
override's `ssl.key.password`), with every logger at DEBUG. It validates configs that fail (a
provider-resolved secret in a bad value), creates connectors whose tasks fail against closed
ports, restarts and deletes them. Then:
  - the worker's log contains none of the secrets;
  - no REST response contains a provider-resolved secret or a worker secret; the literal
    secrets of connector configs appear only where the JVM shows them too (GET .../config and
    .../tasks-config return the config as stored).
The session-wide check in conftest.py also greps every other worker log of the run."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import requests

import kc

MODULE = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
EXT = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"

STORE_PW = kc.secret("ks-Pa55-aa11")
REST_PW = kc.secret("rest-Pa55-bb22")
PROVIDED = kc.secret("prov-Pa55-cc33")       # only ever through ${file:...}
PROVIDED_BAD = kc.secret("prov-Bad-dd44")    # a provider value that fails validation
CH_PW = kc.secret("ch-Pa55-ee55")
S3_KEY = kc.secret("s3-Secret-ff66")
SASL_PW = kc.secret("sasl-Pa55-gg77")
KEY_PW = kc.secret("keyp-Pa55-hh88")

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None,
                                reason="openssl makes the https listener's keystore")


def test_no_secret_in_logs_or_responses(connect_c, tmp_path, unique_name):
    # https listener: a PKCS12 keystore protected by STORE_PW
    run = lambda *a: subprocess.run(list(a), cwd=tmp_path, check=True,  # noqa: E731
                                    capture_output=True, timeout=120)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out",
        "c.pem", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1")
    run("openssl", "pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-out", "ks.p12",
        "-passout", f"pass:{STORE_PW}")
    # basic auth
    (tmp_path / "users.properties").write_text(f"admin: {REST_PW}\n")
    jaas = tmp_path / "jaas.conf"
    jaas.write_text(f'KafkaConnect {{\n  {MODULE} required\n'
                    f'  file="{tmp_path / "users.properties"}";\n}};\n')
    # config provider file
    (tmp_path / "secrets.properties").write_text(f"db.password={PROVIDED}\n"
                                                 f"bad.tasks={PROVIDED_BAD}\n")
    port = kc.free_port()
    w = connect_c(start=False, overrides={
        "listeners": f"https://127.0.0.1:{port}",
        "ssl.keystore.type": "PKCS12", "ssl.keystore.location": str(tmp_path / "ks.p12"),
        "ssl.keystore.password": STORE_PW,
        "rest.extension.classes": EXT,
        "config.providers": "file",
        "config.providers.file.class":
            "org.apache.kafka.common.config.provider.FileConfigProvider"})
    w.url = f"https://127.0.0.1:{port}"
    w.s.trust_env = False
    w.s.verify = str(tmp_path / "c.pem")
    w.s.auth = ("admin", REST_PW)
    w.start(env={"KAFKA_OPTS": f"-Djava.security.auth.login.config={jaas}"})

    responses: list[tuple[str, str]] = []

    def call(method: str, path: str, **kw) -> requests.Response:
        r = w.request(method, path, **kw)
        responses.append((f"{method} {path}", r.text))
        return r

    assert call("PUT", "/admin/loggers/root", json={"level": "DEBUG"}).status_code == 200
    # a wrong password is refused and not echoed
    r = requests.get(w.url + "/connectors", auth=("admin", "not-" + REST_PW),
                     verify=w.s.verify, timeout=10)
    assert r.status_code == 401
    topic = unique_name("sec")
    ref = f"${{file:{tmp_path / 'secrets.properties'}:db.password}}"
    bad = f"${{file:{tmp_path / 'secrets.properties'}:bad.tasks}}"
    ch = {"connector.class": "com.clickhouse.kafka.connect.ClickHouseSinkConnector",
          "topics": topic, "hostname": "127.0.0.1", "port": str(kc.free_port()),
          "ssl": "false", "username": "default", "password": CH_PW,
          "consumer.override.sasl.jaas.config":
              f'{PLAIN} required username="u" password="{SASL_PW}";',
          "errors.deadletterqueue.topic.name": unique_name("dlq"),
          "errors.deadletterqueue.topic.replication.factor": "1",
          "producer.override.ssl.key.password": KEY_PW}
    s3 = {"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": topic,
          "s3.bucket.name": "b", "store.url": f"http://127.0.0.1:{kc.free_port()}",
          "aws.access.key.id": "AKIAEXAMPLE", "aws.secret.access.key": S3_KEY,
          "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
          "flush.size": "1", "s3.part.retries": "1"}
    fs = {"connector.class": kc.FILE_SINK, "topics": topic, "file": str(tmp_path / "o.txt"),
          "tasks.max": bad, "consumer.override.ssl.truststore.password": ref}
    for cls, cfg in (("ClickHouseSinkConnector", ch), ("S3SinkConnector", s3),
                     ("FileStreamSinkConnector", fs)):
        call("PUT", f"/connector-plugins/{cls}/config/validate", json=cfg)
    # a provider value that fails validation: masked in the 400
    r = call("POST", "/connectors", json={"name": unique_name("bad"), "config": fs})
    assert r.status_code == 400, r.text
    fs["tasks.max"] = "1"
    names = []
    for cfg in (ch, s3, fs):
        name = unique_name("c")
        names.append(name)
        assert call("POST", "/connectors", json={"name": name, "config": cfg}).status_code == 201
    # let tasks start, fail against the closed ports, be restarted
    deadline = time.monotonic() + kc.scaled(20)
    while time.monotonic() < deadline:
        states = [call("GET", f"/connectors/{n}/status").json() for n in names]
        if all(s.get("tasks") for s in states):
            break
        time.sleep(0.5)
    for n in names:
        call("GET", f"/connectors/{n}")
        call("GET", f"/connectors/{n}/config")
        call("GET", f"/connectors/{n}/tasks")
        call("GET", f"/connectors/{n}/tasks-config")
        call("GET", f"/connectors/{n}/offsets")
        call("POST", f"/connectors/{n}/restart?includeTasks=true&onlyFailed=false")
    call("GET", "/connectors?expand=status&expand=info")
    time.sleep(kc.scaled(3))
    for n in names:
        call("GET", f"/connectors/{n}/status")
        call("DELETE", f"/connectors/{n}")
    call("PUT", "/admin/loggers/root", json={"level": "INFO"})

    # responses: worker and provider secrets never; connector literals only in stored configs
    never = [STORE_PW, REST_PW, PROVIDED, PROVIDED_BAD]
    literal = [CH_PW, S3_KEY, SASL_PW, KEY_PW]
    for what, body in responses:
        for s in never:
            assert s not in body, f"{what} answered a secret: {body[:300]}"
        if what.endswith(("/config", "/tasks-config", "/tasks")) or "expand=info" in what \
                or what.startswith("GET /connectors/c") or what == "POST /connectors":
            continue  # the stored config (ConnectorInfo), as the JVM returns it
        for s in literal:
            assert s not in body, f"{what} answered a secret: {body[:300]}"
    log = w.log_text()
    assert "DEBUG" in log, "the run was meant to log at DEBUG"
    for s in never + literal:
        assert s not in log, "a secret reached the log: " + next(
            ln for ln in log.splitlines() if s in ln).replace(s, "<SECRET>")[:300]
    print(f"\n{len(responses)} responses and {len(log.splitlines())} log lines, no secret "
          f"among {len(never + literal)}")
