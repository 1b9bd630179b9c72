"""pytest fixtures shared by every integration test under tests/integration/.

Fixtures:
  kafka         session: a Kafka broker (kc.Kafka). Reuses KC_BOOTSTRAP when it is set (tests/run.sh
                starts one broker for all suites); otherwise starts one with services.sh into a
                temp run dir and stops it when the session ends.
  services      session: kc.Services for the run dir JVM workers are started in (KC_RUN_DIR when
                set, else the broker's temp run dir, else a new temp dir).
  jvm_connect   function: factory jvm_connect(name=None, **props) -> kc.JvmWorker, a reference JVM
                Connect 4.1.0 worker (own group id and internal topics); stopped after the test.
                Keep to one at a time: the machines have 2 cores.
  connect_c     function: factory connect_c(name=None, overrides=None, start=True) -> kc.ConnectC,
                our worker binary; skips the test when the binary is not built. After the test
                every worker is stopped (SIGTERM) and the test fails if a sanitizer reported
                anything or the worker exited with a status other than 0 / 143 / SIGTERM / SIGKILL.
  unique_name   function: factory unique_name(prefix) -> unique topic/group/connector name.
  (autouse, session) at the end of the run every connect-c worker log is searched for every
  secret the run used (kc.SECRETS: password-like keys of worker and connector configs, plus
  kc.secret()); one found fails the session.

Environment: KC_BOOTSTRAP, KC_RUN_DIR, KC_TEST_TIMEOUT_SCALE, KC_BUILD_DIR, KC_CONNECT_BIN,
KC_CACHE (see kc.py and services.sh).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kc  # noqa: E402


@pytest.fixture(scope="session")
def _broker_run_dir(tmp_path_factory):
    """(run_dir, started_here) for the session broker."""
    if os.environ.get("KC_BOOTSTRAP"):
        rd = os.environ.get("KC_RUN_DIR")
        yield (Path(rd) if rd and Path(rd).is_dir() else None), False
        return
    rd = tmp_path_factory.mktemp("services")
    yield rd, True


@pytest.fixture(scope="session")
def kafka(_broker_run_dir):
    run_dir, start_here = _broker_run_dir
    bootstrap = os.environ.get("KC_BOOTSTRAP")
    if not start_here:
        yield kc.Kafka(bootstrap, run_dir)
        return
    svc = kc.Services(run_dir)
    svc.fetch()
    env = svc.start_kafka()
    k = kc.Kafka(env["KC_BOOTSTRAP"], run_dir)
    try:
        yield k
    finally:
        k.close()
        svc.stop()


@pytest.fixture(scope="session")
def services(kafka, _broker_run_dir, tmp_path_factory):
    run_dir, _ = _broker_run_dir
    if run_dir is None:
        run_dir = tmp_path_factory.mktemp("jvm")
    svc = kc.Services(run_dir)
    svc.fetch()
    return svc


@pytest.fixture
def unique_name():
    return kc.unique


@pytest.fixture
def jvm_connect(kafka, services):
    started: list[kc.JvmWorker] = []

    def start(name: str | None = None, **props) -> kc.JvmWorker:
        name = name or kc.unique("jvm")
        # keys with dots cannot be Python kwargs: pass them as props={"a.b": ...} too
        extra = props.pop("props", {}) or {}
        merged = {**{k.replace("__", "."): v for k, v in props.items()}, **extra}
        env = services.start_jvm_connect(name, merged, bootstrap=kafka.bootstrap)
        w = kc.JvmWorker(services, name, env, merged)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


@pytest.fixture
def connect_c(kafka, tmp_path):
    workers: list[kc.ConnectC] = []

    def make(name: str | None = None, overrides: dict | None = None,
             start: bool = True) -> kc.ConnectC:
        w = kc.ConnectC(kafka.bootstrap, tmp_path / f"connect-c-{len(workers)}", name=name,
                        overrides=overrides)
        workers.append(w)
        if start:
            w.start()
        return w

    yield make
    problems = []
    for w in workers:
        rc = w.stop()
        if rc not in (None, 0, 143, 137, -signal.SIGTERM, -signal.SIGKILL):
            problems.append(f"{w.name}: exit status {rc}")
        errs = w.sanitizer_errors()
        if errs:
            problems.append(f"{w.name}: sanitizer: {errs[:5]}")
        if problems:
            keep = Path(os.environ.get("KC_KEEP_LOGS", "")) if os.environ.get("KC_KEEP_LOGS") else None
            if keep:
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(w.log_path, keep / f"{w.name}.log")
    if problems:
        tails = "\n".join(f"--- {w.log_path} ---\n{w.log_tail(80)}" for w in workers)
        pytest.fail("connect-c worker problems: " + "; ".join(problems) + "\n" + tails)


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_any_worker_log():
    """Issue 11: no password, key or token of the whole run in any connect-c worker's log."""
    yield
    leaks = []
    for log in kc.WORKER_LOGS:
        try:
            text = log.read_text(errors="replace")
        except OSError:
            continue
        for s in sorted(kc.SECRETS):
            if s in text:
                line = next(ln for ln in text.splitlines() if s in ln)
                leaks.append(f"{log}: {line.replace(s, '<SECRET>')[:300]}")
    print(f"\nsecrets check: {len(kc.SECRETS)} secrets, {len(kc.WORKER_LOGS)} worker logs, "
          f"{len(leaks)} leaks")
    if leaks:
        pytest.fail("secrets reached worker logs:\n" + "\n".join(leaks))
