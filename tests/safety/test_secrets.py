"""Secrets: a password that can't be encoded, http.client's debug print-out."""
from __future__ import annotations

import pytest

import hcpsdk

LONE = "pa\udc80ss-s3cret"


@pytest.mark.parametrize("cls", [hcpsdk.NativeAuthorization, hcpsdk.NativeADAuthorization,
                                 hcpsdk.LocalSwiftAuthorization])
def test_unencodable_password_is_refused_without_showing_it(cls):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="password") as info:
        cls("someuser", LONE)
    error = info.value
    assert "s3cret" not in str(error) and "s3cret" not in repr(error)
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    assert "\\udc80" not in str(error)


@pytest.mark.parametrize("cls", [hcpsdk.NativeAuthorization, hcpsdk.NativeADAuthorization,
                                 hcpsdk.LocalSwiftAuthorization])
def test_unencodable_user_is_refused_naming_the_user(cls):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="user"):
        cls("us\udc80er", "pw")


def test_ad_password_beyond_latin1_is_refused_before_sending():
    # the AD header carries the password as it is, and a header value is Latin-1 on the wire
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="password") as info:
        hcpsdk.NativeADAuthorization("u@dom", "p€ss-s3cret")
    assert "s3cret" not in str(info.value)
    assert hcpsdk.NativeADAuthorization("u@dom", "pässwort").headers == {
        "Authorization": "AD u@dom:pässwort"}


# -- http.client's debug print-out ----------------------------------------------------------

@pytest.fixture()
def global_debuglevel():
    """The common recipe: ``http.client.HTTPConnection.debuglevel = 9`` for every connection."""
    import http.client

    http.client.HTTPConnection.debuglevel = 9
    yield
    http.client.HTTPConnection.debuglevel = 0


TOKEN = "bg==:1dc7fed37e11b35093d311ef66928ad9"  # user n, password n01


def test_global_debuglevel_prints_no_token(hcp, http_target, path, global_debuglevel, capsys):
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, b"x" * 10, headers={"Cookie": "session=s3cret-cookie"})
        c.GET(path)
        assert c.read() == b"x" * 10
    out = capsys.readouterr().out
    assert "send: b'PUT " in out and "send: b'GET " in out  # debugging still works
    assert TOKEN not in out and "s3cret-cookie" not in out
    assert "Authorization: ******" in out


def test_global_debuglevel_redacts_a_large_framed_body_request(hcp, http_target, path,
                                                                global_debuglevel, capsys):
    # bodies above the Expect threshold are framed by hcpsdk itself (putrequest/putheader)
    with hcpsdk.Connection(http_target) as c:
        c.PUT(path, b"y" * (2 << 20))
        assert c.response_status == 201
    out = capsys.readouterr().out
    assert TOKEN not in out and "Authorization: ******" in out


def test_swift_token_is_redacted_with_the_global_debuglevel(hcp, global_debuglevel, capsys):
    target = hcpsdk.Target(hcp.fqdn, hcpsdk.LocalSwiftAuthorization("n", "n01"),
                           port=hcp.http_port, tls=False, resolver=hcp.resolver())
    with hcpsdk.Connection(target) as c:
        c.HEAD("/rest/safety/none")
    out = capsys.readouterr().out
    assert "X-Auth-Token: ******" in out and TOKEN not in out
