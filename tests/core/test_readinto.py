"""Connection.readinto(): a body received straight into the caller's buffer, with the
guarantees of read() — a broken GET body is resumed and fills the buffer from the resumed
answer (a break in mid-buffer: ``test_retry.py``), ``verify=True`` checks the whole body,
a bad buffer is refused naming it."""
from __future__ import annotations

import array
import hashlib
import os

import pytest
from core_support import fast_retry, raw_target, read_request

import hcpsdk


def _read_all_into(conn, size, step):
    """readinto() in ``step``-byte slices of one buffer; the counts it returned."""
    buffer = bytearray(size + 10)
    view = memoryview(buffer)
    counts, filled = [], 0
    while count := conn.readinto(view[filled:filled + step]):
        counts.append(count)
        filled += count
    return bytes(buffer[:filled]), counts


@pytest.mark.parametrize("verify", [False, True])
def test_readinto_fills_the_buffer_and_signals_the_end(hcp, http_target, open_connections,
                                                       path, verify):
    data = os.urandom(300000)
    hcp.put_object(path, data)
    conn = open_connections(http_target, verify=verify)
    conn.GET(path)
    got, counts = _read_all_into(conn, len(data), 65536)
    assert got == data
    assert counts == [65536] * 4 + [300000 - 4 * 65536]
    conn.HEAD(path)  # the body was read to its end: the Connection takes a new request
    assert conn.response_status == 200


def test_readinto_takes_any_writable_contiguous_buffer(hcp, http_target, open_connections,
                                                       path):
    data = os.urandom(4096)
    hcp.put_object(path, data)
    conn = open_connections(http_target)
    conn.GET(path)
    words = array.array("I", bytes(2048))  # items of 4 bytes: counted in bytes
    assert conn.readinto(words) == 2048
    assert words.tobytes() == data[:2048]
    rest = bytearray(4096)
    assert conn.readinto(rest) == 2048 and rest[:2048] == data[2048:]


@pytest.mark.parametrize("buffer", [b"read-only bytes", "text", memoryview(b"x" * 8),
                                    memoryview(bytearray(8))[::2], 42],
                         ids=["bytes", "str", "read-only view", "strided view", "int"])
def test_readinto_refuses_a_buffer_it_cannot_write_and_keeps_the_body(
        hcp, http_target, open_connections, path, buffer):
    hcp.put_object(path, b"the body")
    conn = open_connections(http_target)
    conn.GET(path)
    with pytest.raises(hcpsdk.HcpsdkTypeError,
                       match="readinto: buffer must be a writable, contiguous bytes-like"):
        conn.readinto(buffer)
    assert conn.read() == b"the body"


def test_readinto_one_buffer_for_the_whole_body_broken_on_every_node(
        hcp, faults, http_target, open_connections, path):
    data = os.urandom(1 << 20)
    hcp.put_object(path, data)
    faults.close_after(None, 300000)  # each node cuts its next answer: three resumes
    conn = open_connections(http_target, retry=fast_retry(4))
    conn.GET(path)
    buffer = bytearray(len(data))
    assert conn.readinto(buffer) == len(data)
    assert buffer == data and len(conn.served_by) == 4
    ranged = [r.headers.get("Range") for r in hcp.requests if r.path == path and r.method == "GET"]
    assert ranged[1:] == [f"bytes={n * 300000}-{len(data) - 1}" for n in (1, 2, 3)]


def test_readinto_with_verify_detects_a_hash_mismatch(raw_server, open_connections):
    def lying(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nX-HCP-Hash: SHA-256 "
                     + hashlib.sha256(b"else").hexdigest().upper().encode() + b"\r\n\r\nbody")

    conn = open_connections(raw_target(raw_server(lying)), verify=True)
    conn.GET("/rest/x")
    with pytest.raises(hcpsdk.HcpsdkIntegrityError, match="differs from X-HCP-Hash"):
        conn.readinto(bytearray(4))


def test_readinto_of_a_body_that_ends_early_without_retries_raises(raw_server,
                                                                    open_connections):
    # Content-Length 1000, 100 bytes, then the server closes: not a short count
    def short(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100)
        sock.close()

    conn = open_connections(raw_target(raw_server(short)), retries=0)
    conn.GET("/rest/x")
    with pytest.raises(hcpsdk.HcpsdkError):
        conn.readinto(bytearray(1000))
    with pytest.raises(hcpsdk.HcpsdkError, match="readinto|read"):
        conn.readinto(bytearray(10))  # the rest of the body is gone
