"""The emulator's DNS server (dnspython, UDP and TCP) and its TLS certificates."""
from __future__ import annotations

import socket
import ssl

import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest

from hcpsdk.emulator import Emulator


def _a(hcp, name):
    return [r.address for r in hcp.resolver().resolve(name, "A")]


@pytest.mark.parametrize("name", ["n1.m.hcp1.example.com", "anything.m.hcp1.example.com",
                                  "m.hcp1.example.com", "admin.hcp1.example.com",
                                  "N1.M.HCP1.EXAMPLE.COM"])
def test_names_resolve_to_all_node_addresses(hcp, name):
    assert sorted(_a(hcp, name)) == sorted(hcp.addresses)


def test_answers_rotate_round_robin(hcp):
    first = _a(hcp, hcp.fqdn)
    second = _a(hcp, hcp.fqdn)
    assert sorted(first) == sorted(second)
    assert second == first[1:] + first[:1]


@pytest.mark.parametrize("name", ["nosuch.hcp1.example.com", "n1.nosuch.hcp1.example.com",
                                  "example.com", "www.python.org"])
def test_other_names_are_nxdomain(hcp, name):
    with pytest.raises(dns.resolver.NXDOMAIN):
        hcp.resolver().resolve(name, "A")


def test_tcp_queries_are_answered(hcp):
    query = dns.message.make_query(hcp.fqdn, "A")
    answer = dns.query.tcp(query, hcp.dns[0], port=hcp.dns[1], timeout=2)
    assert sorted(r.address for r in answer.answer[0]) == sorted(hcp.addresses)


def test_dns_fail_answers_servfail(hcp):
    hcp.faults.dns_fail()
    query = dns.message.make_query(hcp.fqdn, "A")
    answer = dns.query.udp(query, hcp.dns[0], port=hcp.dns[1], timeout=2)
    assert answer.rcode() == dns.rcode.SERVFAIL
    hcp.faults.dns_fail(False)
    assert _a(hcp, hcp.fqdn)


def test_use_as_default_resolver_is_restored(hcp):
    before = dns.resolver.get_default_resolver()
    with hcp.use_as_default_resolver():
        answer = dns.resolver.resolve(hcp.fqdn, "A")
        assert sorted(r.address for r in answer) == sorted(hcp.addresses)
    assert dns.resolver.get_default_resolver() is before


def test_serve_names_of_another_emulator(hcp):
    with Emulator(nodes=2, domain="hcp2.example.com") as other:
        assert set(other.addresses).isdisjoint(hcp.addresses)
        hcp.serve_names_of(other)
        assert sorted(_a(hcp, f"n1.m.{other.domain}")) == sorted(other.addresses)


# ---------------------------------------------------------------- TLS


def _handshake(hcp, address, port, server_hostname, context=None):
    ctx = context or ssl.create_default_context(cafile=hcp.cafile)
    with socket.create_connection((address, port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.getpeercert()


@pytest.mark.parametrize("which", ["fqdn", "tenant_fqdn", "admin_fqdn"])
def test_certificate_verifies_by_fqdn(hcp, which):
    cert = _handshake(hcp, hcp.addresses[1], hcp.https_port, getattr(hcp, which))
    assert cert


def test_certificate_covers_other_namespaces_by_wildcard(hcp):
    assert _handshake(hcp, hcp.addresses[0], hcp.https_port, "n2.m.hcp1.example.com")


def test_certificate_verifies_by_node_ip(hcp):
    for address in hcp.addresses:
        assert _handshake(hcp, address, hcp.https_port, address)


def test_mapi_port_uses_the_same_certificate(hcp):
    assert _handshake(hcp, hcp.addresses[0], hcp.mapi_port, hcp.admin_fqdn)


def test_certificate_fails_without_the_ca(hcp):
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(hcp, hcp.addresses[0], hcp.https_port, hcp.fqdn, ssl.create_default_context())


def test_certificate_does_not_match_foreign_names(hcp):
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(hcp, hcp.addresses[0], hcp.https_port, "www.example.org")


def test_client_context_trusts_the_emulator(hcp):
    assert _handshake(hcp, hcp.addresses[0], hcp.https_port, hcp.fqdn, hcp.client_context())


def test_tenant_added_at_run_time_gets_a_verifiable_certificate(hcp):
    hcp.system.add_tenant("late")
    try:
        assert _handshake(hcp, hcp.addresses[0], hcp.https_port, f"ns.late.{hcp.domain}")
        assert _handshake(hcp, hcp.addresses[0], hcp.https_port, f"late.{hcp.domain}")
        assert sorted(_a(hcp, f"ns.late.{hcp.domain}")) == sorted(hcp.addresses)
    finally:
        del hcp.system.tenants["late"]
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(hcp, hcp.addresses[0], hcp.https_port, f"ns.other.{hcp.domain}")


def test_tls_handshake_on_the_http_port_is_closed_at_once(hcp):
    """A client speaking TLS to the plain HTTP port fails at once instead of timing out."""
    import time
    ctx = ssl.create_default_context(cafile=hcp.cafile)
    started = time.monotonic()
    with socket.create_connection((hcp.addresses[1], hcp.http_port), timeout=5) as sock:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            ctx.wrap_socket(sock, server_hostname=hcp.fqdn)
    assert time.monotonic() - started < 4  # the timeout (5 s) was not reached
    # plain HTTP on the same port still works
    with socket.create_connection((hcp.addresses[1], hcp.http_port), timeout=5) as sock:
        sock.sendall(f"GET /proc HTTP/1.1\r\nHost: {hcp.fqdn}\r\n\r\n".encode())
        assert sock.recv(100).startswith(b"HTTP/1.1 401 ")
