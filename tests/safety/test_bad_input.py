"""Bad input escapes as no bare Python error: it works, or is refused before sending."""
from __future__ import annotations

import array

import pytest

import hcpsdk
from hcpsdk import mapi

LONE = "\udc80"
ANSWER = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"


@pytest.fixture()
def server(hostile):
    return hostile(ANSWER)


def refused(server, error, match, method="PUT", url="/rest/a", **kwargs):
    with hcpsdk.Connection(server.target()) as c:
        with pytest.raises(error, match=match) as info:
            c.request(method, url, **kwargs)
    assert server.requests == []
    return info.value


def test_lone_surrogate_in_the_url_is_refused(server):
    refused(server, hcpsdk.HcpsdkArgumentError, "url", url=f"/rest/a{LONE}b", body=b"x")


@pytest.mark.parametrize("params", [{f"k{LONE}": "v"}, {"k": f"v{LONE}"}, [("k", f"v{LONE}")]])
def test_lone_surrogate_in_params_is_refused(server, params):
    refused(server, hcpsdk.HcpsdkArgumentError, "params", body=b"x", params=params)


@pytest.mark.parametrize("value", [f"v{LONE}", "price in €"])
def test_header_value_that_latin1_cannot_carry_is_refused(server, value):
    error = refused(server, hcpsdk.HcpsdkArgumentError, "X-Meta", body=b"x",
                    headers={"X-Meta": value})
    assert "Latin-1" in str(error)


def test_secret_header_value_is_not_shown(server):
    error = refused(server, hcpsdk.HcpsdkArgumentError, "Authorization", body=b"x",
                    headers={"Authorization": "HCP s3cret€"})
    assert "s3cret" not in str(error)


def test_lone_surrogate_in_a_str_body_is_refused(server):
    refused(server, hcpsdk.HcpsdkArgumentError, "body", body=f"text{LONE}")


def test_bytes_params_are_sent_as_their_text(server):
    with hcpsdk.Connection(server.target()) as c:
        c.request("PUT", "/rest/a", body=b"x", params={b"index": b"true",
                                                        "name": bytearray(b"caf\xc3\xa9")})
        assert c.response_status == 201
    request_line = server.requests[0][0].split(b"\r\n")[0]
    assert request_line == b"PUT /rest/a?index=true&name=caf%C3%A9 HTTP/1.1"


def test_bytes_url_with_non_utf8_bytes_is_sent_as_those_bytes(server):
    with hcpsdk.Connection(server.target()) as c:
        c.request("PUT", b"/rest/\xff%41%zz", body=b"x")
    assert server.requests[0][0].split(b"\r\n")[0] == b"PUT /rest/%FF%41%25zz HTTP/1.1"


def test_strided_memoryview_is_sent_as_its_bytes(hcp, http_target, path):
    data = bytes(range(200))
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, memoryview(data)[::2])
        assert c.response_status == 201
    assert hcp.get_object(path) == data[::2]


def test_wide_memoryview_items_are_sent_with_their_byte_size(hcp, http_target, path):
    numbers = array.array("i", range(10))
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, iter([memoryview(numbers), memoryview(b"end")]))
        assert c.response_status == 201
    assert hcp.get_object(path) == numbers.tobytes() + b"end"


@pytest.mark.parametrize("first", ["text", 7])
def test_generator_whose_first_item_is_no_bytes_is_refused_before_sending(server, first):
    def body():
        yield first
        yield b"rest"

    error = refused(server, hcpsdk.HcpsdkTypeError, "body", body=body())
    assert "item 0" in str(error)


@pytest.mark.parametrize("later", ["text", 7])
def test_generator_with_a_later_bad_item_stores_nothing(hcp, http_target, path, later):
    with hcpsdk.Connection(http_target, retries=0) as c:
        with pytest.raises(hcpsdk.HcpsdkTypeError, match="item 1"):
            c.PUT(path, iter([b"good", later]))
    assert hcp.get_object(path) is None


def test_mapi_name_with_a_lone_surrogate_is_refused(hcp):
    admin = hcp.target(hcp.admin_fqdn)
    with mapi.Replication(admin) as r:
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="link"):
            r.getlinkdetails(f"link{LONE}")
        with pytest.raises(mapi.ReplicationSettingsError, match="network"):
            r.setreplicationsettings(network=f"net{LONE}")
    with mapi.Logs(admin) as logs:
        with pytest.raises(mapi.LogsArgumentError, match="snodes"):
            logs.prepare(snodes=[f"s{LONE}"])
