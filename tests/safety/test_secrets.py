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
    assert error.__cause__ is None and error.__suppress_context__
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
