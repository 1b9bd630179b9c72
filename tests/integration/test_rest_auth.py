"""REST basic authentication as the JVM's BasicAuthSecurityRestExtension does it: the JAAS file
named by KAFKA_OPTS=-Djava.security.auth.login.config=..., its KafkaConnect entry's
PropertyFileLoginModule users file; 401 "User cannot access the resource." with a Basic
challenge for missing or wrong credentials; several users; the worker-to-worker task-config POST
let through (a group of two workers with auth on); an unknown extension class stops the worker with a message naming it."""

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


def test_no_credentials_refused_before_the_body(kafka, connect_c, tmp_path):
    """Headers announcing a 5 MiB body and no credentials: the 401 comes at once, before any
    of the body is sent (a client without credentials cannot make the worker read and hold a
    body)."""
    import socket
    w = auth_worker(connect_c, tmp_path, "alice=s3cret\n")
    kc.wait_until(lambda: requests.get(f"{w.url}/health", auth=("alice", "s3cret"),
                                       timeout=2).status_code == 200, what="healthy")
    s = socket.create_connection(("127.0.0.1", w.port), timeout=5)
    try:
        s.sendall(b"POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 5242880\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)  # times out (5 s) if the server waits for the body
            if not chunk:
                break
            answer += chunk
    finally:
        s.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"WWW-Authenticate: Basic" in answer, answer[:400]


def test_no_credentials_with_a_body_gets_its_401(kafka, connect_c, tmp_path):
    """A client without credentials that sends a 512 KiB body straight away (no Expect header,
    as Python's requests does) and only then reads, gets its 401 on that connection: the body
    is read and dropped before the answer (answering and closing while the client still sends
    resets the connection, and the client never reads the 401)."""
    import socket
    w = auth_worker(connect_c, tmp_path, "alice=s3cret\n")
    kc.wait_until(lambda: requests.get(f"{w.url}/health", auth=("alice", "s3cret"),
                                       timeout=2).status_code == 200, what="healthy")
    body = b'{"name": "x", "config": {"pad": "' + b"p" * (512 * 1024) + b'"}}'
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", w.port), timeout=10)
        try:
            s.sendall(b"POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            try:
                s.sendall(body)
            except OSError:
                pass  # the old early answer closed on us; the read below then finds nothing
            answer = b""
            try:
                while b"User cannot access the resource." not in answer:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            except ConnectionResetError:
                pass
        finally:
            s.close()
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        assert b"WWW-Authenticate: Basic" in answer, answer[:400]


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


def test_group_with_basic_auth_forwards_and_takes_task_configs(kafka, connect_c, tmp_path,
                                                               unique_name):
    """Two workers in one group, both behind basic auth: a create through the follower is
    forwarded to the leader with the client's credentials, and the task configs of the connector
    the follower runs reach the leader as a worker-to-worker request (signed, no user
    credentials), as the JVM's JaasBasicAuthFilter lets them through: both connectors' tasks
    run, one connector on each worker."""
    (tmp_path / "users.properties").write_text("alice=s3cret\n")
    jaas = tmp_path / "jaas.conf"
    jaas.write_text(f'KafkaConnect {{\n  {MODULE} required\n'
                    f'  file="{tmp_path / "users.properties"}";\n}};\n')
    props = {"rest.extension.classes": BASIC, "session.timeout.ms": 6000,
             "heartbeat.interval.ms": 1000, "scheduled.rebalance.max.delay.ms": 0}
    ws: list[kc.ConnectC] = []
    for _ in range(2):
        o = dict(props)
        if ws:
            o.update({"group.id": ws[0].group, "config.storage.topic": ws[0].config_topic,
                      "offset.storage.topic": ws[0].offset_topic,
                      "status.storage.topic": ws[0].status_topic})
        w = connect_c(overrides=o, start=False)
        w.s.auth = ("alice", "s3cret")
        ws.append(w)
    for w in ws:
        w.start(wait=False, env={"KAFKA_OPTS": f"-Djava.security.auth.login.config={jaas}"})
    for w in ws:
        kc.wait_until(lambda w=w: w.get("/connectors", timeout=2).status_code == 200,
                      timeout=kc.scaled(90), what="worker answers with credentials")

    def leader():
        for w in ws:
            r = w.post("/connectors?forward=false", json={"name": "", "config": {}}, timeout=5)
            if r.status_code not in (409, 400):
                return None
        for w in ws:
            r = w.post("/connectors?forward=false", json={"name": "", "config": {}}, timeout=5)
            if r.status_code != 409:
                return w
        return None
    lead = kc.wait_until(leader, timeout=kc.scaled(60), what="a leader")
    follower = next(w for w in ws if w is not lead)
    # without credentials the follower still refuses a user
    assert requests.get(f"{follower.url}/connectors", timeout=5).status_code == 401
    topic = unique_name("t")
    kafka.create_topic(topic, partitions=2)
    names = [unique_name("c") for _ in range(2)]
    for n in names:
        cfg = {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic,
               "file": str(tmp_path / f"{n}.txt")}
        r = follower.post("/connectors", json={"name": n, "config": cfg}, timeout=30)
        assert r.status_code == 201, r.text

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
    assert len(owners) == 2, owners
    for w in ws:
        assert "s3cret" not in w.log_text()
