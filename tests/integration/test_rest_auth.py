"""REST basic authentication as the JVM's BasicAuthSecurityRestExtension does it: the JAAS file
named by KAFKA_OPTS=-Djava.security.auth.login.config=..., its KafkaConnect entry's
PropertyFileLoginModule users file; 401 "User cannot access the resource." with a Basic
challenge for missing or wrong credentials; several users; the worker-to-worker task-config POST
let through; an unknown extension class stops the worker with a message naming it."""

from __future__ import annotations

import requests

import kc

BASIC = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension"
MODULE = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"


def auth_worker(connect_c, tmp_path, users: str):
    (tmp_path / "users.properties").write_text(users)
    (tmp_path / "jaas.conf").write_text(
        f'KafkaConnect {{\n  {MODULE} required\n  file="{tmp_path / "users.properties"}";\n}};\n')
    w = connect_c(start=False, overrides={"rest.extension.classes": BASIC})
    w.start(wait=False, env={"KAFKA_OPTS": f"-Djava.security.auth.login.config={tmp_path / 'jaas.conf'}"})
    return w


def test_basic_auth(kafka, connect_c, tmp_path, unique_name):
    w = auth_worker(connect_c, tmp_path, "alice=s3cret\nbob:hunter2\n")
    url = w.url
    kc.wait_until(lambda: requests.get(f"{url}/health", auth=("alice", "s3cret"),
                                       timeout=2).status_code == 200, what="healthy")
    r = requests.get(f"{url}/connectors", timeout=5)
    assert r.status_code == 401
    assert r.text == "User cannot access the resource."
    assert r.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert requests.get(f"{url}/connectors", auth=("alice", "wrong"), timeout=5).status_code == 401
    assert requests.get(f"{url}/connectors", auth=("carol", "s3cret"), timeout=5).status_code == 401
    assert requests.get(f"{url}/connectors", auth=("alice", "s3cret"), timeout=5).json() == []
    # Java properties: "bob:hunter2" is bob = hunter2
    assert requests.get(f"{url}/connectors", auth=("bob", "hunter2"), timeout=5).status_code == 200
    cname = unique_name("authed")
    r = requests.post(f"{url}/connectors", auth=("bob", "hunter2"), timeout=30,
                      json={"name": cname, "config": {"connector.class": kc.FILE_SINK,
                                                      "topics": unique_name("t"),
                                                      "file": str(tmp_path / "o.txt")}})
    assert r.status_code == 201, r.text
    r = requests.delete(f"{url}/connectors/{cname}", timeout=30)
    assert r.status_code == 401
    assert "s3cret" not in w.log_text() and "hunter2" not in w.log_text()


def test_unknown_extension_stops_the_worker(connect_c, tmp_path):
    w = connect_c(start=False, overrides={"rest.extension.classes": "com.acme.MyExtension"})
    w.start(wait=False)
    assert w.proc.wait(timeout=kc.scaled(30)) != 0
    assert "com.acme.MyExtension" in w.log_text()
    w.proc = None


def test_missing_jaas_config_stops_the_worker(connect_c, tmp_path):
    w = connect_c(start=False, overrides={"rest.extension.classes": BASIC})
    w.start(wait=False, env={"KAFKA_OPTS": ""})
    assert w.proc.wait(timeout=kc.scaled(30)) != 0
    assert "java.security.auth.login.config" in w.log_text()
    w.proc = None
