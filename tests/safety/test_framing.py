"""Server-announced sizes are never trusted: bounded reads, malformed framing refused."""
from __future__ import annotations

import pytest

import hcpsdk


def answer(*headers: str, body: bytes = b"", status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
    return head.encode("latin-1") + body


def get(server, amt=None):
    with hcpsdk.Connection(server.target(), timeout=5, retries=0) as c:
        c.GET("/rest/object")
        return c.read(amt)


@pytest.mark.parametrize("amt", [None, 1 << 30, 1 << 50])
def test_a_huge_content_length_is_never_allocated_and_found_short(hostile, amt):
    # read() gathers what arrives; read(amt) takes at most the amt bytes the caller asked for
    server = hostile(answer(f"Content-Length: {1 << 40}", body=b"only ten b"))
    with pytest.raises(hcpsdk.HcpsdkError, match="incomplete") as info:
        get(server, amt)
    assert "127.0.0.1" in str(info.value)


@pytest.mark.parametrize("amt", [None, 1 << 30, 1 << 50])
def test_a_huge_chunk_size_is_read_in_blocks_and_found_short(hostile, amt):
    server = hostile(answer("Transfer-Encoding: chunked", body=b"4000000000000000\r\nabc"))
    with pytest.raises(hcpsdk.HcpsdkError, match="incomplete"):
        get(server, amt)


@pytest.mark.parametrize("size", [b"-5", b"0x10", b"+a", b"zz", b" ", b"1" * 40])
def test_a_malformed_chunk_size_is_a_malformed_answer(hostile, size):
    body = size + b"\r\n" + b"x" * 20 + b"\r\n0\r\n\r\n"
    server = hostile(answer("Transfer-Encoding: chunked", body=body))
    with pytest.raises(hcpsdk.HcpsdkError, match="malformed answer") as info:
        get(server)
    assert "127.0.0.1" in str(info.value)


def test_a_chunk_extension_is_no_malformed_answer(hostile):
    server = hostile(answer("Transfer-Encoding: chunked", body=b"5;name=value\r\nhello\r\n0\r\n\r\n"))
    assert get(server) == b"hello"


@pytest.mark.parametrize("headers", [
    ("Content-Length: abc",),
    ("Content-Length: -3",),
    ("Content-Length: 1e3",),
    ("Content-Length: 5", "Content-Length: 6"),
    ("Content-Length: 5, 6",),
    ("Content-Length: 5", "Transfer-Encoding: chunked"),
])
def test_an_unparseable_or_conflicting_length_is_a_malformed_answer(hostile, headers):
    server = hostile(answer(*headers, body=b"hello, world"))
    with pytest.raises(hcpsdk.HcpsdkError, match="malformed answer") as info:
        get(server)
    assert "127.0.0.1" in str(info.value)
    assert "Content-Length" in str(info.value) or "Transfer-Encoding" in str(info.value)


def test_the_same_length_twice_is_that_length(hostile):
    server = hostile(answer("Content-Length: 5", "Content-Length: 5", body=b"hello"))
    assert get(server) == b"hello"


def test_a_put_answer_with_a_malformed_length_is_an_error(hostile):
    server = hostile(answer("Content-Length: x", status="201 Created"))
    with hcpsdk.Connection(server.target(), timeout=5, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkError, match="malformed answer"):
            c.PUT("/rest/object", b"data")


def test_a_body_cut_short_is_never_returned_as_complete(hostile):
    server = hostile(answer("Content-Length: 100", body=b"x" * 40))
    with hcpsdk.Connection(server.target(), timeout=5, retries=0) as c:
        c.GET("/rest/object")
        with pytest.raises(hcpsdk.HcpsdkError, match="incomplete"):
            c.read()


def test_an_early_answer_with_a_huge_length_is_read_in_blocks(hostile):
    # a large PUT is answered before its body was sent (Expect: 100-continue)
    server = hostile(answer(f"Content-Length: {1 << 40}", status="409 Conflict", body=b"no"),
                     read_body=False)
    with hcpsdk.Connection(server.target(), timeout=5, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkError, match="incomplete"):
            c.PUT("/rest/object", b"x" * (2 << 20))


def test_a_list_of_equal_lengths_is_read_as_that_length(hostile):
    server = hostile(answer("Content-Length: 5, 5", "X-HCP-Hash: SHA-256 X", body=b"hello"),
                     keep_open=True)
    with hcpsdk.Connection(server.target(), timeout=5, retries=0) as c:
        c.GET("/rest/object")
        assert c.getheader("Content-Length") == "5"
        assert c.read() == b"hello"
