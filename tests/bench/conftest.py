"""Fixtures of the ingest and benchmark tests.

The emulator is the session's ``hcp_emulator`` of the package's pytest plugin
(``hcpsdk.emulator.plugin``, loaded by its entry point), shared with tests/core; its
faults are cleared after each test. Real sockets on loopback; nothing of http.client,
socket or DNS is mocked.
"""
from __future__ import annotations

import os

import pytest


@pytest.fixture()
def hcp(hcp_emulator):
    """The session's emulated 4-node HCP."""
    return hcp_emulator


@pytest.fixture()
def faults(hcp):
    """``hcp.faults`` (cleared after the test by the plugin)."""
    return hcp.faults


@pytest.fixture()
def target(hcp):
    """A fresh Target (own round-robin address circle) on the emulator's plain HTTP port."""
    return hcp.target(port=hcp.http_port, tls=False)


@pytest.fixture()
def make_files(tmp_path):
    """``make_files(count, size=...)``: distinct local files with random content."""

    def make(count: int, size: int = 2048, prefix: str = "file") -> list[str]:
        names = []
        for i in range(count):
            name = tmp_path / f"{prefix}{i:04d}.bin"
            name.write_bytes(os.urandom(size))
            names.append(str(name))
        return names

    return make
