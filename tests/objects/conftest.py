"""Fixtures of the hcpsdk.objects tests: an emulator of their own, Connections to it.

``hcp_emulator`` is overridden here with a system of its own (the plugin's fixture
serves the other suites, whose namespaces must stay as they expect): the
documentation's tenant ``m`` with ``n1`` (no versioning) and ``n2`` (versioning),
plus ``other`` (tenant ``t2``) for copies across tenants. Each test works below a
directory of its own (``tree``), so tests never see each other's objects.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import http.client
import itertools
import ssl

import pytest

import hcpsdk
from hcpsdk.emulator import Emulator
from hcpsdk.emulator.config import DEFAULT_CONFIG

_serial = itertools.count()


def _config():
    config = copy.deepcopy(DEFAULT_CONFIG)
    config["tenants"].append({
        "name": "t2", "namespaces": [{"name": "other", "versioning": False}],
        "users": [{"name": "n", "password": "n01", "permissions": {"other": "all"}}]})
    return config


@pytest.fixture(scope="session")
def _objects_emulator():
    with Emulator(nodes=4, domain="objects.example.com", config=_config()) as emulator:
        yield emulator


@pytest.fixture
def hcp_emulator(_objects_emulator):
    """The suite's running emulator; faults are cleared after each test."""
    yield _objects_emulator
    _objects_emulator.faults.clear()


@pytest.fixture
def connect(hcp_emulator):
    """``connect(host='n2.m', **kw)``: a Connection to ``<host>.<domain>``, closed after the test."""
    made = []

    def make(host="n2.m", **kw):
        made.append(hcpsdk.Connection(hcp_emulator.target(f"{host}.{hcp_emulator.domain}"), **kw))
        return made[-1]

    yield make
    for c in made:
        c.close()


@pytest.fixture
def connection(connect):
    """A Connection to namespace n2 (versioning)."""
    return connect()


@pytest.fixture
def n1(connect):
    """A Connection to namespace n1 (no versioning)."""
    return connect("n1.m")


@pytest.fixture
def tree(request):
    """A fresh directory path for the test (``/rest/t<n>-<testname>``); nothing is in it."""
    name = "".join(ch if ch.isalnum() else "-" for ch in request.node.name)[:50]
    return f"/rest/t{next(_serial)}-{name}"


def _put(connection, path, data=b"data", **params):
    response = connection.PUT(path.replace("%", "%25"), body=data, params=params or None)
    assert response.status == 201, (response.status, connection.getheader("X-HCP-ErrorMessage"))
    return response


@pytest.fixture
def put():
    """``put(connection, path, data=b'data', **params)``: store an object (checks the 201)."""
    return _put


@pytest.fixture
def raw(hcp_emulator):
    """``raw(method, path, headers=None, body=None, query='')``: one request over plain
    ``http.client`` (HTTPS, user n) to namespace n2; returns (status, headers, body)."""
    hcp = hcp_emulator
    context = ssl.create_default_context(cafile=hcp.cafile)
    context.check_hostname = False
    token = (base64.b64encode(hcp.user.encode()).decode() + ":"
             + hashlib.md5(hcp.password.encode()).hexdigest())

    def request(method, path, headers=None, body=None, query=""):
        con = http.client.HTTPSConnection(hcp.addresses[0], hcp.https_port, context=context,
                                          timeout=10)
        sent = {"Host": f"n2.m.{hcp.domain}", "Authorization": f"HCP {token}"}
        sent.update(headers or {})
        try:
            con.request(method, path + (f"?{query}" if query else ""), body=body, headers=sent)
            response = con.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            con.close()

    return request
