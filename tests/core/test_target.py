"""Target: documented attributes, cached headers, TLS switch, replica, errors."""
from __future__ import annotations

import ssl
import threading
from collections import Counter

import pytest

import hcpsdk


def test_documented_attributes(hcp):
    t = hcp.target(port=hcp.http_port, tls=False)
    assert t.fqdn == hcp.fqdn
    assert t.port == hcp.http_port
    assert t.ssl is False
    assert sorted(t.addresses) == sorted(hcp.addresses)
    assert t.headers["Host"] == hcp.fqdn
    assert t.headers["Authorization"].startswith("HCP ")
    assert t.replica is None and t.replica_strategy is None
    assert t.interface == hcpsdk.I_NATIVE
    assert str(t) == "Target initialized for " + hcp.fqdn


@pytest.mark.parametrize("port, expected", [(443, True), (8000, True), (9090, True), (80, False),
                                            (8888, False)])
def test_tls_follows_the_port(port, expected):
    t = hcpsdk.Target("127.0.0.1", hcpsdk.DummyAuthorization(), port=port)
    assert t.ssl is expected


def test_tls_can_be_forced():
    auth = hcpsdk.DummyAuthorization()
    assert hcpsdk.Target("127.0.0.1", auth, port=8080, tls=True).ssl is True
    assert hcpsdk.Target("127.0.0.1", auth, port=443, tls=False).ssl is False


def test_default_sslcontext_does_not_verify():
    t = hcpsdk.Target("127.0.0.1", hcpsdk.DummyAuthorization(), port=443)
    assert t.sslcontext.verify_mode == ssl.CERT_NONE
    context = ssl.create_default_context()
    assert hcpsdk.Target("127.0.0.1", hcpsdk.DummyAuthorization(), sslcontext=context
                         ).sslcontext is context


def test_headers_are_a_fresh_copy(hcp):
    t = hcp.target()
    h = t.headers
    h["Host"] = "evil"
    h["X-New"] = "1"
    assert t.headers["Host"] == hcp.fqdn and "X-New" not in t.headers


def test_getaddr_round_robin_thread_safe(hcp):
    t = hcp.target()
    got = []
    threads = [threading.Thread(target=lambda: got.extend(t.getaddr() for _ in range(400)))
               for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert Counter(got) == {a: 400 for a in hcp.addresses}


def test_unresolvable_fqdn_raises_ips_error(hcp):
    with pytest.raises(hcpsdk.ips.IpsError, match="nosuch"):
        hcp.target(fqdn="n1.nosuch." + hcp.domain)


def test_dnscache_true_with_localhost_and_literal():
    auth = hcpsdk.NativeAuthorization("n", "n01")
    assert hcpsdk.Target("localhost", auth, port=80, dnscache=True).addresses
    assert hcpsdk.Target("127.0.0.1", auth, port=80, dnscache=True).addresses == ["127.0.0.1"]
    assert hcpsdk.Target("127.0.0.1", auth, port=80).addresses == ["127.0.0.1"]


def test_replica_target_is_built(hcp):
    with hcp.use_as_default_resolver():
        t = hcpsdk.Target(hcp.fqdn, hcpsdk.NativeAuthorization("n", "n01"), port=hcp.http_port,
                          tls=False, replica_fqdn=hcp.tenant_fqdn,
                          replica_strategy=hcpsdk.RS_READ_ALLOWED)
    assert isinstance(t.replica, hcpsdk.Target)
    assert t.replica.fqdn == hcp.tenant_fqdn
    assert t.replica.port == t.port and t.replica.ssl is t.ssl
    assert t.replica.headers["Authorization"] == t.headers["Authorization"]
    assert t.replica._circle is not t._circle
    assert t.replica_strategy == hcpsdk.RS_READ_ALLOWED


def test_unresolvable_replica_raises_replica_init_error(hcp):
    with pytest.raises(hcpsdk.HcpsdkReplicaInitError, match="replica") as info:
        hcp.target(replica_fqdn="n1.m.nowhere." + hcp.domain)
    assert isinstance(info.value.__cause__, hcpsdk.ips.IpsError)


def test_repr_hides_the_secret(hcp):
    t = hcp.target()
    assert "n01" not in repr(t) and "1dc7fed" not in repr(t)
    assert repr(t) == f"<hcpsdk.Target https://{hcp.fqdn}:443 {len(t.addresses)} nodes>"


def test_checkport():
    t = hcpsdk.Target("127.0.0.1", hcpsdk.DummyAuthorization(), port=443)
    assert hcpsdk.checkport(t, 443) is None
    with pytest.raises(hcpsdk.HcpsdkPortError, match="443, not 9090"):
        hcpsdk.checkport(t, hcpsdk.P_MAPI)


def test_target_without_token_raises_hcpsdk_error():
    with pytest.raises(hcpsdk.HcpsdkError):
        hcpsdk.Target("127.0.0.1", hcpsdk.BaseAuthorization(), port=80)
