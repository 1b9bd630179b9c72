# tests/integration/parquet/conftest.py: shared fixtures for the Parquet golden tests. The files
# under test are written by connect-parquet (path in KC_PARQUET_CLI, set by ctest) and judged
# only by pyarrow and DuckDB, never by our own code.
import os
import pathlib
import shutil

import pytest

from parquet_helpers import ROOT


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

