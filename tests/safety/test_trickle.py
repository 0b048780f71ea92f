"""A trickling server can't hold a request: the head within ``timeout``, the body at a
minimum rate (at least min(64 KiB, the rest) in every ``timeout`` seconds of waiting)."""
from __future__ import annotations

import threading
import time

import pytest

import hcpsdk

TIMEOUT = 0.5
# how long a hostile server goes on trickling at most (far beyond what may pass)
TRICKLE_FOR = 8.0
# what may pass before the request is given up: the limit plus ample slack for a busy
# machine, far below TRICKLE_FOR
BOUND = 5 * TIMEOUT


def trickle(prefix: bytes, step: bytes = b"a", interval: float = 0.1):
    """A script: ``prefix`` at once, then ``step`` every ``interval`` seconds."""
    def script(sock, stop):
        sock.sendall(prefix)
        end = time.monotonic() + TRICKLE_FOR
        while time.monotonic() < end and not stop.wait(interval):
            sock.sendall(step)
    return script


@pytest.mark.parametrize("prefix", [b"", b"HTTP/1.1 200 OK\r\nX-Pad: "])
def test_a_trickled_head_times_out_within_the_timeout(hostile, prefix):
    server = hostile(trickle(prefix))
    with hcpsdk.Connection(server.target(), timeout=TIMEOUT, retries=0) as c:
        start = time.monotonic()
        with pytest.raises(hcpsdk.HcpsdkTimeoutError, match="head") as info:
            c.GET("/rest/object")
        assert time.monotonic() - start < BOUND
    assert "127.0.0.1" in str(info.value)


def test_a_trickled_body_times_out_at_the_minimum_rate(hostile):
    server = hostile(trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"))
    with hcpsdk.Connection(server.target(), timeout=TIMEOUT, retries=0) as c:
        c.GET("/rest/object")
        start = time.monotonic()
        with pytest.raises(hcpsdk.HcpsdkTimeoutError, match="bytes in") as info:
            c.read()
        assert time.monotonic() - start < BOUND
    assert "127.0.0.1" in str(info.value)


def test_a_trickled_chunked_body_times_out_too(hostile):
    server = hostile(trickle(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"100000\r\n"))
    with hcpsdk.Connection(server.target(), timeout=TIMEOUT, retries=0) as c:
        c.GET("/rest/object")
        start = time.monotonic()
        with pytest.raises(hcpsdk.HcpsdkTimeoutError):
            c.read()
        assert time.monotonic() - start < BOUND


def test_a_slow_but_steady_body_is_read(hostile):
    block = b"z" * (64 * 1024)

    def script(sock, stop):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (4 * len(block)))
        for _ in range(4):  # 64 KiB every 0.3 s: at the minimum rate with timeout=1.0
            if stop.wait(0.3):
                return
            sock.sendall(block)

    server = hostile(script)
    with hcpsdk.Connection(server.target(), timeout=1.0, retries=0) as c:
        c.GET("/rest/object")
        assert c.read() == block * 4


def test_a_small_rest_that_arrives_in_time_is_read(hostile):
    def script(sock, stop):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234")
        if not stop.wait(0.3):
            sock.sendall(b"56789")

    server = hostile(script, keep_open=True)
    with hcpsdk.Connection(server.target(), timeout=1.0, retries=0) as c:
        c.GET("/rest/object")
        assert c.read() == b"0123456789"


def test_the_callers_own_pauses_do_not_count(hcp, http_target, path):
    data = bytes(range(256)) * 1024
    hcp.put_object(path, data)
    paused = threading.Event()
    with hcpsdk.Connection(http_target, timeout=TIMEOUT, retries=0) as c:
        c.GET(path)
        first = c.read(10)
        paused.wait(3 * TIMEOUT)  # the caller is busy with the first bytes
        assert first + c.read() == data


def test_tls_answers_are_paced_as_well(hcp, path):
    target = hcp.target()
    hcp.put_object(path, b"fine")
    with hcpsdk.Connection(target, timeout=TIMEOUT) as c:
        c.GET(path)
        assert c.read() == b"fine"
        c.GET(path)  # the socket's timeout was restored for the next request
        assert c.read() == b"fine"
