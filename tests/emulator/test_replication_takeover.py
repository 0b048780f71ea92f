"""After an active/active failover the survivor serves the failed system's namespace hosts
from its replicated namespace of the same name (not from its default namespace).

Two module-scoped emulators (same port numbers, like an HCP pair), linked afresh by every
test. The requests are real: hcpsdk Targets resolving through the emulated DNS, and plain
http.client for the Host headers a client would not send.
"""
from __future__ import annotations

import http.client
import itertools
import uuid

import pytest
from emulator_support import token

import hcpsdk
from hcpsdk.emulator import Emulator

_names = itertools.count(1)


@pytest.fixture(scope="module")
def pair():
    with Emulator(nodes=2, domain="to1.example.com") as one:
        with Emulator(nodes=2, domain="to2.example.com", http_port=one.http_port,
                      https_port=one.https_port, mapi_port=one.mapi_port) as two:
            yield one, two


@pytest.fixture
def link(pair):
    """A fresh active/active link (deleted afterwards); faults are cleared too."""
    one, two = pair
    made = one.link(two, name=f"takeover-{next(_names)}")
    yield made
    made.close()
    for hcp in pair:
        hcp.faults.clear()


def _get(hcp: Emulator, host: str, path: str) -> tuple[int, str, bytes]:
    """GET *path* from *hcp*'s first node with Host *host*: (status, error message, body)."""
    conn = http.client.HTTPConnection(hcp.addresses[0], hcp.http_port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": host,
                                           "Authorization": "HCP " + token(hcp.user, hcp.password)})
        resp = conn.getresponse()
        return resp.status, resp.getheader("X-HCP-ErrorMessage", ""), resp.read()
    finally:
        conn.close()


def test_failed_systems_namespace_host_is_served_from_the_same_named_namespace(pair, link):
    one, two = pair
    path = f"/rest/takeover/{uuid.uuid4().hex}"
    one.put_object(path, b"in n2", namespace="n2")
    assert one.wait_for(lambda: two.get_object(path, namespace="n2") == b"in n2")
    one.put_object(path, b"in the default namespace")
    host = f"n2.m.{two.domain}"
    link.act(one.system, "failOver")
    assert one.system.taken_over_domains == {two.domain}
    one.put_object(path, b"n2 after the failover", namespace="n2")
    two.faults.down(None)
    target = one.target(host, dnscache=False, resolver=two.resolver())
    with hcpsdk.Connection(target, timeout=2.0, retries=0) as conn:
        assert conn.GET(path).status == 200
        assert conn.read() == b"n2 after the failover"
        assert conn.address in one.addresses
        assert conn.PUT(path + ".new", b"written for to2").status == 201
    assert one.get_object(path + ".new", namespace="n2") == b"written for to2"
    assert one.get_object(path + ".new") is None
    served = [r for r in list(one.requests) if r.path == path + ".new"]
    assert served and served[-1].headers.get("Host", "").split(":")[0] == host


def test_unknown_namespace_of_a_failed_system_is_403(pair, link):
    one, two = pair
    link.act(one.system, "failOver")
    status, message, _ = _get(one, f"nosuch.m.{two.domain}", "/rest/x")
    assert status == 403
    assert f"nosuch.m.{two.domain}" in message and two.domain in message


def test_only_taken_over_domains_are_routed(pair, link):
    one, two = pair
    path = f"/rest/takeover/{uuid.uuid4().hex}"
    one.put_object(path, b"default", namespace="n1")
    one.put_object(path, b"n2", namespace="n2")
    # not failed over: a host outside the domain names no namespace here
    assert _get(one, f"n2.m.{two.domain}", path)[0] == 403
    link.act(one.system, "failOver")
    assert _get(one, f"n2.m.{two.domain}", path)[::2] == (200, b"n2")
    assert _get(one, "n2.m.elsewhere.example.com", path)[0] == 403
    # the failed system does not stand in for the survivor
    assert two.system.taken_over_domains == set()
    assert _get(two, f"n2.m.{one.domain}", path)[0] == 403
    link.act(two.system, "failBack")
    assert one.system.taken_over_domains == set()
    assert _get(one, f"n2.m.{two.domain}", path)[0] == 403
