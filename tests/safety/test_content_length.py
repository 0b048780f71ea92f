"""A caller's Content-Length (or Transfer-Encoding) that contradicts the body is refused."""
from __future__ import annotations

import pytest

import hcpsdk

BODY = b"0123456789"


def chunks(*parts):
    yield from parts


@pytest.mark.parametrize("declared", ["4", 4, "11", " 9 "])
def test_a_contradicting_length_is_refused_before_sending(hostile, declared):
    server = hostile(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    with hcpsdk.Connection(server.target()) as c:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Content-Length") as info:
            c.PUT("/rest/a", BODY, headers={"Content-Length": declared})
    assert "10" in str(info.value)
    assert server.requests == []


@pytest.mark.parametrize("declared", ["ten", "-1", "1e3", "", "0x0a"])
def test_an_unparseable_length_is_refused(hostile, declared):
    server = hostile(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    with hcpsdk.Connection(server.target()) as c:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Content-Length"):
            c.PUT("/rest/a", BODY, headers={"content-length": declared})
    assert server.requests == []


def test_length_and_chunked_together_are_refused(hostile):
    server = hostile(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
    with hcpsdk.Connection(server.target()) as c:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Transfer-Encoding"):
            c.PUT("/rest/a", chunks(BODY), headers={"Content-Length": "10",
                                                    "Transfer-Encoding": "chunked"})
    assert server.requests == []


def test_a_length_without_a_body_is_refused(hostile):
    # the server would wait for 5 bytes that never come
    server = hostile(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    with hcpsdk.Connection(server.target()) as c:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Content-Length"):
            c.request("POST", "/rest/a", headers={"Content-Length": "5"})
    assert server.requests == []


def test_the_right_length_is_sent_as_given(hcp, http_target, path):
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, BODY, headers={"Content-Length": "10"})
        assert c.response_status == 201
    assert hcp.get_object(path) == BODY


@pytest.mark.parametrize("parts", [(b"0123", b"456789"), (b"012",), (b"0123456789", b"x")])
def test_a_stream_that_contradicts_its_length_is_not_stored(hcp, http_target, path, parts):
    with hcpsdk.Connection(http_target, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="Content-Length"):
            c.PUT(path, chunks(*parts), headers={"Content-Length": "4" if len(parts) == 2
                                                 else "10"})
        c.PUT(path + ".after", b"still usable")
        assert c.response_status == 201
    assert hcp.get_object(path) is None


def test_a_stream_of_the_declared_length_is_stored(hcp, http_target, path):
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, chunks(b"0123", b"456789"), headers={"Content-Length": "10"})
        assert c.response_status == 201
    assert hcp.get_object(path) == BODY
