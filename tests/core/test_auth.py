"""Authorizations: the HCP token and cookie headers they make, secrets never shown."""
from __future__ import annotations

import pytest

import hcpsdk

TOKEN = "bg==:1dc7fed37e11b35093d311ef66928ad9"  # user n, password n01


def test_native_authorization_headers():
    auth = hcpsdk.NativeAuthorization("n", "n01")
    assert auth.headers == {"Authorization": "HCP " + TOKEN, "Cookie": "hcp-ns-auth=" + TOKEN}
    assert auth.user == "n"


def test_ad_and_swift_headers():
    assert hcpsdk.NativeADAuthorization("u@dom", "pw").headers == {
        "Authorization": "AD u@dom:pw"}
    assert hcpsdk.LocalSwiftAuthorization("n", "n01").headers == {"X-Auth-Token": "HCP " + TOKEN}


def test_non_ascii_credentials():
    auth = hcpsdk.NativeAuthorization("bénutzer", "pässwort")
    assert auth.headers["Authorization"].startswith("HCP YsOpbnV0emVy:")


@pytest.mark.parametrize("cls", [hcpsdk.NativeAuthorization, hcpsdk.NativeADAuthorization,
                                 hcpsdk.LocalSwiftAuthorization])
def test_repr_and_str_hide_the_secret(cls):
    auth = cls("someuser", "s3cret-pw")
    for text in (repr(auth), str(auth)):
        assert "someuser" in text
        assert "s3cret-pw" not in text
        assert "1dc7fed" not in text and "HCP " not in text
    assert "******" in repr(auth)


def test_dummy_and_base():
    assert hcpsdk.DummyAuthorization()._getheaders() == {}
    assert repr(hcpsdk.DummyAuthorization()) == "DummyAuthorization()"
    with pytest.raises(hcpsdk.HcpsdkError, match="no authorization token"):
        hcpsdk.BaseAuthorization()._getheaders()


def test_getheaders_returns_a_copy():
    auth = hcpsdk.NativeAuthorization("n", "n01")
    copy = auth._getheaders()
    copy["Authorization"] = "changed"
    assert auth.headers["Authorization"] == "HCP " + TOKEN
