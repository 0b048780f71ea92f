"""An upload HCP refuses before it has the whole body.

HCP answers a PUT it refuses (409 exists, 403 credentials / read-only) right after the
request head and closes the connection without reading the body. The caller must get
that answer — not a broken pipe / reset / TLS EOF — and the body must not be uploaded
again by retries. Large bodies go out with ``Expect: 100-continue`` (no upload at all);
without it the answer is read from the socket after the send failed.
"""
from __future__ import annotations

import os
import socket

import pytest
from shared_support import read_head

import hcpsdk
from hcpsdk import _early
from hcpsdk._retry import Retry

BIG = os.urandom(4 << 20)  # more than the socket buffers take: the send fails mid-body
OTHER = b"small and stored first"


def quick():
    return Retry(3, backoff_factor=0.001, backoff_max=0.01)


@pytest.fixture(params=["http", "tls"])
def transport(request):
    return request.param


@pytest.fixture(params=["expect", "no-expect"])
def expect(request):
    """``Expect: 100-continue`` (the default for large bodies) or the send-failure path."""
    return request.param == "expect"


def make_target(hcp, transport, fqdn=None, password=None):
    port, tls = (hcp.http_port, False) if transport == "http" else (hcp.https_port, True)
    if password is None:
        return hcp.target(fqdn=fqdn, port=port, tls=tls)
    return hcpsdk.Target(fqdn or hcp.fqdn, hcpsdk.NativeAuthorization(hcp.user, password),
                         port=port, tls=tls, resolver=hcp.resolver())


def connection(open_connections, target, expect):
    c = open_connections(target, retry=quick())
    if not expect:
        c._expect_above = None
    return c


def records(hcp, method, path):
    return [r for r in hcp.requests if r.method == method and r.path == path]


@pytest.fixture()
def big_file(tmp_path):
    name = tmp_path / "big.bin"
    name.write_bytes(BIG)
    with open(name, "rb") as f:
        yield f


@pytest.mark.parametrize("source", ["bytes", "file"])
def test_put_on_existing_object_returns_409(hcp, open_connections, path, transport, expect,
                                            source, big_file):
    c = connection(open_connections, make_target(hcp, transport), expect)
    c.PUT(path, body=OTHER)
    assert c.response_status == 201

    response = c.PUT(path, body=BIG if source == "bytes" else big_file)

    assert response.status == c.response_status == 409
    assert c.getheader("X-HCP-ErrorMessage") == "object already exists"
    assert c.retries_done == 0 and c.failed_nodes == ()
    puts = records(hcp, "PUT", path)
    assert [r.status for r in puts] == [201, 409]  # sent once, not retried
    assert ("expect" in puts[1].headers) is expect
    assert hcp.get_object(path) == OTHER
    # the Connection goes on (on a new socket)
    again = path + ".2"
    if source == "file":
        big_file.seek(0)
    c.PUT(again, body=BIG if source == "bytes" else big_file)
    assert c.response_status == 201
    assert hcp.get_object(again) == BIG


def test_wrong_password_returns_403(hcp, open_connections, path, transport, expect, big_file):
    c = connection(open_connections, make_target(hcp, transport, password="wrong"), expect)

    c.PUT(path, body=big_file)

    assert c.response_status == 403
    assert c.getheader("X-HCP-ErrorMessage") == "invalid credentials"
    assert [r.status for r in records(hcp, "PUT", path)] == [403]
    assert hcp.get_object(path) is None


def test_read_only_namespace_returns_403(hcp, open_connections, path, transport, expect):
    namespace = hcp.system.tenants["m"].namespaces["n2"]
    c = connection(open_connections, make_target(hcp, transport, fqdn="n2." + hcp.tenant_fqdn),
                   expect)
    namespace.read_only = True
    try:
        c.PUT(path, body=BIG)
    finally:
        namespace.read_only = False
    assert c.response_status == 403
    assert c.getheader("X-HCP-ErrorMessage") == "namespace n2 is read-only on this system"
    assert [r.status for r in records(hcp, "PUT", path)] == [403]
    assert hcp.get_object(path, namespace="n2") is None


def test_expect_only_for_large_bodies(hcp, open_connections, path):
    c = open_connections(make_target(hcp, "http"))
    for suffix, size in (("a", 10), ("b", _early.EXPECT_ABOVE), ("c", _early.EXPECT_ABOVE + 1)):
        c.PUT(path + suffix, body=BIG[:size])
        assert c.response_status == 201
        assert hcp.get_object(path + suffix) == BIG[:size]
    assert ["expect" in records(hcp, "PUT", path + s)[0].headers for s in "abc"] == [
        False, False, True]
    assert records(hcp, "PUT", path + "c")[0].headers["expect"] == "100-continue"


# -- raw servers: what the emulator does not do ----------------------------------------

def length_of(head):
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def serve_201(sock, heads, bodies):
    """Answer one PUT with 201 after reading its body (sending 100 Continue if asked)."""
    head, body = read_head(sock)
    heads.append(head)
    if b"expect: 100-continue" in head.lower():
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    while len(body) < length_of(head):
        chunk = sock.recv(1 << 20)
        if not chunk:
            return
        body += chunk
    bodies.append(body)
    sock.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    sock.recv(1)  # until the client closes


def refuse(sock, heads, answer, bodies):
    """Answer right after the head and close without reading the body."""
    head, rest = read_head(sock)
    heads.append(head)
    bodies.append(rest)
    sock.sendall(answer)
    sock.close()  # unread body bytes: the kernel resets the connection


def reset(sock, heads):
    """Take the head (and a part of the body), then reset without any answer."""
    head, _ = read_head(sock)
    heads.append(head)
    if b"expect: 100-continue" in head.lower():
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.recv(65536)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def server_of(raw_server, *behaviours):
    """A raw server whose n-th connection gets the n-th behaviour (the last one after)."""
    heads, bodies = [], []
    count = []

    def behaviour(sock, stop):
        count.append(1)
        kind, arg = behaviours[min(len(count), len(behaviours)) - 1]
        if kind == "serve":
            serve_201(sock, heads, bodies)
        elif kind == "refuse":
            refuse(sock, heads, arg, bodies)
        else:
            reset(sock, heads)

    server = raw_server(behaviour)
    return server, heads, bodies


def raw_connection(open_connections, server, expect):
    target = hcpsdk.Target(server.host, hcpsdk.NativeAuthorization("n", "n01"),
                           port=server.port, tls=False)
    return connection(open_connections, target, expect)


BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nX-HCP-ErrorMessage: node busy\r\n"
        b"Content-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.parametrize("first", [("refuse", BUSY), ("reset", None)], ids=["503", "reset"])
def test_early_503_or_no_answer_is_retried(raw_server, open_connections, expect, first):
    """An early 503 is retried like any 503; no answer at all is a network error, retried."""
    server, heads, bodies = server_of(raw_server, first, ("serve", None))
    c = raw_connection(open_connections, server, expect)

    c.PUT("/rest/a", body=BIG)

    assert c.response_status == 201
    assert c.retries_done == 1
    assert bodies[-1:] == [BIG]
    assert server.accepted == 2


def test_early_answer_of_a_post_keeps_its_body(raw_server, open_connections, expect):
    answer = (b"HTTP/1.1 400 Bad Request\r\nX-HCP-ErrorMessage: bad metadata\r\n"
              b"Content-Length: 17\r\nConnection: close\r\n\r\n<error>no</error>")
    server, heads, bodies = server_of(raw_server, ("refuse", answer))
    c = raw_connection(open_connections, server, expect)

    c.POST("/rest/a", body=BIG)

    assert (c.response_status, c.getheader("X-HCP-ErrorMessage")) == (400, "bad metadata")
    assert c.read() == b"<error>no</error>"
    assert server.accepted == 1


def test_no_answer_at_all_gives_up(raw_server, open_connections, expect):
    server, heads, bodies = server_of(raw_server, ("reset", None))
    c = raw_connection(open_connections, server, expect)

    with pytest.raises(hcpsdk.HcpsdkError, match="giving up after 3 retries"):
        c.PUT("/rest/a", body=BIG)
    assert c.response_status is None
    assert len(heads) == 4


def test_expectation_failed_sends_again_without_expect(raw_server, open_connections):
    answer = b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    server, heads, bodies = server_of(raw_server, ("refuse", answer), ("serve", None))
    c = raw_connection(open_connections, server, True)

    c.PUT("/rest/a", body=BIG)

    assert c.response_status == 201
    assert c.retries_done == 0
    assert [b"expect:" in head.lower() for head in heads] == [True, False]
    assert bodies == [b"", BIG]


def test_server_ignoring_expect_gets_the_body_after_a_while(raw_server, open_connections):
    heads, bodies = [], []

    def no_continue(sock, stop):
        head, body = read_head(sock)
        heads.append(head)
        while len(body) < length_of(head):
            body += sock.recv(1 << 20)
        bodies.append(body)
        sock.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        sock.recv(1)

    server = raw_server(no_continue)
    c = raw_connection(open_connections, server, True)

    c.PUT("/rest/a", body=BIG)

    assert c.response_status == 201
    assert b"expect: 100-continue" in heads[0].lower()
    assert bodies == [BIG]
    assert c.service_time1 >= _early.CONTINUE_WAIT * 0.9


def test_the_callers_expect_is_waited_for(raw_server, open_connections):
    answer = (b"HTTP/1.1 403 Forbidden\r\nX-HCP-ErrorMessage: no write permission\r\n"
              b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    server, heads, bodies = server_of(raw_server, ("refuse", answer))
    c = raw_connection(open_connections, server, True)

    c.PUT("/rest/a", body=b"small", headers={"Expect": "100-continue"})

    assert (c.response_status, c.getheader("X-HCP-ErrorMessage")) == (
        403, "no write permission")
    assert bodies == [b""]  # the body never went out
    assert heads[0].lower().count(b"expect:") == 1


def test_early_answer_on_a_connection_kept_open(raw_server, open_connections):
    """A server that answers and then just stops reading: the send times out, the
    answer waiting in the socket is taken."""
    heads = []

    def answer_and_wait(sock, stop):
        head, _ = read_head(sock)
        heads.append(head)
        sock.sendall(b"HTTP/1.1 409 Conflict\r\nX-HCP-ErrorMessage: object already exists\r\n"
                     b"Content-Length: 0\r\n\r\n")
        stop.wait(10)

    server = raw_server(answer_and_wait)
    target = hcpsdk.Target(server.host, hcpsdk.NativeAuthorization("n", "n01"),
                           port=server.port, tls=False)
    c = open_connections(target, timeout=0.3, retry=quick())
    c._expect_above = None

    c.PUT("/rest/a", body=BIG * 8)  # more than the socket buffers of both ends take

    assert (c.response_status, c.getheader("X-HCP-ErrorMessage")) == (
        409, "object already exists")
    assert len(heads) == 1
