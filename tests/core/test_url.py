"""URL and params encoding: exactly once, round trips through the emulator."""
from __future__ import annotations

import uuid
from urllib.parse import unquote

import pytest

from hcpsdk._url import build_url, encode_params, quote_path


@pytest.mark.parametrize("raw, wire", [
    ("/rest/plain/name-1_2.3~x", "/rest/plain/name-1_2.3~x"),
    ("/rest/a b/c", "/rest/a%20b/c"),
    ("/rest/x%20y", "/rest/x%20y"),
    ("/rest/x%20y z", "/rest/x%20y%20z"),
    ("/rest/100%", "/rest/100%25"),
    ("/rest/50%zz", "/rest/50%25zz"),
    ("/rest/q?type=acl", "/rest/q%3Ftype%3Dacl"),
    ("/rest/a+b#c&d=e", "/rest/a%2Bb%23c%26d%3De"),
    ("/rest/äöü/€", "/rest/%C3%A4%C3%B6%C3%BC/%E2%82%AC"),
    ("/rest/new\nline", "/rest/new%0Aline"),
])
def test_quote_path(raw, wire):
    assert quote_path(raw) == wire


def test_params_use_quote_rules():
    assert (encode_params({"index": "true", "retention": "A+10y"})
            == "?index=true&retention=A%2B10y")
    assert encode_params([("a", "x y"), ("b", "1/2"), ("c", "")]) == "?a=x%20y&b=1%2F2&c="
    assert encode_params({"failOver": ""}) == "?failOver="
    assert encode_params({"hold": True, "n": 5}) == "?hold=true&n=5"
    assert encode_params(None) == encode_params({}) == ""
    assert build_url("/rest/a b", {"x": "ä"}) == "/rest/a%20b?x=%C3%A4"


NAMES = ["with blank", "plus+sign", "percent%sign", "pre%20encoded", "hash#tag", "quest?ion",
         "amp&eq=", "ümläut-€-日本", "reserved:@!$'()*,;[]"]


@pytest.mark.parametrize("name", NAMES)
def test_object_names_round_trip(hcp, http_target, open_connections, name):
    conn = open_connections(http_target)
    path = f"/rest/names/{uuid.uuid4().hex}/{name}"
    conn.PUT(path, body=name.encode())
    assert conn.response_status == 201
    conn.GET(path)
    assert conn.response_status == 200
    assert conn.read() == name.encode()
    # what the server received decodes to the name we meant
    # ('%20' in a name is taken as already encoded: encoding happens once)
    meant = unquote(path) if "%20" in name else path
    wire = [r.path for r in hcp.requests if r.method == "PUT" and r.path.startswith(
        quote_path(path.rsplit("/", 1)[0]))][-1]
    assert unquote(wire) == meant
    assert hcp.get_object(meant) == name.encode()


def test_params_reach_the_server_encoded_once(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body=b"x", params={"index": "true", "retention": "A+10y"})
    assert conn.response_status == 201
    record = [r for r in hcp.requests if r.method == "PUT" and r.path == path][-1]
    assert record.query == "index=true&retention=A%2B10y"
