"""The worker-group member (worker/group_member.c) against the real broker, one member per
process (build/tests/integration/worker/group_probe): members join one `connect` group, one is
leader, the assignments cover every connector and task exactly once; when a member leaves
(LeaveGroup) or dies (kill -9, session timeout) the others take its work over (issue 10, item 1).
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import kc

CONNECTORS = "a:3,b:2,c:0"
ALL = {"a", "a/0", "a/1", "a/2", "b", "b/0", "b/1", "c"}
FAST = {"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000",
        "rebalance.timeout.ms": "20000", "scheduled.rebalance.max.delay.ms": "0"}


def asan_build() -> bool:
    """Timing assertions hold only for the plain build (common rule for the suite)."""
    return b"__asan_init" in probe_bin().read_bytes()


def probe_bin() -> Path:
    p = kc.build_dir() / "tests" / "integration" / "worker" / "group_probe"
    if not p.is_file():
        pytest.skip(f"group_probe not built: {p}")
    return p


class Probe:
    """One member: its ASSIGN/REVOKE lines, parsed, and its running set."""

    _ports = itertools.count(18300)

    def __init__(self, bootstrap: str, group: str, logdir: Path, **props: str):
        self.url = f"http://127.0.0.1:{next(self._ports)}/"
        args = [str(probe_bin()), self.url, CONNECTORS, f"bootstrap.servers={bootstrap}",
                f"group.id={group}"]
        args += [f"{k}={v}" for k, v in {**FAST, **props}.items()]
        self.log = open(logdir / f"probe-{self.url.split(':')[-1].strip('/')}.log", "w")
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.log, text=True)
        self.events: list[dict] = []
        self.views: dict[str, dict[str, set[str]]] = {}  # generation -> url -> items
        self.revokes: list[set[str]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p.stdout
        for line in self.p.stdout:
            line = line.strip()
            if line.startswith("ASSIGN "):
                ev = dict(kv.split("=", 1) for kv in line[7:].split(" "))
                ev["run"] = set(filter(None, ev["run"].split(",")))
                with self.lock:
                    self.events.append(ev)
            elif line.startswith("REVOKE"):
                with self.lock:
                    self.revokes.append(set(filter(None, line[7:].split(","))))
            elif line.startswith("VIEW "):
                gen, _, rest = line[5:].partition(" ")
                view = {}
                for part in rest.split(";"):
                    url, _, items = part.partition("=")
                    view[url] = set(filter(None, items.split(",")))
                with self.lock:
                    self.views[gen.split("=")[1]] = view

    def last(self) -> dict | None:
        with self.lock:
            return self.events[-1] if self.events else None

    def send(self, line: str) -> None:
        assert self.p.stdin
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def stop(self) -> None:
        if self.p.poll() is None:
            assert self.p.stdin
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            assert self.p.wait(timeout=kc.scaled(20)) == 0, self.log_text()[-4000:]
        self.log.close()

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()
        self.log.close()


def settled(members: list[Probe]) -> bool:
    """Every member assigned in the same generation, one leader, work covered exactly once."""
    lasts = [m.last() for m in members]
    if any(ev is None or ev["error"] != "0" or ev["delay"] != "0" for ev in lasts):
        return False
    if len({ev["gen"] for ev in lasts}) != 1 or sum(ev["leader"] == "1" for ev in lasts) != 1:
        return False
    runs = [ev["run"] for ev in lasts]
    return sum(len(r) for r in runs) == len(ALL) and set().union(*runs) == ALL


@pytest.fixture
def probes(kafka, tmp_path):
    made: list[Probe] = []

    def make(group: str, **props: str) -> Probe:
        p = Probe(kafka.bootstrap, group, tmp_path, **props)
        made.append(p)
        return p

    yield make
    for p in made:
        if p.p.poll() is None:
            p.stop()
    for p in made:
        text = Path(p.log.name).read_text(errors="replace")
        assert not any(m in text for m in kc.SANITIZER_MARKERS), text[-4000:]


@pytest.mark.parametrize("protocol", ["eager", "compatible", "sessioned"])
def test_three_members_share_and_take_over(probes, unique_name, protocol):
    group = unique_name("grp")
    ms = [probes(group, **{"connect.protocol": protocol}) for _ in range(3)]
    kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
    want = {"eager": "0", "compatible": "1", "sessioned": "2"}[protocol]
    assert all(m.last()["proto"] == want for m in ms)
    # each member has some work: 8 items over 3 members
    assert all(m.last()["run"] for m in ms), [m.last() for m in ms]
    # the leader's view of who holds what is what every member runs
    leader = next(m for m in ms if m.last()["leader"] == "1")
    view = leader.views[leader.last()["gen"]]
    assert view == {m.url: m.last()["run"] for m in ms}

    # a clean stop (LeaveGroup): the two others get its work at once, no session timeout wait
    t0 = time.monotonic()
    ms[0].stop()
    rest = ms[1:]
    kc.wait_until(lambda: settled(rest), timeout=kc.scaled(30))
    left_s = time.monotonic() - t0
    print(f"FIGURE {protocol}: work moved {left_s:.2f}s after LeaveGroup")
    assert asan_build() or left_s < 6, f"took {left_s:.1f}s after LeaveGroup"

    # kill -9: the last member takes everything once the session (6 s) expires
    t0 = time.monotonic()
    rest[0].kill()
    kc.wait_until(lambda: settled(rest[1:]), timeout=kc.scaled(40))
    dead_s = time.monotonic() - t0
    assert rest[1].last()["run"] == ALL
    print(f"FIGURE {protocol}: work moved {dead_s:.2f}s after kill -9 (session.timeout.ms 6000)")
    assert asan_build() or dead_s < 6 + 2 + 3, f"took {dead_s:.1f}s after kill -9"


@pytest.mark.parametrize("protocol", ["eager", "sessioned"])
def test_rejoin_keeps_work_in_place(probes, unique_name, protocol):
    """group_member_rejoin on the leader (the herder's "config changed") rebalances the group; in
    cooperative mode nobody stops anything, in eager mode everyone stops and restarts."""
    group = unique_name("grp")
    ms = [probes(group, **{"connect.protocol": protocol}) for _ in range(3)]
    kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
    before = {m.url: (m.last()["gen"], m.last()["run"], len(m.revokes)) for m in ms}
    # the leader's JoinGroup rebalances a stable group; a follower's with unchanged metadata
    # (same config offset and allocation) only gets the current generation back (broker rules)
    next(m for m in ms if m.last()["leader"] == "1").send("rejoin")
    kc.wait_until(lambda: settled(ms) and all(m.last()["gen"] != before[m.url][0] for m in ms),
                  timeout=kc.scaled(30))
    for m in ms:
        gen, run, revokes = before[m.url]
        assert m.last()["run"] == run  # same work, same owner (sticky)
        if protocol == "eager":
            assert len(m.revokes) > revokes
        else:
            assert len(m.revokes) == revokes, m.revokes


def test_leave_for_and_come_back(probes, unique_name):
    """group_member_leave_for: the member leaves at once (the others take its work), stays out,
    then joins again and gets a share back."""
    group = unique_name("grp")
    ms = [probes(group) for _ in range(3)]
    kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
    away = next(m for m in ms if m.last()["leader"] == "0")
    rest = [m for m in ms if m is not away]
    n_events = len(away.events)
    away.send("leave 4000")
    t0 = time.monotonic()
    kc.wait_until(lambda: settled(rest), timeout=kc.scaled(20))
    assert len(away.events) == n_events  # nothing new while away
    kc.wait_until(lambda: len(away.events) > n_events, timeout=kc.scaled(20))
    assert time.monotonic() - t0 >= 3.5  # a lower bound: holds under ASan too


def test_eager_member_forces_default_protocol(probes, unique_name):
    """The coordinator picks a protocol every member lists: one eager member makes it `default`."""
    group = unique_name("grp")
    ms = [probes(group, **{"connect.protocol": "sessioned"}),
          probes(group, **{"connect.protocol": "eager"})]
    kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
    assert [m.last()["proto"] for m in ms] == ["0", "0"]


def test_config_mismatch_when_member_is_ahead(probes, unique_name):
    """A member whose config offset is ahead of the leader's snapshot gets CONFIG_MISMATCH."""
    group = unique_name("grp")
    first = probes(group, **{"config.offset": "1"})
    kc.wait_until(lambda: settled([first]), timeout=kc.scaled(30))
    ahead = probes(group, **{"config.offset": "9"})
    kc.wait_until(lambda: ahead.last() is not None and first.last()["gen"] == ahead.last()["gen"],
                  timeout=kc.scaled(30))
    assert ahead.last()["error"] == "1"
    assert first.last()["error"] == "1"


# ----------------------------------------------------------------------------------------------
# Mixed groups with the JVM Connect 4.1 worker (connect-compat.md §5.7)

JVM_FAST = {"session.timeout.ms": "6000", "heartbeat.interval.ms": "1000",
            "scheduled.rebalance.max.delay.ms": "0", "offset.storage.partitions": "1",
            "status.storage.partitions": "1"}


def test_jvm_leader_assigns_to_our_members(probes, jvm_connect, kafka, tmp_path, unique_name):
    """The JVM worker leads; our members decode its sessioned assignments, revocations included,
    and end up running the tasks it moves to them."""
    group = unique_name("mixj")
    topic = unique_name("mixt")
    kafka.produce_lines(topic, 3, fmt='{{"n":{i}}}')
    j = jvm_connect(name=group, props=JVM_FAST)
    j.create_connector("fs", {"connector.class": kc.FILE_SINK, "tasks.max": "3", "topics": topic,
                              "file": str(tmp_path / "fs.txt")})
    kc.wait_until(lambda: len(j.get("/connectors/fs/tasks").json()) == 3, timeout=kc.scaled(60))
    ms = [probes(group, **{"config.offset": "-1"}) for _ in range(2)]

    def moved():
        lasts = [m.last() for m in ms]
        if any(ev is None for ev in lasts):
            return False
        return all(len({r for r in ev["run"] if r.startswith("fs/")}) == 1 for ev in lasts)

    kc.wait_until(moved, timeout=kc.scaled(60))
    for m in ms:
        ev = m.last()
        assert ev["proto"] == "2" and ev["error"] == "0" and ev["leader"] == "0"
        assert ev["leader_id"].startswith(f"connect-127.0.0.1:{j.env['KC_CONNECT_PORT']}-"), ev
    assert ms[0].last()["run"] != ms[1].last()["run"]
    # the JVM sees three members and runs the third task (status shows each task's worker)
    st = j.status("fs")
    workers = {t["worker_id"] for t in st["tasks"]}
    assert f"127.0.0.1:{j.env['KC_CONNECT_PORT']}" in workers


def jvm_assigned(log: Path, leader: str) -> set[str]:
    """What the JVM worker runs from the assignments our leader sent it, from its log lines
    "Joined group at generation N with protocol version 2 and got assignment: Assignment{...}"."""
    run: set[str] = set()
    pat = re.compile(r"Joined group at generation \d+ with protocol version \d+ and got assignment: "
                     r"Assignment\{error=0, leader='([^']*)'.*?connectorIds=\[([^\]]*)\], "
                     r"taskIds=\[([^\]]*)\], revokedConnectorIds=\[([^\]]*)\], "
                     r"revokedTaskIds=\[([^\]]*)\]")

    def items(text: str, tasks: bool) -> set[str]:
        out = {t.strip() for t in text.split(",") if t.strip()}
        return {"/".join(t.rsplit("-", 1)) for t in out} if tasks else out

    for m in pat.finditer(log.read_text(errors="replace")):
        if m.group(1) != leader:
            continue
        run -= items(m.group(4), False) | items(m.group(5), True)
        run |= items(m.group(2), False) | items(m.group(3), True)
    return run


def test_our_leader_assigns_to_jvm(probes, jvm_connect, unique_name):
    """Our member leads a group the JVM worker joins: the JVM decodes our assignments (error 0,
    our leader id and URL, cooperative additions and revocations) and together the three members
    hold every connector and task exactly once; the group then stays put. (The JVM cannot run
    connectors that exist only in our members' test view: it logs errors for them, as expected.)"""
    group = unique_name("mixc")
    ms = [probes(group, **{"config.offset": "-1"}) for _ in range(2)]
    kc.wait_until(lambda: settled(ms), timeout=kc.scaled(30))
    leader = next(m.last()["leader_id"] for m in ms if m.last()["leader"] == "1")
    j = jvm_connect(name=group, props=JVM_FAST)

    def covered():
        lasts = [m.last() for m in ms]
        if any(ev["error"] != "0" or ev["delay"] != "0" for ev in lasts):
            return False
        runs = [ev["run"] for ev in lasts] + [jvm_assigned(j.log_path, leader)]
        return runs[2] and sum(len(r) for r in runs) == len(ALL) and set().union(*runs) == ALL

    kc.wait_until(covered, timeout=kc.scaled(60))
    gen = {m.last()["gen"] for m in ms}
    time.sleep(kc.scaled(4))
    assert {m.last()["gen"] for m in ms} == gen, "the group kept rebalancing"
    text = j.log_path.read_text(errors="replace")
    assert f"leaderUrl='{[m.url for m in ms if m.last()['leader'] == '1'][0]}'" in text
    assert "SchemaException" not in text and "Failed to deserialize" not in text


# ----------------------------------------------------------------------------------------------
# SASL_SSL PLAIN with a JKS truststore, as the worker's own Kafka clients read it (issue 11's
# broker: services.sh start-kafka-sasl-ssl)


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory):
    import shutil

    from test_sasl_ssl import SaslBroker

    for tool in ("openssl", "keytool"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (scripts/setup.sh)")
    b = SaslBroker(tmp_path_factory.mktemp("grp-sasl-ssl"))
    b.make_tls()
    b.start()
    try:
        yield b
    finally:
        b.plain.close()
        b.svc.stop()


def test_members_over_sasl_ssl_plain(sasl_broker, tmp_path, unique_name):
    group = unique_name("grps")
    made = []
    try:
        ms = [Probe(sasl_broker.sasl_bootstrap, group, tmp_path, **sasl_broker.client("alice"))
              for _ in range(2)]
        made += ms
        kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
        bad = Probe(sasl_broker.sasl_bootstrap, group, tmp_path,
                    **sasl_broker.client("bob", "wrong-password"))
        made.append(bad)
        kc.wait_until(lambda: "authentication failed" in bad.log_text().lower()
                      or "Authentication failed" in bad.log_text(), timeout=kc.scaled(30))
        assert bad.last() is None
        for secret in sasl_broker.secrets():
            assert secret not in bad.log_text()
    finally:
        for p in made:
            p.stop()


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_members_over_sasl_ssl_scram(sasl_broker, tmp_path, unique_name, mechanism):
    from confluent_kafka.admin import (AdminClient, ScramCredentialInfo, ScramMechanism,
                                       UserScramCredentialUpsertion)

    user, pw = f"scram{mechanism[-3:]}", f"pw-{unique_name('s')}"
    admin = AdminClient({"bootstrap.servers": sasl_broker.env["KC_BOOTSTRAP"]})
    mech = getattr(ScramMechanism, mechanism.replace("-", "_"))
    futs = admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(user, ScramCredentialInfo(mech, 4096), pw.encode())])
    for f in futs.values():
        f.result(timeout=30)
    client = {**sasl_broker.client("alice"), "sasl.mechanism": mechanism,
              "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule "
                                  f'required username="{user}" password="{pw}";'}
    group = unique_name("grpscram")
    made = []
    try:
        ms = [Probe(sasl_broker.sasl_bootstrap, group, tmp_path, **client) for _ in range(2)]
        made += ms
        kc.wait_until(lambda: settled(ms), timeout=kc.scaled(60))
        bad = Probe(sasl_broker.sasl_bootstrap, group, tmp_path,
                    **{**client, "sasl.jaas.config": client["sasl.jaas.config"].replace(pw, "nope")})
        made.append(bad)
        kc.wait_until(lambda: "authentication failed" in bad.log_text().lower(),
                      timeout=kc.scaled(30))
        assert bad.last() is None
        assert pw not in bad.log_text()
    finally:
        for p in made:
            p.stop()
