"""Error translation: each failure maps to its documented exception, naming node and cause."""
from __future__ import annotations

import socket
import time

import pytest
from core_support import raw_target, read_request

import hcpsdk


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_port_raises_cant_connect(open_connections):
    port = _free_port()
    t = hcpsdk.Target("127.0.0.1", hcpsdk.NativeAuthorization("n", "n01"), port=port, tls=False)
    conn = open_connections(t, retries=0)
    with pytest.raises(hcpsdk.HcpsdkCantConnectError) as info:
        conn.GET("/rest/x")
    assert isinstance(info.value, hcpsdk.HcpsdkError)
    message = str(info.value)
    assert "127.0.0.1" in message and "refused" in message
    assert info.value.__cause__ is not None


def test_all_emulator_nodes_down_raises_cant_connect(hcp, faults, http_target, open_connections):
    faults.down()
    conn = open_connections(http_target, retries=0)
    with pytest.raises(hcpsdk.HcpsdkCantConnectError) as info:
        conn.HEAD("/rest/x")
    for node in hcp.addresses:
        assert node in str(info.value)
    assert hcp.fqdn in str(info.value)


def test_stalled_server_raises_timeout(raw_server, open_connections):
    def stall(sock, stop):
        read_request(sock)
        stop.wait(10)

    server = raw_server(stall)
    conn = open_connections(raw_target(server), timeout=0.3, retries=0)
    start = time.monotonic()
    with pytest.raises(hcpsdk.HcpsdkTimeoutError) as info:
        conn.GET("/rest/x")
    assert time.monotonic() - start < 3
    assert "127.0.0.1" in str(info.value) and "timed out" in str(info.value)
    assert isinstance(info.value.__cause__, TimeoutError)


def test_stalled_emulator_node_raises_timeout(hcp, faults, http_target, open_connections):
    faults.stall()
    conn = open_connections(http_target, timeout=0.2, retries=0)
    with pytest.raises(hcpsdk.HcpsdkTimeoutError, match=hcp.fqdn.replace(".", r"\.")):
        conn.HEAD("/rest/x")


def test_garbage_status_line_raises_hcpsdk_error(raw_server, open_connections):
    def garbage(sock, stop):
        read_request(sock)
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        sock.close()

    server = raw_server(garbage)
    conn = open_connections(raw_target(server), retries=0)
    with pytest.raises(hcpsdk.HcpsdkError) as info:
        conn.GET("/rest/x")
    assert "bad status line" in str(info.value) and "127.0.0.1" in str(info.value)


def test_close_after_accept_raises_after_retries(raw_server, open_connections):
    from core_support import fast_retry

    def close_at_once(sock, stop):
        sock.close()

    server = raw_server(close_at_once)
    conn = open_connections(raw_target(server), retry=fast_retry(2))
    with pytest.raises(hcpsdk.HcpsdkError) as info:
        conn.GET("/rest/x")
    assert "giving up after 2 retries" in str(info.value)
    assert server.accepted == 3
    assert conn.retries_done == 2


def test_reset_mid_body_raises_on_read(raw_server, open_connections):
    def reset_mid_body(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"a" * 1000)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()

    server = raw_server(reset_mid_body)
    conn = open_connections(raw_target(server), retries=0)
    conn.GET("/rest/x")
    with pytest.raises(hcpsdk.HcpsdkError) as info:
        while conn.read(4096):
            pass
    assert "127.0.0.1" in str(info.value)


def test_truncated_body_is_not_taken_as_complete(raw_server, open_connections):
    def short_body(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"a" * 10)
        sock.close()

    server = raw_server(short_body)
    conn = open_connections(raw_target(server), retries=0)
    conn.GET("/rest/x")
    with pytest.raises(hcpsdk.HcpsdkError, match="incomplete"):
        while conn.read(4096):
            pass


def test_unresolvable_target_raises_ips_error(hcp):
    with pytest.raises(hcpsdk.ips.IpsError) as info:
        hcp.target(fqdn="ns.unknown." + hcp.domain)
    assert "ns.unknown." + hcp.domain in str(info.value)


def test_ipv6_literal_target(raw_server, open_connections):
    seen = []

    def answer(sock, stop):
        seen.append(read_request(sock))
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6")

    server = raw_server(answer, host="::1")
    t = hcpsdk.Target("::1", hcpsdk.DummyAuthorization(), port=server.port, tls=False)
    conn = open_connections(t)
    conn.GET("/rest/x")
    assert conn.read() == b"v6" and conn.address == "::1"
    assert b"\r\nHost: [::1]" in seen[0]
