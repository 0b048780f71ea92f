"""TLS: no verification by default; FQDN or node-IP SAN; wrong CA fails."""
from __future__ import annotations

import ssl

import pytest

import hcpsdk


def _target(server, fqdn, context, mini_dns):
    dns = mini_dns({fqdn: {"A": [server.host]}})
    return hcpsdk.Target(fqdn, hcpsdk.NativeAuthorization("n", "n01"), port=server.port,
                         sslcontext=context, tls=True, resolver=dns.resolver())


def _get(conn):
    conn.GET("/rest/x")
    return conn.response_status, conn.read()


def test_emulator_verified_by_fqdn(hcp, open_connections, path):
    context = ssl.create_default_context(cafile=hcp.cafile)
    conn = open_connections(hcp.target(sslcontext=context))
    conn.PUT(path, body=b"verified")
    assert conn.response_status == 201
    assert conn.con.sock.getpeercert()  # a verified peer


def test_default_context_accepts_any_certificate(tls_server, open_connections, mini_dns):
    server = tls_server(["some.other.name"])
    conn = open_connections(_target(server, "n1.m.tls.test", None, mini_dns))
    assert _get(conn) == (200, b"hello over TLS")
    assert server.sni == ["n1.m.tls.test"]  # SNI is the FQDN, not the IP


def test_wildcard_certificate_matches_fqdn(ca, tls_server, open_connections, mini_dns):
    server = tls_server(["*.m.tls.test"])
    context = ssl.create_default_context()
    ca.configure_trust(context)
    conn = open_connections(_target(server, "n1.m.tls.test", context, mini_dns))
    assert _get(conn) == (200, b"hello over TLS")


def test_certificate_with_node_ip_san_is_accepted(ca, tls_server, open_connections, mini_dns):
    server = tls_server(["127.0.0.1"])  # as chapter 5 advises: node IPs as SANs
    context = ssl.create_default_context()
    ca.configure_trust(context)
    conn = open_connections(_target(server, "n1.m.tls.test", context, mini_dns))
    assert _get(conn) == (200, b"hello over TLS")
    conn.close()
    assert _get(conn) == (200, b"hello over TLS")  # the node is remembered: one handshake
    assert server.sni[-1] == "n1.m.tls.test"


def test_certificate_matching_nothing_fails(ca, tls_server, open_connections, mini_dns):
    server = tls_server(["other.example.org", "127.0.0.99"])
    context = ssl.create_default_context()
    ca.configure_trust(context)
    conn = open_connections(_target(server, "n1.m.tls.test", context, mini_dns), retries=0)
    with pytest.raises(hcpsdk.HcpsdkCertificateError) as info:
        conn.GET("/rest/x")
    message = str(info.value)
    assert "127.0.0.1" in message and "n1.m.tls.test" in message


def test_wrong_ca_raises_certificate_error(hcp, other_ca, open_connections):
    context = ssl.create_default_context()
    other_ca.configure_trust(context)
    conn = open_connections(hcp.target(sslcontext=context), retries=3)
    with pytest.raises(hcpsdk.HcpsdkCertificateError) as info:
        conn.HEAD("/rest/x")
    message = str(info.value)
    assert any(a in message for a in hcp.addresses) and hcp.fqdn in message
    assert "certificate" in message
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert conn.retries_done == 0  # never retried


def test_wrong_ca_with_ip_san_still_fails(other_ca, tls_server, open_connections, mini_dns):
    server = tls_server(["127.0.0.1"])
    context = ssl.create_default_context()
    other_ca.configure_trust(context)
    conn = open_connections(_target(server, "n1.m.tls.test", context, mini_dns))
    with pytest.raises(hcpsdk.HcpsdkCertificateError):
        conn.GET("/rest/x")
