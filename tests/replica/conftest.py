"""Fixtures of the replica tests: a primary and a replica emulator that can be linked.

Both emulators run for the whole session on their own 127.x.y.z blocks with the same port
numbers (a replica Target uses its primary's port), and each one's DNS answers the other's
names. Every test links them afresh (``linked``) and deletes its link at the end; faults are
cleared after every test. Clients are real hcpsdk Targets and Connections over real sockets.
"""
from __future__ import annotations

import itertools
import uuid

import pytest
from replica_support import TIMEOUT, fast_retry

import hcpsdk
from hcpsdk.emulator import Emulator

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def pair():
    """(primary, replica): two 2-node emulators whose DNS servers know each other's names."""
    with Emulator(nodes=2, domain="rp1.example.com") as one:
        with Emulator(nodes=2, domain="rp2.example.com", http_port=one.http_port,
                      https_port=one.https_port, mapi_port=one.mapi_port) as two:
            one.serve_names_of(two)
            two.serve_names_of(one)
            yield one, two


@pytest.fixture(autouse=True)
def _clear_faults(pair):
    """No fault outlives its test."""
    yield
    for hcp in pair:
        hcp.faults.clear()


@pytest.fixture()
def linked(pair, request):
    """``linked(link_type)`` joins primary and replica with a fresh link (deleted afterwards)."""
    made = []

    def make(link_type: str = "ACTIVE_ACTIVE"):
        one, two = pair
        name = f"{request.node.name[:40]}-{next(_numbers)}"
        made.append(one.link(two, name=name, link_type=link_type))
        return made[-1]

    yield make
    for link in made:
        link.close()


@pytest.fixture()
def path(request):
    """A fresh object path of this test."""
    return "/rest/replica/{}/{}.bin".format(request.node.name.replace("[", "_").rstrip("]"),
                                            uuid.uuid4().hex)


@pytest.fixture()
def client(pair):
    """``client(strategy, mapi_link=None, ...)``: a Connection to the primary whose Target
    has the replica with ``strategy``; with ``mapi_link`` (a link) the Target reads the
    link state from the MAPI of ``mapi_of`` (default: the replica)."""
    one, two = pair
    made = []

    def make(strategy, mapi_link=None, mapi_of=None, retries: int = 3,
             timeout: float = TIMEOUT):
        kw = {}
        if mapi_link is not None:
            mapi_of = mapi_of or two
            kw = {"replica_mapi": mapi_of.target(mapi_of.admin_fqdn),
                  "replica_link": mapi_link.name}
        target = one.target(replica_fqdn=two.fqdn, replica_strategy=strategy, **kw)
        conn = hcpsdk.Connection(target, timeout=timeout, retry=fast_retry(retries))
        made.append(conn)
        return conn

    yield make
    for conn in made:
        conn.close()

