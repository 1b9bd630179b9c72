"""Worker groups (issue 10): connect-c workers sharing one group.id, and a mixed group with a JVM
4.1 worker, on the shared broker. The worker group protocol runs through Kafka's coordinator;
these tests look at what users see: where tasks run (GET .../status worker_id), how long a dead
worker's tasks take to run elsewhere, and that no record is lost on the way.
"""
import threading
import time
from pathlib import Path

import pytest

import kc

FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter"
SESSION_TIMEOUT_MS = 6000  # the broker's group.min.session.timeout.ms: the fastest failover

GROUP_PROPS = {
    "session.timeout.ms": SESSION_TIMEOUT_MS,
    "heartbeat.interval.ms": 1000,
    "scheduled.rebalance.max.delay.ms": 0,
    # A sink consumer's close can wait seconds for its own group's LeaveGroup while that group
    # rebalances (seen under ASan); an abandoned task is never freed (task.c), so give it time.
    "task.shutdown.graceful.timeout.ms": 20000,
}


def group_workers(connect_c, n: int, overrides: dict | None = None, like=None,
                  env: dict | None = None):
    """n connect-c workers on one group and one set of internal topics (like's, or the first
    one's), started at the same moment; returns them once every one answers /health."""
    ws = []
    base = like
    for _ in range(n):
        o = dict(GROUP_PROPS)
        if base is not None:
            o.update({"group.id": base.group, "config.storage.topic": base.config_topic,
                      "offset.storage.topic": base.offset_topic,
                      "status.storage.topic": base.status_topic})
        o.update(overrides or {})
        w = connect_c(overrides=o, start=False)
        base = base or w
        ws.append(w)
    for w in ws:
        w.start(wait=False, env=env)
    for w in ws:
        w.wait_ready(timeout=kc.scaled(90))
    return ws


# The JVM keeps its own 5 s: a longer graceful stop only slows its rebalances.
JVM_GROUP_PROPS = {k: str(v) for k, v in GROUP_PROPS.items()
                   if k != "task.shutdown.graceful.timeout.ms"}


def asan_build() -> bool:
    return b"__asan_init" in kc.connect_bin().read_bytes()


def worker_id(w) -> str:
    return f"127.0.0.1:{w.port}"


def leader_of(ws):
    """The connect-c worker whose last join made it the leader (its log says so)."""
    best = None
    for w in ws:
        if not w.running():
            continue
        lines = [ln for ln in w.log_text().splitlines() if "Joined group at generation" in ln]
        if lines:
            gen = int(lines[-1].split("generation ")[1].split()[0])
            if " as leader " in lines[-1] and (best is None or gen > best[0]):
                best = (gen, w)
    return best[1] if best else None


def task_owners(rest, name: str):
    """{task id: worker_id} of RUNNING tasks, or None when the status is not there yet."""
    r = rest.get(f"/connectors/{name}/status")
    if r.status_code != 200:
        return None
    return {t["id"]: t["worker_id"] for t in r.json().get("tasks", []) if t["state"] == "RUNNING"}


def sink_lines(path: Path) -> set[str]:
    return set(kc.complete_lines(path)) if path.exists() else set()


class Producer(threading.Thread):
    """Produces line-<i> records at a steady rate until stopped ("under load")."""

    def __init__(self, kafka, topic: str, per_batch: int = 50, pause: float = 0.05):
        super().__init__(daemon=True)
        self.kafka, self.topic, self.per_batch, self.pause = kafka, topic, per_batch, pause
        self.sent: list[str] = []
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            batch = [f"line-{j}" for j in range(i, i + self.per_batch)]
            self.kafka.produce(self.topic, batch)
            self.sent.extend(batch)
            i += self.per_batch
            time.sleep(self.pause)

    def stop(self) -> list[str]:
        self.halt.set()
        self.join(timeout=kc.scaled(60))
        return self.sent


def sink_config(topic: str, out: Path, tasks: int) -> dict:
    return {"connector.class": FILE_SINK, "tasks.max": str(tasks), "topics": topic,
            "file": str(out), "key.converter": STRING_CONVERTER,
            "value.converter": STRING_CONVERTER}


def test_three_workers_share_fail_over_and_rebalance(kafka, connect_c, tmp_path, unique_name):
    ws = group_workers(connect_c, 3)
    ids = {worker_id(w) for w in ws}
    leader = kc.wait_until(lambda: leader_of(ws), timeout=kc.scaled(60), what="a leader")
    follower = next(w for w in ws if w is not leader)
    cname = unique_name("grp")
    topic = unique_name("grp")
    kafka.create_topic(topic, partitions=6)
    out = tmp_path / "group-sink.txt"

    # Created through a follower: it forwards to the leader; the answer is the leader's 201.
    r = follower.post("/connectors", json={"name": cname, "config": sink_config(topic, out, 3)})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == cname
    assert r.headers["Location"].endswith(f"/connectors/{cname}")
    # Every worker serves reads from its own view of the config topic.
    for w in ws:
        kc.wait_until(lambda w=w: w.get(f"/connectors/{cname}").status_code == 200,
                      timeout=kc.scaled(30), what=f"{cname} known to {w.url}")

    # Every task runs exactly once: three RUNNING tasks on three different workers, and the
    # sink's consumer group has exactly three members (one consumer per task).
    owners = kc.wait_until(lambda: (lambda o: o if o and len(o) == 3 else None)(
        task_owners(follower, cname)), timeout=kc.scaled(90), what="3 tasks RUNNING")
    assert set(owners.values()) <= ids
    kc.wait_until(lambda: len(set((task_owners(follower, cname) or {}).values())) == 3,
                  timeout=kc.scaled(60), what="tasks on 3 different workers")
    members = kc.wait_until(lambda: (lambda m: m if m == 3 else None)(
        consumer_group_members(kafka, f"connect-{cname}")), timeout=kc.scaled(60),
        what="3 consumers in the sink's group")
    assert members == 3

    # Under load, kill -9 a worker that runs a task (not the leader, so the leader measures).
    prod = Producer(kafka, topic)
    prod.start()
    time.sleep(kc.scaled(2))
    owners = task_owners(follower, cname)
    victim = next(w for w in ws if w is not leader and worker_id(w) in owners.values())
    dead = worker_id(victim)
    survivor = next(w for w in ws if w is not victim)
    t0 = time.monotonic()
    victim.kill()

    def moved():
        o = task_owners(survivor, cname)
        return o if o and len(o) == 3 and dead not in o.values() else None

    budget = SESSION_TIMEOUT_MS / 1000 + 2
    owners = kc.wait_until(moved, timeout=kc.scaled(60), interval=0.1,
                           what="the dead worker's tasks RUNNING elsewhere")
    took = time.monotonic() - t0
    print(f"\nfailover: tasks of the killed worker RUNNING elsewhere after {took:.2f} s "
          f"(session.timeout.ms={SESSION_TIMEOUT_MS}, scheduled.rebalance.max.delay.ms=0)")
    if not asan_build():  # timing holds only without the sanitizers (tests/run.sh uses ASan)
        assert took <= budget * kc.timeout_scale(), f"failover took {took:.1f} s > {budget} s"
    time.sleep(kc.scaled(2))
    sent = prod.stop()
    assert len(sent) > 100
    # No record lost: the sink file has every record produced (at least once).
    kc.wait_until(lambda: set(sent) <= sink_lines(out), timeout=kc.scaled(90),
                  what=f"all {len(sent)} records in the sink file")

    # A worker joins: tasks rebalance onto it.
    newcomer = group_workers(connect_c, 1, like=ws[0])[0]
    kc.wait_until(lambda: worker_id(newcomer) in (task_owners(survivor, cname) or {}).values(),
                  timeout=kc.scaled(90), what="a task moved to the new worker")
    owners = kc.wait_until(lambda: (lambda o: o if o and len(o) == 3 else None)(
        task_owners(newcomer, cname)), timeout=kc.scaled(60), what="3 tasks RUNNING")
    assert dead not in owners.values()
    kc.wait_until(lambda: consumer_group_members(kafka, f"connect-{cname}") == 3,
                  timeout=kc.scaled(60), what="still one consumer per task")

    # Writes through any worker reach the leader: delete through the newcomer.
    r = newcomer.delete(f"/connectors/{cname}")
    assert r.status_code == 204, r.text
    for w in (w for w in ws + [newcomer] if w.running()):
        kc.wait_until(lambda w=w: w.get(f"/connectors/{cname}").status_code == 404,
                      timeout=kc.scaled(30), what=f"{cname} gone on {w.url}")


def consumer_group_members(kafka, group: str) -> int:
    admin = kafka.admin()
    fut = admin.describe_consumer_groups([group])[group]
    try:
        return len(fut.result(timeout=kc.scaled(10)).members)
    except Exception:
        return -1


def test_forward_flag_and_internal_endpoint(kafka, connect_c, unique_name):
    """forward=false on a follower is the JVM's 409; POST .../tasks needs a signature in the
    sessioned protocol (the default)."""
    ws = group_workers(connect_c, 2)
    leader = kc.wait_until(lambda: leader_of(ws), timeout=kc.scaled(60), what="a leader")
    follower = next(w for w in ws if w is not leader)
    cfg = {"connector.class": FILE_SINK, "tasks.max": "1", "topics": unique_name("t")}
    r = follower.post("/connectors?forward=false", json={"name": unique_name("c"), "config": cfg})
    assert r.status_code == 409, r.text
    assert r.json()["message"] == ("Cannot complete request because of a conflicting operation "
                                   "(e.g. worker rebalance)")
    name = unique_name("c")
    r = follower.put(f"/connectors/{name}/config", json=cfg)
    assert r.status_code == 201, r.text
    r = leader.post(f"/connectors/{name}/tasks", json=[{"task.class": "x"}])
    assert r.status_code == 400, r.text
    assert r.json()["message"] == "Internal request missing required signature"
    r = leader.post(f"/connectors/{name}/tasks", json=[{"task.class": "x"}],
                    headers={"X-Connect-Authorization": "AAAA",
                             "X-Connect-Request-Signature-Algorithm": "HmacSHA256"})
    assert r.status_code == 403, r.text
    assert r.json()["message"] == "Internal request contained invalid signature."


def test_mixed_group_with_a_jvm_worker(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    """One JVM worker and connect-c workers in one group with one set of internal topics: tasks
    move both ways when one side dies; a class only connect-c has FAILs on the JVM side with a
    clear message, and nothing crash-loops."""
    c1 = group_workers(connect_c, 1)[0]
    jvm = jvm_connect(props={"group.id": c1.group, "config.storage.topic": c1.config_topic,
                             "offset.storage.topic": c1.offset_topic,
                             "status.storage.topic": c1.status_topic,
                             **JVM_GROUP_PROPS})
    jvm_id = jvm.url.split("://", 1)[1]
    cname = unique_name("mix")
    topic = unique_name("mix")
    kafka.create_topic(topic, partitions=4)
    out = tmp_path / "mixed-sink.txt"
    # Through the JVM worker (a follower: connect-c joined first and leads).
    r = jvm.post("/connectors", json={"name": cname, "config": sink_config(topic, out, 4)})
    assert r.status_code == 201, r.text
    kc.wait_until(lambda: (lambda o: o and len(o) == 4 and set(o.values()) == {
        jvm_id, worker_id(c1)})(task_owners(jvm, cname)), timeout=kc.scaled(120),
        what="4 tasks RUNNING on both the JVM and the connect-c worker")
    kafka.produce(topic, [f"a-{i}" for i in range(200)])
    kc.wait_until(lambda: {f"a-{i}" for i in range(200)} <= sink_lines(out),
                  timeout=kc.scaled(60), what="first records written")
    # A second connector: the two connector instances spread over both workers, so the one not
    # on the leader sends its task configs across (JVM -> connect-c or back, signed).
    second = unique_name("mix2")
    r = c1.post("/connectors", json={"name": second,
                                     "config": sink_config(topic, tmp_path / "second.txt", 2)})
    assert r.status_code == 201, r.text
    st = kc.wait_until(lambda: (lambda st: st["connector"]["state"] == "RUNNING" and len(
        [t for t in st["tasks"] if t["state"] == "RUNNING"]) == 2 and st)(
        jvm.get(f"/connectors/{second}/status").json()), timeout=kc.scaled(120),
        what=f"{second} RUNNING with 2 tasks")
    first = jvm.get(f"/connectors/{cname}/status").json()
    print(f"\nmixed: connector instances on {first['connector']['worker_id']} and "
          f"{st['connector']['worker_id']}")
    assert jvm.delete(f"/connectors/{second}").status_code == 204

    # connect-c dies: its tasks move to the JVM worker.
    t0 = time.monotonic()
    c1.kill()
    kc.wait_until(lambda: (lambda o: o and len(o) == 4 and set(o.values()) == {jvm_id})(
        task_owners(jvm, cname)), timeout=kc.scaled(90), interval=0.2,
        what="every task on the JVM worker")
    print(f"\nmixed: connect-c -> JVM failover {time.monotonic() - t0:.2f} s")
    kafka.produce(topic, [f"b-{i}" for i in range(200)])

    # A connect-c worker comes back, then the JVM worker stops: tasks move to connect-c.
    c2 = group_workers(connect_c, 1, like=c1)[0]
    kc.wait_until(lambda: worker_id(c2) in (task_owners(jvm, cname) or {}).values(),
                  timeout=kc.scaled(120), what="tasks back on connect-c")
    # The JVM worker leads now: a config change through connect-c is forwarded to it, and new
    # task configs reach it from whichever worker runs the connector (signed when that is us).
    r = c2.put(f"/connectors/{cname}/config", json=sink_config(topic, out, 3))
    assert r.status_code == 200, r.text
    kc.wait_until(lambda: (lambda o: o and len(o) == 3 and set(o.values()) == {
        jvm_id, worker_id(c2)})(task_owners(c2, cname)), timeout=kc.scaled(120),
        what="3 tasks RUNNING on both sides after the update")
    t0 = time.monotonic()
    jvm.stop()
    kc.wait_until(lambda: (lambda o: o and len(o) == 3 and set(o.values()) == {worker_id(c2)})(
        task_owners(c2, cname)), timeout=kc.scaled(90), interval=0.2,
        what="every task on connect-c")
    print(f"mixed: JVM -> connect-c failover {time.monotonic() - t0:.2f} s")
    kafka.produce(topic, [f"c-{i}" for i in range(200)])
    want = {f"{p}-{i}" for p in "abc" for i in range(200)}
    kc.wait_until(lambda: want <= sink_lines(out), timeout=kc.scaled(90),
                  what="every record of all three phases in the sink file")
    assert c2.running()


def test_mixed_group_class_only_one_side_has(kafka, connect_c, jvm_connect, tmp_path,
                                             unique_name):
    """A connector class only connect-c has, in a group a JVM worker then joins: what lands on
    the JVM FAILs with a message naming the class, connect-c runs its share, nobody crash-loops.
    (Created while connect-c is alone: a JVM leader refuses the class at create, as it should.)"""
    c1 = group_workers(connect_c, 1, env={"KC_TEST_SINKS": "1"})[0]
    cname = unique_name("only")
    topic = unique_name("only")
    kafka.create_topic(topic, partitions=4)
    cls = "io.connectc.testing.BufferingSinkConnector"
    cfg = {"connector.class": cls, "tasks.max": "4", "topics": topic,
           "file": str(tmp_path / "only.txt")}
    c1.create_connector(cname, cfg)
    c1.wait_running(cname, tasks=4, timeout=kc.scaled(60))
    jvm = jvm_connect(props={"group.id": c1.group, "config.storage.topic": c1.config_topic,
                             "offset.storage.topic": c1.offset_topic,
                             "status.storage.topic": c1.status_topic,
                             **JVM_GROUP_PROPS})
    jvm_id = jvm.url.split("://", 1)[1]

    def jvm_side_failed():
        st = c1.get(f"/connectors/{cname}/status").json()
        insts = [st.get("connector", {})] + st.get("tasks", [])
        on_jvm = [i for i in insts if i.get("worker_id") == jvm_id]
        return on_jvm and all(i["state"] == "FAILED" and i.get("trace") for i in on_jvm) and st

    st = kc.wait_until(jvm_side_failed, timeout=kc.scaled(120),
                       what="what the JVM worker got is FAILED with a trace")
    traces = [i["trace"] for i in [st["connector"]] + st["tasks"] if i.get("worker_id") == jvm_id]
    print("\nJVM side:", [t.splitlines()[0] for t in traces])
    # The JVM's own words: "Failed to start task <c>-<n> since it is not a recognizable type
    # (source or sink)" for a task, "Failed to find any class ..." for the connector.
    assert all(cname in t or "Failed to find any class" in t for t in traces), traces
    assert all("Failed to start task" in t or "Failed to find any class" in t for t in traces)
    assert any(t["state"] == "RUNNING" and t["worker_id"] == worker_id(c1) for t in st["tasks"])
    # No crash loop: both workers are up and the statuses stay put for a while.
    time.sleep(kc.scaled(5))
    assert c1.running()
    assert jvm.get("/").status_code == 200
    st2 = c1.get(f"/connectors/{cname}/status").json()
    assert [(t["id"], t["state"], t["worker_id"]) for t in st2["tasks"]] == [
        (t["id"], t["state"], t["worker_id"]) for t in st["tasks"]]


def test_mixed_group_jvm_leader_takes_signed_task_configs(kafka, connect_c, jvm_connect, tmp_path,
                                                          unique_name):
    """A JVM worker leads (it joined first); a connector instance on connect-c sends its task
    configs to it, signed with the session key the JVM wrote, and the JVM accepts them."""
    name = unique_name("jl")
    jvm = jvm_connect(props={"group.id": name, "config.storage.topic": f"{name}-configs",
                             "offset.storage.topic": f"{name}-offsets",
                             "status.storage.topic": f"{name}-status",
                             **JVM_GROUP_PROPS})
    c = group_workers(connect_c, 1, overrides={"group.id": name,
                                               "config.storage.topic": f"{name}-configs",
                                               "offset.storage.topic": f"{name}-offsets",
                                               "status.storage.topic": f"{name}-status"})[0]
    topic = unique_name("jl")
    kafka.create_topic(topic, partitions=2)
    names = [unique_name("jl") for _ in range(2)]
    for n in names:
        r = c.post("/connectors", json={"name": n, "config": sink_config(
            topic, tmp_path / f"{n}.txt", 2)})
        assert r.status_code == 201, r.text
    for n in names:
        kc.wait_until(lambda n=n: (lambda o: o and len(o) == 2)(task_owners(jvm, n)),
                      timeout=kc.scaled(120), what=f"{n} with 2 tasks RUNNING")
    insts = {n: jvm.get(f"/connectors/{n}/status").json()["connector"]["worker_id"]
             for n in names}
    assert worker_id(c) in insts.values(), insts  # one instance each: one runs on connect-c
    log = c.log_text()
    assert "to the leader" in log and "Could not send task configs" not in log



@pytest.mark.parametrize("protocol", ["eager", "compatible"])
def test_other_protocols_share_and_fail_over(kafka, connect_c, tmp_path, unique_name, protocol):
    """connect.protocol=eager (wire name "default": everything stops before each rebalance) and
    compatible (cooperative, unsigned): two workers share a connector's tasks, and the
    survivor takes the dead one's."""
    ws = group_workers(connect_c, 2, overrides={"connect.protocol": protocol})
    cname = unique_name("proto")
    topic = unique_name("proto")
    kafka.create_topic(topic, partitions=2)
    out = tmp_path / "proto.txt"
    r = ws[1].post("/connectors", json={"name": cname, "config": sink_config(topic, out, 2)})
    assert r.status_code == 201, r.text
    kc.wait_until(lambda: (lambda o: o and len(o) == 2 and set(o.values()) == {
        worker_id(w) for w in ws})(task_owners(ws[0], cname)), timeout=kc.scaled(90),
        what="2 tasks on 2 workers")
    kafka.produce(topic, [f"p-{i}" for i in range(100)])
    ws[1].kill()
    kc.wait_until(lambda: (lambda o: o and len(o) == 2 and set(o.values()) == {
        worker_id(ws[0])})(task_owners(ws[0], cname)), timeout=kc.scaled(60),
        what="both tasks on the survivor")
    kc.wait_until(lambda: {f"p-{i}" for i in range(100)} <= sink_lines(out),
                  timeout=kc.scaled(60), what="every record written")
    log = ws[0].log_text()
    wire = {"eager": "default", "compatible": "compatible"}[protocol]
    assert f"({wire}, leader" in log
