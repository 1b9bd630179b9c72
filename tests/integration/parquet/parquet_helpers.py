# tests/integration/parquet/parquet_helpers.py: helpers shared by the Parquet golden tests
# (a uniquely named module, so it cannot clash with other rooms' conftest.py on sys.path).
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def run_cli(cli, args, stdin=None, timeout=300):
    """Run connect-parquet; return (returncode, stdout, stderr) as text."""
    p = subprocess.run([cli] + [str(a) for a in args], input=stdin, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
