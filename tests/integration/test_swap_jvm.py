"""Swap test: connect-c and the JVM Connect 4.1.0 worker share internal topics. Connectors made
by one are listed, with identical configs, target states and task counts, by the other started
afterwards on the same group and topics -- in both directions. This is what lets a user replace
the JVM container with ours (and back) without losing a connector."""

from __future__ import annotations

import time

import kc


def snapshot(w: kc.Rest) -> dict:
    names = sorted(w.get("/connectors").json())
    out = {}
    for n in names:
        info = w.get(f"/connectors/{n}").json()
        out[n] = {
            "config": info["config"],
            "tasks": [t["task"] for t in info["tasks"]],
            "type": info["type"],
        }
    return out


def states(w: kc.Rest, names) -> dict:
    return {n: w.status(n)["connector"]["state"] for n in names}


def cfg(topic, out):
    return {"connector.class": kc.FILE_SINK, "tasks.max": "1", "topics": topic, "file": str(out)}


def wait_states(w, want: dict, timeout=90):
    return kc.wait_until(lambda: states(w, want) == want and w, timeout=timeout,
                         what=f"states {want}")


def test_swap_connect_c_then_jvm_then_back(kafka, connect_c, jvm_connect, tmp_path, unique_name):
    topic = unique_name("swap")
    kafka.produce_lines(topic, 5, fmt='{{"n":{i}}}')
    c = connect_c()
    c.create_connector("run", cfg(topic, tmp_path / "run.txt"))
    r = c.post("/connectors", json={"name": "paused", "config": cfg(topic, tmp_path / "p.txt"),
                                    "initial_state": "PAUSED"})
    assert r.status_code == 201, r.text
    c.create_connector("stopped", cfg(topic, tmp_path / "s.txt"))
    c.wait_running("run")
    c.wait_running("stopped")
    assert c.put("/connectors/stopped/stop").status_code == 204
    want = {"run": "RUNNING", "paused": "PAUSED", "stopped": "STOPPED"}
    wait_states(c, want)
    before = snapshot(c)
    assert c.stop() == 0

    # The JVM worker on the same group and topics sees the same connectors.
    j = jvm_connect(name=c.name, props={"offset.storage.partitions": 1,
                                        "status.storage.partitions": 1})
    kc.wait_until(lambda: sorted(j.get("/connectors").json()) == sorted(want), timeout=90,
                  what="JVM lists connect-c's connectors")
    wait_states(j, want)
    assert snapshot(j) == before
    # The JVM keeps consuming where connect-c committed: nothing is re-delivered.
    time.sleep(kc.scaled(3))
    assert len((tmp_path / "run.txt").read_text().splitlines()) == 5

    # ...and the reverse: a connector the JVM creates survives the swap back.
    j.create_connector("fromjvm", cfg(topic, tmp_path / "j.txt"))
    j.wait_running("fromjvm")
    want["fromjvm"] = "RUNNING"
    before = snapshot(j)
    j.stop()
    c.start()
    kc.wait_until(lambda: sorted(c.get("/connectors").json()) == sorted(want), timeout=60,
                  what="connect-c lists the JVM's connectors")
    wait_states(c, want)
    assert snapshot(c) == before
    c.wait_running("fromjvm")
    assert len((tmp_path / "j.txt").read_text().splitlines()) == 5
