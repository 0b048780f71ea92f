"""hcpsdk._transport: the fast header parser, socket timeouts, Expect: 100-continue, TLS.

The header parser must be invisible to a caller: the same HTTPMessage as http.client's
own parser; a stalled node gives the same TimeoutError (HcpsdkTimeoutError) however
the socket is used.
"""
from __future__ import annotations

import http.client
import io
import os
import socket
import sys
import threading
import time

import pytest
from core_support import raw_target, read_request

import hcpsdk
from hcpsdk import _transport

# -- header parsing ----------------------------------------------------------------------

SIMPLE = [
    b"",
    b"Content-Length: 0\r\n",
    b"Content-Type: text/plain\r\nContent-Length: 5\r\nX-HCP-Hash: SHA-256 AB12\r\n",
    b"Set-Cookie: a=1\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\n",  # repeated, any case
    b"X-Empty:\r\nX-Blank: \r\nX-Tab:\t\tvalue\r\nX-Trailing: value  \r\n",
    b"X-Nospace:value\r\nX-Colons: a:b:c\r\nX-Latin1: caf\xe9 \xa0 \x85 end\r\n",
    b"X-LF-Only: 1\nX-Mixed: 2\r\n",
    b"X-Odd-Name!#$%&'*+.^_`|~: odd but valid\r\n",
    b"X-Quoted: \"a, b\"; q=0.5, <x>\r\n",
]
FALLBACK = [
    b"X-Folded: first\r\n second line\r\n\tthird\r\n",  # obs-fold
    b"X-Stray-CR: a\rb\r\n",
    b"From nobody Mon Jan  1 00:00:00 2001\r\nX-A: 1\r\n",
    b"no colon here\r\nX-A: 1\r\n",
    b"X-A : space before colon\r\n",
    b": no name\r\n",
]


def _both(block: bytes):
    ours = _transport.parse_headers(io.BytesIO(block + b"\r\nBODY"))
    theirs = http.client.parse_headers(io.BytesIO(block + b"\r\nBODY"))
    return ours, theirs


def _state(message) -> dict:
    """A message's attributes, its defects by type (defect objects don't compare equal)."""
    state = dict(vars(message))
    state["defects"] = [type(defect) for defect in state["defects"]]
    return state


def _calls_into_email(block: bytes) -> set[str]:
    """The email-package modules whose code runs while ``block`` is parsed by us."""
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and (os.sep + "email" + os.sep) in frame.f_code.co_filename:
            seen.add(os.path.basename(frame.f_code.co_filename))

    sys.setprofile(profile)
    try:
        _transport.parse_headers(io.BytesIO(block + b"\r\n"))
    finally:
        sys.setprofile(None)
    return seen


@pytest.mark.parametrize("block", SIMPLE + FALLBACK)
def test_same_message_as_http_client(block):
    ours, theirs = _both(block)
    assert type(ours) is type(theirs) is http.client.HTTPMessage
    assert _state(ours) == _state(theirs)
    assert ours.items() == theirs.items()
    for name in {name.lower() for name in theirs.keys()}:
        assert ours.get_all(name) == theirs.get_all(name)


@pytest.mark.parametrize("block", SIMPLE)
def test_plain_blocks_do_not_go_through_the_email_parser(block):
    assert "feedparser.py" not in _calls_into_email(block)


@pytest.mark.parametrize("block", FALLBACK)
def test_unusual_blocks_go_to_http_client_parser(block):
    assert "feedparser.py" in _calls_into_email(block)


def test_block_cut_off_by_eof():
    block = b"X-A: 1\r\nX-Last: without newline"
    ours = _transport.parse_headers(io.BytesIO(block))
    assert _state(ours) == _state(http.client.parse_headers(io.BytesIO(block)))
    assert ours["X-Last"] == "without newline"


def test_block_is_read_exactly_up_to_the_body():
    fp = io.BytesIO(b"A: 1\r\nB: 2\r\n\r\nthe body")
    _transport.parse_headers(fp)
    assert fp.read() == b"the body"


def test_limits_are_http_clients():
    too_long = b"X-Long: " + b"a" * 70000 + b"\r\n"
    too_many = b"".join(b"X-%d: v\r\n" % i for i in range(101))
    for block, error in ((too_long, http.client.LineTooLong),
                         (too_many, http.client.HTTPException)):
        with pytest.raises(error):
            _transport.parse_headers(io.BytesIO(block + b"\r\n"))
        with pytest.raises(error):
            http.client.parse_headers(io.BytesIO(block + b"\r\n"))


def _raw_head(hcp, path: str) -> bytes:
    """The header block of the emulator's answer to a GET of ``path``, as sent."""
    host = hcp.fqdn
    auth = hcpsdk.NativeAuthorization(hcp.user, hcp.password)._getheaders()["Authorization"]
    with socket.create_connection((hcp.addresses[0], hcp.http_port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\nConnection: close"
                     "\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, "the emulator closed before the end of the header block"
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    return head.split(b"\r\n", 1)[1]  # without the status line


def test_hcp_answer_parses_like_http_client(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, b"x" * 100)
    block = _raw_head(hcp, path)
    assert block.count(b"\r\n") > 25  # HCP's many X-HCP-* headers
    ours, theirs = _both(block)
    assert _state(ours) == _state(theirs)
    assert "feedparser.py" not in _calls_into_email(block)


def test_connection_answers_are_parsed_by_the_fast_reader(http_target, tls_target,
                                                          open_connections, path):
    for target in (http_target, tls_target):
        conn = open_connections(target)
        conn.PUT(path, b"data")
        response = conn.GET(path)
        assert conn.read() == b"data"
        assert isinstance(response, _transport.Response)
        assert isinstance(response.headers, http.client.HTTPMessage)
        assert response.getheader("X-HCP-Size") == "4"
        assert conn.getheader("content-length") == "4"
        assert ("X-HCP-Type", "object") in conn.getheaders()
        conn.DELETE(path)


def test_begin_is_http_clients_own_code():
    """Nothing of http.client's response logic is rewritten: only the header parser differs."""
    assert _transport._FAST_BEGIN.__code__ is http.client.HTTPResponse.begin.__code__
    assert _transport._FAST_BEGIN.__globals__["parse_headers"] is _transport.parse_headers
    assert http.client.parse_headers is not _transport.parse_headers  # http.client untouched


# -- request heads: the Target's headers encoded once, a small body sent with the head -----

def _recorder(heads):
    """A server that records each request (head and body) and answers 201."""
    def behaviour(sock, stop):
        while True:
            request = read_request(sock, with_body=True)
            if not isinstance(request, tuple):  # the client closed the connection
                return
            head, body = request
            heads.append(head + b"\r\n\r\n" + body)
            sock.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    return behaviour


REQUESTS = [("PUT", b"x" * 1024), ("PUT", None), ("PUT", b""), ("POST", None), ("GET", None),
            ("HEAD", None), ("DELETE", None), ("get", None)]


@pytest.mark.parametrize(("method", "body"), REQUESTS)
def test_a_request_with_the_targets_headers_is_what_http_client_sends(raw_server, method, body):
    heads: list[bytes] = []
    server = raw_server(_recorder(heads))
    target = raw_target(server)
    with hcpsdk.Connection(target, retries=0) as con:
        con.request(method, "/rest/a b", body)
        con.read()
    plain = http.client.HTTPConnection(server.host, server.port, timeout=5)
    plain.request(method.upper(), "/rest/a%20b", body, target.headers)
    plain.getresponse().read()
    plain.close()
    assert len(heads) == 2 and heads[0] == heads[1]
    assert b"Authorization: HCP " in heads[0]


def test_caller_headers_and_streams_still_go_through_http_client(raw_server):
    heads: list[bytes] = []
    server = raw_server(_recorder(heads))
    with hcpsdk.Connection(raw_target(server), retries=0) as con:
        con.PUT("/rest/a", b"abc", headers={"X-HCP-Custom": "1"})
        con.PUT("/rest/b", io.BytesIO(b"abc"))
    assert b"X-HCP-Custom: 1" in heads[0] and heads[0].endswith(b"\r\n\r\nabc")
    assert b"Content-Length: 3" in heads[1] and heads[1].endswith(b"\r\n\r\nabc")


def test_target_headers_are_encoded_as_http_client_encodes_them():
    fields = {"Host": "h.example.com", "Authorization": "HCP dQ==:1f", "X-Latin": "caf\xe9"}
    encoded = _transport.TargetHeaders(fields)
    assert encoded.lines == [b"Host: h.example.com", b"Authorization: HCP dQ==:1f",
                             b"X-Latin: caf\xe9"]
    assert encoded.has_host and not encoded.has_accept_encoding and not encoded.frames
    with pytest.raises(ValueError):
        _transport.TargetHeaders({"X-Bad": "a\r\nInjected: 1"})


@pytest.mark.parametrize(("size", "sends"), [(1024, 1), (_transport.JOIN_UP_TO, 1),
                                            (_transport.JOIN_UP_TO + 1, 2)])
def test_a_small_body_leaves_in_the_same_send_as_the_head(raw_server, capsys, size, sends):
    # http.client's debug print-out shows each send() (credentials hidden)
    heads: list[bytes] = []
    server = raw_server(_recorder(heads))
    with hcpsdk.Connection(raw_target(server), retries=0, debuglevel=1) as con:
        assert con.PUT("/rest/a", b"x" * size).status == 201
    printed = capsys.readouterr().out
    assert printed.count("send: b'PUT /rest/a") == 1
    assert printed.count("send: b") == sends
    assert heads[0].endswith(b"\r\n\r\n" + b"x" * size)


# -- timeouts ----------------------------------------------------------------------------

def test_sockets_use_the_connections_timeout(http_target, tls_target, open_connections, path):
    for target in (http_target, tls_target):
        conn = open_connections(target, timeout=7.25)
        conn.HEAD(path)
        assert conn.con.sock.gettimeout() == 7.25


def _head_then_stall(body_bytes: bytes):
    def behaviour(sock, stop):
        read_request(sock)
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body_bytes)
        stop.wait(10)
    return behaviour


def test_stalled_body_read_times_out(raw_server, open_connections):
    server = raw_server(_head_then_stall(b"x" * 10))
    conn = open_connections(raw_target(server), timeout=0.3, retries=0)
    conn.GET("/rest/x")
    start = time.monotonic()
    with pytest.raises(hcpsdk.HcpsdkTimeoutError) as info:
        conn.read()
    assert 0.25 < time.monotonic() - start < 3
    assert "timed out" in str(info.value)
    assert isinstance(info.value.__cause__, TimeoutError)
    assert server.accepted == 1  # a timeout is not taken for a closed socket (no resend)


def _reads_nothing(sock, stop):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stop.wait(10)


@pytest.mark.parametrize("kind", ["bytes", "file"])
def test_upload_to_a_server_that_reads_nothing_times_out(raw_server, open_connections,
                                                        tmp_path, kind):
    """The send side: sendall (bytes) and sendfile (a file) stop at the timeout."""
    server = raw_server(_reads_nothing)
    conn = open_connections(raw_target(server), timeout=0.3, retries=0)
    conn._expect_above = None  # straight to the body, no 100-continue wait
    data = b"x" * (32 << 20)  # far more than the socket buffers take
    body = data
    if kind == "file":
        name = tmp_path / "big"
        name.write_bytes(data)
        body = open(name, "rb")
    start = time.monotonic()
    try:
        with pytest.raises(hcpsdk.HcpsdkTimeoutError):
            conn.PUT("/rest/big", body)
    finally:
        if kind == "file":
            body.close()
    assert time.monotonic() - start < 5


def test_expect_continue_waits_then_sends_the_body(raw_server, open_connections):
    """A server that never answers 100 Continue: the body goes after the wait, then 201."""
    got = threading.Event()

    def no_continue(sock, stop):
        head, body = read_request(sock, with_body=True)  # waits for the whole body
        if b"expect: 100-continue" in head.lower() and len(body) == 2 << 20:
            got.set()
        sock.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        stop.wait(10)

    server = raw_server(no_continue)
    conn = open_connections(raw_target(server), timeout=5, retries=0)
    response = conn.PUT("/rest/big", b"y" * (2 << 20))
    assert response.status == 201 and got.is_set()


# -- TLS records damaged in transit (a network fault, not a certificate error) -------------

def _damaging_tls_server(ca, good_after: int):
    """A TLS server that answers the first ``good_after`` connections with a damaged record."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    seen = []

    def behaviour(sock, stop):
        with context.wrap_socket(sock, server_side=True) as tls:
            read_request(tls)
            seen.append(1)
            if len(seen) <= good_after:
                # an application-data record whose bytes don't decrypt: written past TLS
                os.write(tls.fileno(), b"\x17\x03\x03\x00\x40" + os.urandom(64))
            else:
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            stop.wait(10)
    return behaviour


def test_damaged_tls_record_is_no_certificate_error(ca, raw_server, open_connections):
    server = raw_server(_damaging_tls_server(ca, good_after=1))
    conn = open_connections(raw_target(server, tls=True), retries=0)
    with pytest.raises(hcpsdk.HcpsdkError) as info:
        conn.GET("/rest/x")
    assert type(info.value) is hcpsdk.HcpsdkError  # not HcpsdkCertificateError
    assert "TLS record damaged" in str(info.value) and "127.0.0.1" in str(info.value)


def test_damaged_tls_record_is_retried(ca, raw_server, open_connections):
    from core_support import fast_retry

    server = raw_server(_damaging_tls_server(ca, good_after=1))
    conn = open_connections(raw_target(server, tls=True), retry=fast_retry(1))
    conn.GET("/rest/x")
    assert conn.read() == b"ok" and conn.retries_done == 1
