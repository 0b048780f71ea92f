"""Retries and node failover, each against an injected fault."""
from __future__ import annotations

import hashlib
import io
import logging
import os
import time

import pytest
from core_support import fast_retry, raw_target, read_request

import hcpsdk


def _first(target):
    """The node a fresh Connection of ``target`` will use first."""
    return target._circle._addresses[target._circle._next]


def test_refused_node_is_skipped_at_once(hcp, faults, http_target, open_connections, path):
    # fault: the first node refuses connections; nothing lost: the PUT lands once elsewhere
    down = _first(http_target)
    faults.down(down)
    conn = open_connections(http_target, retries=0)
    start = time.monotonic()
    conn.PUT(path, body=b"data")
    assert time.monotonic() - start < 1
    assert conn.response_status == 201
    assert conn.failed_nodes == (down,)
    assert conn.served_by[0] != down and conn.retries_done == 0
    # the failed node is in its cool-down: the next Connection does not even try it
    other = open_connections(http_target, retries=0)
    for _ in range(4):
        other.close()
        other.HEAD(path)
        assert other.address != down and other.failed_nodes == ()


def test_503_goes_to_the_next_node(hcp, faults, http_target, open_connections, path, caplog):
    # fault: one node answers 503; nothing lost: the object is stored once, by another node
    busy = _first(http_target)
    faults.status(busy, 503, count=5)
    conn = open_connections(http_target, retry=fast_retry(3))
    with caplog.at_level(logging.WARNING, logger="hcpsdk"):
        conn.PUT(path, body=b"payload")
    assert conn.response_status == 201
    assert conn.retries_done == 1 and conn.failed_nodes == (busy,)
    assert conn.served_by[0] != busy
    assert hcp.get_object(path) == b"payload"
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "503" in warnings[0].getMessage()
    assert busy in warnings[0].getMessage()


def test_503_burst_backs_off_then_succeeds(hcp, faults, http_target, open_connections, path):
    # fault: every node answers 503 once; the fifth attempt (back on node 1) succeeds
    faults.status(None, 503, count=1)
    policy = hcpsdk._retry.Retry(4, backoff_factor=0.01, backoff_max=1.0)
    conn = open_connections(http_target, retry=policy)
    start = time.monotonic()
    conn.PUT(path, body=b"after the burst")
    elapsed = time.monotonic() - start
    assert conn.response_status == 201 and conn.retries_done == 4
    assert elapsed >= 0.005 + 0.01 + 0.02 + 0.04  # the smallest possible jittered backoffs
    assert hcp.get_object(path) == b"after the burst"


def test_503_returned_when_retries_are_exhausted(hcp, faults, http_target, open_connections,
                                                 path):
    faults.status(None, 503, count=2)
    conn = open_connections(http_target, retry=fast_retry(2))
    conn.PUT(path, body=b"x")
    assert conn.response_status == 503 and conn.retries_done == 2
    assert hcp.get_object(path) is None


def test_backoff_is_exponential_jittered_and_capped():
    policy = hcpsdk._retry.Retry(10, backoff_factor=0.1, backoff_max=1.0)
    for n, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (9, 1.0)]:
        delays = {policy.backoff(n) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1


def test_stalled_node_times_out_and_the_retry_succeeds(hcp, faults, http_target,
                                                       open_connections, path):
    # fault: the first node accepts but never answers
    hcp.put_object(path, b"content")
    stalled = _first(http_target)
    faults.stall(stalled)
    conn = open_connections(http_target, timeout=0.3, retry=fast_retry(2))
    conn.GET(path)
    assert conn.read() == b"content"
    assert conn.retries_done == 1 and conn.failed_nodes == (stalled,)


def test_all_nodes_failed_resolves_again_and_recovers(hcp, mini_dns, open_connections, path):
    # fault: DNS first names a node that is gone; after every node failed, the name is
    # resolved again and the new addresses serve the request
    dns = mini_dns({hcp.fqdn: {"A": ["127.250.250.250"]}})
    target = hcp.target(port=hcp.http_port, tls=False, resolver=dns.resolver())
    dns.records[hcp.fqdn.lower()] = {"A": list(hcp.addresses)}
    conn = open_connections(target, retries=0)
    conn.PUT(path, body=b"found")
    assert conn.response_status == 201
    assert conn.failed_nodes[0] == "127.250.250.250"
    assert sorted(target.addresses) == sorted(hcp.addresses)
    assert len(dns.queries) == 2


def test_all_nodes_down_then_back(hcp, faults, http_target, open_connections, path):
    # fault: every node refuses; the request fails clearly, and works once the nodes are back
    faults.down()
    conn = open_connections(http_target, retry=fast_retry(1))
    with pytest.raises(hcpsdk.HcpsdkCantConnectError):
        conn.PUT(path, body=b"x")
    assert hcp.get_object(path) is None
    faults.up()
    conn.PUT(path, body=b"x")  # all nodes are cooling down: they are re-probed nevertheless
    assert conn.response_status == 201


def test_reset_during_file_upload_resends_from_the_start_offset(hcp, faults, http_target,
                                                                open_connections, path,
                                                                tmp_path):
    # fault: the node resets the connection after 50 kB of the body
    data = os.urandom(300000)
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    faults.reset_upload(_first(http_target), 50000)
    conn = open_connections(http_target, retry=fast_retry(3))
    with open(source, "rb") as f:
        f.seek(1000)
        conn.PUT(path, body=f)
    assert conn.response_status == 201 and conn.retries_done == 1
    assert hcp.get_object(path) == data[1000:]  # from the right offset, nothing doubled


def test_reset_during_bytes_upload_resends(hcp, faults, http_target, open_connections, path):
    data = os.urandom(200000)
    faults.reset_upload(_first(http_target), 10000)
    conn = open_connections(http_target, retry=fast_retry(3))
    conn.PUT(path, body=data)
    assert conn.response_status == 201 and hcp.get_object(path) == data


def test_non_seekable_body_is_not_resent(hcp, faults, http_target, open_connections, path):
    # fault: reset after 10 kB of a generator body; nothing half stored, a clear error
    faults.reset_upload(_first(http_target), 10000)
    conn = open_connections(http_target, retry=fast_retry(3))
    body = (b"x" * 8192 for _ in range(20))
    with pytest.raises(hcpsdk.HcpsdkBodyNotRewindableError, match="non-seekable"):
        conn.PUT(path, body=body)
    assert hcp.get_object(path) is None


def test_post_is_not_resent_after_it_was_sent(raw_server, open_connections):
    # fault: the server reads the request and closes without an answer
    def swallow(sock, stop):
        read_request(sock)
        sock.close()

    server = raw_server(swallow)
    conn = open_connections(raw_target(server), retry=fast_retry(3))
    with pytest.raises(hcpsdk.HcpsdkError, match="not resent"):
        conn.POST("/rest/x", body=b"metadata")
    assert server.accepted == 1
    with pytest.raises(hcpsdk.HcpsdkError, match="giving up after 3 retries"):
        conn.GET("/rest/x")
    assert server.accepted == 1 + 4


def _landing_node(hcp, raw_server, mini_dns, stored):
    """A Target whose first node stores ``stored(body)`` in the emulator, then drops the
    connection without an answer (the answer of a PUT that landed got lost); the second
    node is a real emulator node."""
    def lose_answer(sock, stop):
        head, body = read_request(sock, with_body=True)
        path = head.split(b" ")[1].decode()
        hcp.put_object(path, stored(body))
        sock.close()

    server = raw_server(lose_answer, host="127.0.0.50", port=hcp.http_port)
    dns = mini_dns({hcp.fqdn: {"A": ["127.0.0.50", hcp.addresses[0]]}})
    return server, hcp.target(port=hcp.http_port, tls=False, resolver=dns.resolver())


def test_retried_put_meeting_409_is_verified_with_head(hcp, raw_server, mini_dns,
                                                        open_connections, path):
    # fault: the first attempt lands but its answer is lost; the retry meets 409, which a
    # HEAD (size + X-HCP-Hash) resolves as success: the stored object is what was sent
    data = os.urandom(40000)
    server, target = _landing_node(hcp, raw_server, mini_dns, lambda body: body)
    conn = open_connections(target, retry=fast_retry(3))
    conn.PUT(path, body=io.BytesIO(data))
    assert server.accepted == 1
    assert conn.response_status == 201 and conn.retries_done == 1
    assert conn.getheader("X-HCP-Hash").endswith(hashlib.sha256(data).hexdigest().upper())
    assert [r.method for r in hcp.requests if r.path == path] == ["PUT", "HEAD"]
    assert hcp.get_object(path) == data


def test_retried_put_meeting_409_for_other_content_stays_409(hcp, raw_server, mini_dns,
                                                             open_connections, path):
    # fault: as above, but what is stored differs from what was sent: no false success
    server, target = _landing_node(hcp, raw_server, mini_dns, lambda body: b"other" + body)
    conn = open_connections(target, retry=fast_retry(3))
    conn.PUT(path, body=b"mine")
    assert conn.response_status == 409 and conn.retries_done == 1
    assert hcp.get_object(path) == b"othermine"


def test_put_409_without_retry_is_not_checked(hcp, http_target, open_connections, path):
    hcp.put_object(path, b"same")
    conn = open_connections(http_target)
    conn.PUT(path, body=b"same")
    assert conn.response_status == 409
    assert not [r for r in hcp.requests if r.path == path and r.method == "HEAD"]


@pytest.mark.parametrize("verify", [False, True])
@pytest.mark.parametrize("amt", [None, 65536])
def test_get_broken_mid_body_resumes_on_another_node(hcp, faults, http_target,
                                                     open_connections, path, verify, amt):
    # fault: the node closes the connection after 100 kB of a 1 MB body
    data = os.urandom(1 << 20)
    hcp.put_object(path, data)
    first = _first(http_target)
    faults.close_after(first, 100000)
    conn = open_connections(http_target, retry=fast_retry(3), verify=verify)
    conn.GET(path)
    assert conn.response_status == 200
    if amt is None:
        got = conn.read()
    else:
        parts = []
        while True:
            chunk = conn.read(amt)
            if not chunk:
                break
            parts.append(chunk)
        got = b"".join(parts)
    assert got == data
    assert len(conn.served_by) == 2 and conn.served_by[0] == first
    ranged = [r for r in hcp.requests if r.path == path and r.headers.get("Range")]
    assert ranged and ranged[-1].node == conn.served_by[1]
    assert ranged[-1].headers.get("Range").startswith("bytes=")


@pytest.mark.parametrize("amt", [None, 3 << 20])
def test_a_read_larger_than_a_block_broken_mid_body_resumes_at_the_right_byte(
        hcp, faults, http_target, open_connections, path, amt):
    # reads of more than one 1 MiB block: the bytes the broken read got must be counted
    # once, or the Range request for the rest would skip as many bytes
    data = os.urandom(4 << 20)
    hcp.put_object(path, data)
    first = _first(http_target)
    faults.close_after(first, (3 << 20) // 2)
    conn = open_connections(http_target, retry=fast_retry(3), verify=False)
    conn.GET(path)
    parts = []
    while chunk := conn.read(amt):
        parts.append(chunk)
        if amt is None:
            break
    assert b"".join(parts) == data
    assert len(conn.served_by) == 2
    ranged = [r for r in hcp.requests if r.path == path and r.headers.get("Range")]
    assert [r.headers["Range"] for r in ranged] == [f"bytes={(3 << 20) // 2}-{(4 << 20) - 1}"]


def _read_chunk(conn, how, size):
    """``conn.read(size)``, or the bytes ``conn.readinto()`` put into a buffer of ``size``."""
    if how == "read":
        return conn.read(size)
    buffer = bytearray(size)
    return bytes(buffer[:conn.readinto(buffer)])


@pytest.mark.parametrize("how", ["read", "readinto"])
@pytest.mark.parametrize("status", [200, 206])
def test_a_read_broken_and_resumed_still_returns_every_byte_asked_for(
        hcp, faults, http_target, open_connections, path, status, how):
    # fewer bytes than asked for mean the end of the body: a read that broke after part
    # of what it asked for must fill the rest from the resumed body, not return short
    # (readinto: the bytes of the broken read come again, to the same place)
    data = os.urandom(1 << 20)
    hcp.put_object(path, data)
    faults.close_after(_first(http_target), 100000)
    conn = open_connections(http_target, retry=fast_retry(3), verify=status == 200)
    conn.GET(path, headers={"Range": "bytes=0-999999"} if status == 206 else None)
    assert conn.response_status == status
    parts = []
    while chunk := _read_chunk(conn, how, 65536):
        parts.append(chunk)
    size = 1000000 if status == 206 else len(data)
    whole, rest = divmod(size, 65536)
    assert [len(p) for p in parts] == [65536] * whole + ([rest] if rest else [])
    assert b"".join(parts) == data[:size] and len(conn.served_by) == 2


@pytest.mark.parametrize("verify", [False, True])
@pytest.mark.parametrize("amt", [None, 65536])
def test_a_range_get_broken_mid_body_resumes_within_its_range(hcp, faults, http_target,
                                                              open_connections, path, verify,
                                                              amt):
    # fault: the node closes the connection after 100 kB of the range; what is asked for
    # then is the rest of the range (not of the object), and X-HCP-Hash - the whole
    # object's - is never compared with a part of it
    data = os.urandom(1 << 20)
    hcp.put_object(path, data)
    first = _first(http_target)
    faults.close_after(first, 100000)
    conn = open_connections(http_target, retry=fast_retry(3), verify=verify)
    conn.GET(path, headers={"Range": "bytes=1000-899999"})
    assert conn.response_status == 206
    parts = []
    while chunk := conn.read(amt):
        parts.append(chunk)
        if amt is None:
            break
    assert b"".join(parts) == data[1000:900000]
    assert len(conn.served_by) == 2 and conn.served_by[0] == first
    resumed = [r for r in hcp.requests if r.path == path][-1]
    assert resumed.node == conn.served_by[1] and resumed.status == 206
    assert resumed.headers.get("Range") == "bytes=101000-899999"


def test_resume_moves_on_when_the_next_node_stalls(hcp, faults, http_target,
                                                   open_connections, path):
    # faults: the first node cuts the body, the second (asked for the rest) never answers
    data = os.urandom(500000)
    hcp.put_object(path, data)
    first, second = http_target._circle._addresses[:2]
    faults.close_after(first, 100000)
    faults.stall(second)
    conn = open_connections(http_target, timeout=0.3, retry=fast_retry(3))
    conn.GET(path)
    assert conn.read() == data
    assert conn.failed_nodes == (first, second)
    assert conn.served_by[0] == first and conn.served_by[1] not in (first, second)


def test_get_cut_on_every_node_resumes_until_retries_run_out(hcp, faults, http_target,
                                                             open_connections, path):
    data = os.urandom(600000)
    hcp.put_object(path, data)
    faults.close_after(None, 100000)  # every node cuts once
    conn = open_connections(http_target, retry=fast_retry(5))
    conn.GET(path)
    assert conn.read() == data and len(conn.served_by) == 5
    hcp.faults.close_after(None, 100000)
    short = open_connections(http_target, retry=fast_retry(2))
    short.GET(path)
    with pytest.raises(hcpsdk.HcpsdkError, match="incomplete|closed|reset"):
        short.read()


def test_get_broken_without_retries_raises(hcp, faults, http_target, open_connections, path):
    hcp.put_object(path, os.urandom(200000))
    faults.close_after(_first(http_target), 1000)
    conn = open_connections(http_target, retries=0)
    conn.GET(path)
    with pytest.raises(hcpsdk.HcpsdkError):
        conn.read()


def test_verify_detects_a_hash_mismatch(raw_server, open_connections):
    # a server whose X-HCP-Hash does not fit the body it sends
    def lying(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-HCP-Hash: SHA-256 "
                     + hashlib.sha256(b"else").hexdigest().upper().encode() + b"\r\n\r\nbody")

    server = raw_server(lying)
    conn = open_connections(raw_target(server), verify=True)
    conn.GET("/rest/x")
    with pytest.raises(hcpsdk.HcpsdkIntegrityError, match="differs from X-HCP-Hash"):
        conn.read()


def test_many_puts_with_a_node_going_down(hcp, faults, http_target, open_connections, path):
    # fault: a node goes down during a run of 1000 PUTs (and comes back later); nothing
    # lost: every object is stored exactly once with the right content
    conn = open_connections(http_target, retry=fast_retry(3))
    victim = None
    for i in range(1000):
        if i == 300:
            victim = conn.address
            faults.down(victim)
        if i == 700:
            faults.up(victim)
        conn.PUT(f"{path}/{i}", body=b"object %d" % i)
        assert conn.response_status == 201
    for i in range(1000):
        assert hcp.get_object(f"{path}/{i}") == b"object %d" % i
    created = [r.path for r in hcp.requests if r.path.startswith(path) and r.status == 201]
    assert len(created) == len(set(created)) == 1000
