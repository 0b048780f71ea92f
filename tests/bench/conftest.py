"""Fixtures of the ingest and benchmark tests: one plain-HTTP 4-node emulator for the module.

Real sockets on loopback; nothing of http.client, socket or DNS is mocked.
"""
from __future__ import annotations

import os

import pytest

from hcpsdk.emulator import Emulator


@pytest.fixture(scope="session")
def hcp():
    """A 4-node emulator (HTTP only, ephemeral ports) for the whole bench test session."""
    with Emulator(nodes=4, domain="bench.example.com", tls=False, http_port=0,
                  mapi_port=0) as emulator:
        yield emulator


@pytest.fixture()
def faults(hcp):
    """``hcp.faults``, cleared after the test."""
    hcp.faults.clear()
    yield hcp.faults
    hcp.faults.clear()


@pytest.fixture()
def target(hcp):
    """A fresh Target (own round-robin address circle) on the emulator's HTTP port."""
    return hcp.target(port=hcp.http_port, tls=False)


@pytest.fixture()
def make_files(tmp_path):
    """``make_files(count, size=...)``: distinct local files with random content."""

    def make(count: int, size: int = 2048, prefix: str = "file") -> list[str]:
        names = []
        for i in range(count):
            name = tmp_path / "{}{:04d}.bin".format(prefix, i)
            name.write_bytes(os.urandom(size))
            names.append(str(name))
        return names

    return make
