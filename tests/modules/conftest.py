"""Fixtures of the module tests (namespace, pathbuilder, mapi): two emulated systems.

``hcp`` is HCP1 of the documentation (tenant ``m``, namespaces ``n1``/``n2``, data user
``n``/``n01``, MAPI user ``service``/``service01``), ``hcp2`` its replica; both are linked
active/active as ``hcp1--<-->--hcp2``, the link of the documentation's example. Tests
never write to ``n1`` (its statistics are the documented all-zero ones): objects go to
``n2``.
"""
from __future__ import annotations

import pytest

import hcpsdk
from hcpsdk.emulator import Emulator

DOC_LINK = "hcp1--<-->--hcp2"


@pytest.fixture(scope="session")
def hcp():
    with Emulator(nodes=4, domain="hcp1.example.com") as emulator:
        yield emulator


@pytest.fixture(scope="session")
def hcp2(hcp):
    with Emulator(nodes=4, domain="hcp2.example.com") as emulator:
        yield emulator


@pytest.fixture(scope="session")
def doc_link(hcp, hcp2):
    link = hcp.link(hcp2, name=DOC_LINK)
    link.description = "active/active replication between HCP1 and HCP2"
    yield link
    link.close()


@pytest.fixture
def ns_target(hcp):
    """A Target for the namespace n1 (data user)."""
    return hcp.target()


@pytest.fixture
def admin_target(hcp):
    """A Target for admin.hcp1 on the MAPI port (system user)."""
    return hcp.target(hcp.admin_fqdn)


@pytest.fixture
def bad_admin_target(hcp):
    """admin.hcp1 on the MAPI port with a wrong password."""
    return hcpsdk.Target(hcp.admin_fqdn, hcpsdk.NativeAuthorization(hcp.admin_user, "wrong"),
                         port=hcp.mapi_port, tls=True, resolver=hcp.resolver())


@pytest.fixture
def data_connection(hcp):
    """A Connection to namespace n2 (the one tests may write to)."""
    with hcpsdk.Connection(hcp.target(f"n2.m.{hcp.domain}")) as connection:
        yield connection
