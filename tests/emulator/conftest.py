"""Fixtures of the emulator's own tests: session-scoped emulators and a raw HTTP client.

The tests talk to the emulator through plain ``http.client`` and dnspython, never through
hcpsdk, so that an emulator bug cannot hide behind a matching client bug.
"""
from __future__ import annotations

import re

import pytest
from emulator_support import Client

from hcpsdk.emulator import Emulator


@pytest.fixture(scope="session")
def hcp():
    """The shared emulator (4 nodes, TLS, default configuration)."""
    with Emulator(nodes=4, domain="hcp1.example.com") as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clear_faults(request):
    """Tests that inject faults into the shared emulator never leak them."""
    yield
    if "hcp" in request.fixturenames:
        request.getfixturevalue("hcp").faults.clear()


@pytest.fixture
def client(hcp):
    """A keep-alive HTTP client on node 0 as user n."""
    with Client(hcp) as c:
        yield c


@pytest.fixture
def unique(request):
    """A path prefix unique to the test, so tests sharing the emulator never collide."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    return f"/rest/{request.module.__name__.rsplit('.', 1)[-1]}/{name}"
