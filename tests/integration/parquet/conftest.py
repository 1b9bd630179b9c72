# tests/integration/parquet/conftest.py: shared fixtures for the Parquet golden tests. The files
# under test are written by connect-parquet (path in KC_PARQUET_CLI, set by ctest) and judged
# only by pyarrow and DuckDB, never by our own code.
import os
import pathlib
import shutil
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def _cli_path():
    p = os.environ.get("KC_PARQUET_CLI")
    if p:
        return p
    for cand in (ROOT / "build" / "connectors" / "parquet" / "connect-parquet",):
        if cand.exists():
            return str(cand)
    found = shutil.which("connect-parquet")
    if found:
        return found
    pytest.exit("connect-parquet not found: set KC_PARQUET_CLI", returncode=2)


@pytest.fixture(scope="session")
def cli():
    return _cli_path()


@pytest.fixture
def workdir(tmp_path, request):
    base = os.environ.get("KC_PARQUET_TMP")
    if not base:
        return tmp_path
    d = pathlib.Path(base) / request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def run_cli(cli, args, stdin=None, timeout=300):
    """Run connect-parquet; return (returncode, stdout, stderr) as text."""
    p = subprocess.run([cli] + [str(a) for a in args], input=stdin, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
