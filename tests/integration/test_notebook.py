"""examples/connect-c.ipynb, the users' inspection notebook, executed headlessly (nbclient, a
real ipykernel) against a live worker: it lists plugins, connectors, configs and task states as
pandas tables, prints a failed task's trace, restarts the task (its cause fixed meanwhile), and
plots records per connector from GET /metrics."""

from __future__ import annotations

import json
from pathlib import Path

import nbclient
import nbformat

import kc

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "examples" / "connect-c.ipynb"
FILE_SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"


def cell_text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif "data" in o:
            parts.append(o["data"].get("text/plain", ""))
        elif o.get("output_type") == "error":
            parts.append("\n".join(o.get("traceback", [])))
    return "\n".join(parts)


def test_notebook_runs_against_a_live_worker(kafka, connect_c, unique_name, tmp_path,
                                             monkeypatch):
    worker = connect_c()
    good_topic = kafka.create_topic(unique_name("nb-good"))
    bad_topic = kafka.create_topic(unique_name("nb-bad"))
    good, bad = unique_name("nbgood"), unique_name("nbbad")
    good_out = tmp_path / "good.txt"
    later = tmp_path / "later"  # missing until the task failed: its restart then succeeds
    bad_out = later / "bad.txt"
    for name, topic, out in ((good, good_topic, good_out), (bad, bad_topic, bad_out)):
        r = worker.create_connector(name, {"connector.class": FILE_SINK, "topics": topic,
                                           "file": str(out), "tasks.max": "1"})
        assert r.status_code == 201, r.text
    kafka.produce(good_topic, [json.dumps({"i": i}) for i in range(40)])
    kafka.produce(bad_topic, [json.dumps({"j": j}) for j in range(10)])
    kc.wait_until(lambda: len(kc.complete_lines(good_out)) == 40, timeout=kc.scaled(30),
                  what="40 lines from the good connector")

    def failed():
        tasks = worker.status(bad).get("tasks", [])
        return tasks and tasks[0]["state"] == "FAILED"
    kc.wait_until(failed, timeout=kc.scaled(30), what="the bad connector's task FAILED")
    later.mkdir()

    nb = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("CONNECT_URL", worker.url)
    monkeypatch.setenv("METRICS_URL", worker.url + "/metrics")
    monkeypatch.setenv("RESTART_WAIT_S", str(kc.scaled(30)))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(nb, timeout=int(kc.scaled(120)), kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / "executed.ipynb")  # for a look after a failure

    code = [c for c in nb.cells if c.cell_type == "code"]
    texts = [cell_text(c) for c in code]
    by_source = {c.source.splitlines()[0]: t for c, t in zip(code, texts)}
    everything = "\n".join(texts)

    assert "Kafka Connect 4.1.0" in everything
    plugins = next(t for c, t in zip(code, texts) if "connector-plugins" in c.source)
    assert "FileStreamSinkConnector" in plugins
    assert "org.apache.kafka.connect.transforms" in plugins  # connectorsOnly=false lists SMTs

    table = by_source["def cluster():"]
    rows = {line.split()[1]: line.split()[2:] for line in table.splitlines()[1:]}
    # type, class, state, worker, tasks, running, failed, topics
    assert rows[good][:3] == ["sink", FILE_SINK, "RUNNING"] and rows[good][4:7] == ["1", "1", "0"]
    assert rows[bad][2] == "RUNNING" and rows[bad][4:7] == ["1", "0", "1"], table
    tasks = next(t for c, t in zip(code, texts) if c.source.startswith("tasks = "))
    assert "FAILED" in tasks and "Couldn't find or create file" in tasks

    configs = next(t for c, t in zip(code, texts) if "configs.pivot" in c.source)
    assert str(good_out) in configs and "connector.class" in configs

    traces = next(t for c, t in zip(code, texts) if c.source.startswith("failed = "))
    assert f"--- {bad} task 0 on" in traces
    assert "Couldn't find or create file" in traces and str(bad_out) in traces

    restart = by_source["def task_state(name, task):"]
    assert f"restarted {bad} task 0: RUNNING" in restart
    assert "FAILED" not in restart

    records = next(t for c, t in zip(code, texts) if "records = (" in c.source)
    row = next(line.split() for line in records.splitlines() if line.startswith(good))
    assert row[1:] == ["40", "40"], records

    plot = next(c for c in code if "plot.barh" in c.source)
    assert any("image/png" in o.get("data", {}) for o in plot.outputs), plot.outputs

    # The restart the notebook made is real: the records of the failed connector arrive.
    kc.wait_until(lambda: len(kc.complete_lines(bad_out)) == 10, timeout=kc.scaled(30),
                  what="10 lines after the notebook restarted the task")
