"""Fixtures of the Metadata Query API tests: one emulated system of their own.

``mqe`` is an :class:`~hcpsdk.emulator.Emulator` (2 nodes, domain ``mqe.example.com``)
whose tenant ``m`` has namespaces for each kind of test — ``n1`` (no versioning), ``n2``
(versioning), ``quiet`` (search disabled), ``unindexed`` (objects not indexed by
default), ``bulk`` (large result sets), ``feed`` (change feed) — and whose tenant ``t2``
has one namespace ``x``. User ``n``/``n01`` may do everything in ``m``; user ``blind``
may read ``n1`` but not search it; user ``x``/``x01`` owns ``t2``. Tests write to the
namespace of their kind and never expect another namespace to stay empty unless it is
theirs.
"""
from __future__ import annotations

import pytest
from query_support import DOMAIN

from hcpsdk.emulator import Emulator
from hcpsdk.query import Search

_M = ["n1", "n2", "quiet", "unindexed", "bulk", "feed", "esc", "times"]
CONFIG = {
    "admin_users": {"service": "service01"},
    "default_namespace": "n1.m",
    "tenants": [
        {"name": "m",
         "namespaces": [
             {"name": "n1"}, {"name": "n2", "versioning": True},
             {"name": "quiet", "search": False}, {"name": "unindexed", "default_index": False},
             {"name": "bulk"}, {"name": "feed", "versioning": True}, {"name": "esc"},
             {"name": "times", "retention_classes": [
                 {"name": "TAX", "value": "A+10y"}, {"name": "KEEP", "value": "-1"}]}],
         "users": [{"name": "n", "password": "n01", "permissions": {ns: "all" for ns in _M}},
                   {"name": "blind", "password": "blind01",
                    "permissions": {"n1": ["read", "browse", "write"]}}]},
        {"name": "t2", "namespaces": [{"name": "x"}],
         "users": [{"name": "x", "password": "x01", "permissions": {"x": "all"}}]},
    ],
}


@pytest.fixture(scope="session")
def mqe():
    with Emulator(nodes=2, domain=DOMAIN, config=CONFIG) as emulator:
        yield emulator


@pytest.fixture
def tenant_target(mqe):
    """The tenant host m.mqe.example.com on the HTTPS data port, user n."""
    return mqe.target(f"m.{DOMAIN}", port=mqe.https_port)


@pytest.fixture
def admin_target(mqe):
    """The system host admin.mqe.example.com on the HTTPS data port, user service."""
    return mqe.target(mqe.admin_fqdn, port=mqe.https_port)


@pytest.fixture(params=["json", "xml"])
def search(request, tenant_target):
    """A Search on the tenant host, once with JSON and once with XML on the wire."""
    with Search(tenant_target, fmt=request.param) as s:
        yield s
