"""Podman for the container tests: the project's containers.conf, and the connect-c image built from
docker/Dockerfile (see test_image.py's docstring)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import kc

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
IMAGE = "localhost/connect-c:test"
BUILD_STAGE = "localhost/connect-c-build:test"
LABEL = "org.opencontainers.image.title=connect-c"
MAX_IMAGE_BYTES = 50 * 1000 * 1000
# docker stop / podman stop / compose all wait 10 s before SIGKILL, for the JVM image too
STOP_GRACE_S = 10



def require_podman() -> None:
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (scripts/setup.sh installs podman, runc, debootstrap)")


def podman_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CONTAINERS_CONF"] = str(HERE / "containers.conf")
    return env


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(["podman", *args], env=podman_env(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} exited {p.returncode}:\n"
                             f"{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def feed_sources() -> None:
    """Copy the cached source tarballs into docker/sources/ (git-ignored) unless identical, with
    their times, so the COPY layer stays cached."""
    downloads = Path(os.environ.get("KC_CACHE", Path.home() / ".cache" / "connect-c")) / "downloads"
    dest = REPO / "docker" / "sources"
    for f in sorted(downloads.glob("*")) if downloads.is_dir() else []:
        if not f.is_file() or f.name.startswith(".") or f.name.endswith(".part"):
            continue
        d = dest / f.name
        if not d.exists() or d.read_bytes() != f.read_bytes():
            shutil.copy2(f, d)


def build_image(tmp_path_factory) -> dict:
    require_podman()
    log = tmp_path_factory.mktemp("image") / "build.log"
    base = subprocess.run([str(HERE / "base-image.sh")], env=podman_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=900)
    assert base.returncode == 0, f"base-image.sh failed:\n{base.stderr[-4000:]}"
    feed_sources()
    t0 = time.monotonic()
    common = ["build", "--format", "docker", "--pull=never", "--layers", "-f",
              str(REPO / "docker" / "Dockerfile")]
    with open(log, "w") as out:
        for extra in (["--target", "build", "-t", BUILD_STAGE], ["-t", IMAGE]):
            p = subprocess.run(["podman", *common, *extra, str(REPO)], env=podman_env(),
                               stdout=out, stderr=subprocess.STDOUT, timeout=kc.scaled(1800))
            if p.returncode != 0:
                pytest.fail(f"podman build failed:\n{log.read_text()[-6000:]}")
    build_s = time.monotonic() - t0
    # Both stages' last layers are tagged, so this drops only the layers of earlier builds of
    # this image (the label keeps other images' layers and the base out of it).
    podman("image", "prune", "-f", "--filter", f"label={LABEL}", timeout=300)
    inspect = json.loads(podman("image", "inspect", IMAGE).stdout)[0]
    print(f"\n[image] build {build_s:.1f} s (podman reuses unchanged layers), "
          f"size {inspect['Size']} bytes ({inspect['Size'] / 1e6:.1f} MB)")
    return inspect
