"""Fault injection (``hcp.faults``), each fault through a real socket on node 1."""
from __future__ import annotations

import http.client
import select
import socket
import time

import pytest
from emulator_support import Client, token

NODE = 1


@pytest.fixture
def node_client(hcp):
    with Client(hcp, node=NODE, timeout=5) as c:
        yield c


def _connect(hcp, node=NODE):
    return socket.create_connection((hcp.addresses[node], hcp.http_port), timeout=2)


def _peer_closed(sock):
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""


def test_down_refuses_connections_and_up_restores(hcp):
    hcp.faults.down(NODE)
    with pytest.raises(ConnectionRefusedError):
        _connect(hcp)
    _connect(hcp, 0).close()  # other nodes unaffected
    hcp.faults.up(NODE)
    _connect(hcp).close()


def test_down_drops_open_connections(hcp, node_client, unique):
    assert node_client.PUT(f"{unique}/o", b"1").status == 201
    hcp.faults.down(hcp.addresses[NODE])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, OSError)):
        node_client.GET(f"{unique}/o")


def test_stall_reads_but_never_answers_until_clear(hcp, unique):
    hcp.faults.stall(NODE)
    with Client(hcp, node=NODE, timeout=0.3) as c:
        with pytest.raises(TimeoutError):
            c.PUT(f"{unique}/o", b"1")
    assert hcp.faults.held(NODE) == 1
    assert hcp.get_object(f"{unique}/o") is None
    hcp.faults.clear(NODE)
    assert hcp.wait_for(lambda: hcp.faults.held(NODE) == 0)


def test_stalled_request_is_answered_after_clear(hcp, unique):
    hcp.faults.stall(NODE)
    with _connect(hcp) as s:
        s.settimeout(5)
        s.sendall(f"GET {unique}/none HTTP/1.1\r\nHost: {hcp.fqdn}\r\n"
                  f"Authorization: HCP {token('n', 'n01')}\r\n\r\n".encode())
        assert hcp.wait_for(lambda: hcp.faults.held(NODE) == 1)
        hcp.faults.clear(NODE)
        assert s.recv(100).startswith(b"HTTP/1.1 404")


def test_close_after_cuts_the_response_body(hcp, node_client, unique):
    node_client.PUT(f"{unique}/o", b"x" * 1000)
    hcp.faults.close_after(NODE, 100)
    with pytest.raises(http.client.IncompleteRead) as info:
        node_client.GET(f"{unique}/o")
    assert len(info.value.partial) == 100
    with Client(hcp, node=NODE) as again:  # count=1: the next response is whole
        assert again.GET(f"{unique}/o").body == b"x" * 1000


def test_reset_upload_resets_mid_body_and_stores_nothing(hcp, unique):
    hcp.faults.reset_upload(NODE, 1000)
    with Client(hcp, node=NODE) as c:
        with pytest.raises((ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
            c.PUT(f"{unique}/o", b"y" * 5_000_000)
    assert hcp.get_object(f"{unique}/o") is None
    with Client(hcp, node=NODE) as c:
        assert c.PUT(f"{unique}/o", b"y" * 5000).status == 201


def test_status_answers_the_next_requests_with_the_code(hcp, node_client, unique):
    hcp.faults.status(NODE, 503, count=2)
    assert node_client.PUT(f"{unique}/o", b"1").status == 503
    r = node_client.GET(f"{unique}/o")
    assert r.status == 503
    assert r.header("X-HCP-ErrorMessage")
    assert node_client.PUT(f"{unique}/o", b"1").status == 201


def test_latency_delays_answers(hcp, node_client, unique):
    hcp.faults.latency(NODE, 0.3)
    started = time.monotonic()
    node_client.GET(f"{unique}/none")
    assert time.monotonic() - started >= 0.3


def test_idle_drop_closes_idle_keep_alive_connections(hcp, unique):
    hcp.faults.idle_drop(NODE, 0.2)
    with Client(hcp, node=NODE) as c:
        assert c.GET(f"{unique}/none").status == 404
        started = time.monotonic()
        assert hcp.wait_for(lambda: _peer_closed(c.conn.sock), timeout=5)
        assert time.monotonic() - started >= 0.1
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            c.GET(f"{unique}/none")


def test_busy_connection_is_not_dropped_by_idle_drop(hcp, node_client, unique):
    hcp.faults.idle_drop(NODE, 0.3)
    for _ in range(5):
        assert node_client.GET(f"{unique}/none").status == 404


def test_faults_accept_index_ip_or_all(hcp):
    hcp.faults.status(hcp.addresses[2], 500)
    assert hcp.faults.nodes[2].status == 500
    hcp.faults.latency(None, 0.01)
    assert all(n.latency == 0.01 for n in hcp.faults.nodes)
    with pytest.raises(ValueError):
        hcp.faults.stall("10.0.0.1")
    with pytest.raises(ValueError):
        hcp.faults.stall(99)


def test_stats_count_connections_and_requests(hcp, unique):
    # the server counts a close when it reads the EOF: let earlier tests' closes land first
    assert hcp.wait_for(lambda: hcp.stats(NODE)["open"] == 0)
    before = hcp.stats(NODE)
    with Client(hcp, node=NODE) as c:
        c.GET(f"{unique}/none")
        c.GET(f"{unique}/none")
    assert hcp.wait_for(lambda: hcp.stats(NODE)["closed"] == before["closed"] + 1)
    after = hcp.stats(NODE)
    assert after["accepted"] == before["accepted"] + 1
    assert after["requests"] == before["requests"] + 2
    assert after["open"] == before["open"]


def test_requests_log_records_node_method_path_query_status(hcp, unique):
    with Client(hcp, node=NODE) as c:
        c.GET(f"{unique}/none?version=list")
    rec = hcp.requests[-1]
    assert (rec.node, rec.method, rec.path, rec.query, rec.status) == (
        hcp.addresses[NODE], "GET", f"{unique}/none", "version=list", 400)
    assert rec.headers["Host"] == hcp.fqdn
