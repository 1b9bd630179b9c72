"""Fixtures of the container tests: the connect-c image, built once per session."""

from __future__ import annotations

import pytest

from podman_util import build_image


@pytest.fixture(scope="session")
def image(tmp_path_factory):
    return build_image(tmp_path_factory)
