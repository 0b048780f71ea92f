"""Authentication, permissions and routing by the Host header."""
from __future__ import annotations

from emulator_support import Client


def test_missing_credentials_are_403(client, unique):
    r = client.PUT(f"{unique}/o", b"1", auth=None)
    assert r.status == 403
    assert r.header("X-HCP-ErrorMessage")


def test_wrong_password_is_403(client, unique):
    assert client.GET(f"{unique}/o", auth=("n", "wrong")).status == 403


def test_cookie_authentication_is_accepted(client, unique):
    from emulator_support import token
    r = client.PUT(f"{unique}/o", b"1", auth=None, headers={"Cookie": f"hcp-ns-auth={token('n', 'n01')}"})
    assert r.status == 201


def test_ad_authorization_header_is_accepted(client, unique):
    r = client.PUT(f"{unique}/o", b"1", auth=None, headers={"Authorization": "AD n@corp.example:n01"})
    assert r.status == 201


def test_user_without_write_permission_gets_403(hcp, unique):
    tenant = hcp.system.tenants["m"]
    tenant.add_user("reader", "reader01", {"n1": ["read", "browse"]})
    try:
        with Client(hcp, auth=("reader", "reader01")) as c:
            r = c.PUT(f"{unique}/o", b"1")
            assert r.status == 403
            assert "write" in r.header("X-HCP-ErrorMessage")
    finally:
        del tenant.users["reader"]


def test_unknown_namespace_host_is_403(client, unique, hcp):
    r = client.GET(f"{unique}/o", host=f"nosuch.m.{hcp.domain}")
    assert r.status == 403
    assert "does not exist" in r.header("X-HCP-ErrorMessage")


def test_host_routes_to_the_named_namespace(client, unique, hcp):
    assert client.PUT(f"{unique}/o", b"in-n2", host=f"n2.m.{hcp.domain}").status == 201
    assert hcp.get_object(f"{unique}/o", namespace="n2") == b"in-n2"
    assert hcp.get_object(f"{unique}/o") is None


def test_host_names_are_case_insensitive(client, unique, hcp):
    assert client.PUT(f"{unique}/o", b"1", host=f"N2.M.{hcp.domain.upper()}").status == 201
    assert hcp.get_object(f"{unique}/o", namespace="n2.m") == b"1"


def test_ip_literal_host_reaches_no_namespace(client, unique, hcp):
    assert client.PUT(f"{unique}/o", b"1", host=hcp.addresses[0]).status == 403
    assert hcp.get_object(f"{unique}/o") is None


def test_read_only_namespace_refuses_writes_with_403(client, unique, hcp):
    ns = hcp.system.namespace("m", "n1")
    client.PUT(f"{unique}/o", b"1")
    ns.read_only = True
    try:
        r = client.PUT(f"{unique}/p", b"1")
        assert r.status == 403
        assert "read-only" in r.header("X-HCP-ErrorMessage")
        assert client.DELETE(f"{unique}/o").status == 403
        assert client.GET(f"{unique}/o").status == 200
    finally:
        ns.read_only = False


def test_unknown_path_is_404_and_unknown_method_405(client):
    assert client.GET("/nothing").status == 404
    assert client.request("PATCH", "/rest/x", b"").status == 405


def test_mapi_port_serves_tls(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.admin_fqdn, auth=("service", "service01")) as c:
        r = c.GET("/mapi/services/replication")
        assert r.status in (200, 501)  # 501 only while the MAPI module is absent


def test_anonymous_request_is_403_even_for_missing_objects(client, unique):
    assert client.GET(f"{unique}/missing", auth=None).status == 403


def test_anonymous_access_when_the_namespace_allows_it(hcp, client, unique):
    ns = hcp.system.namespace("m", "n1")
    client.PUT(f"{unique}/public", b"p")
    ns.anonymous_permissions = frozenset({"read"})
    try:
        assert client.GET(f"{unique}/public", auth=None).body == b"p"
        assert client.PUT(f"{unique}/other", b"x", auth=None).status == 403
    finally:
        ns.anonymous_permissions = frozenset()


def test_request_record_repr_masks_credentials(client, unique, hcp):
    """hcp.requests keeps the headers, but no repr/str shows a credential."""
    from emulator_support import token
    secret = token("n", "n01")
    wrong = token("n", "wrong")
    client.GET(f"{unique}/o", auth=("n", "wrong"),
               headers={"Cookie": f"hcp-ns-auth={secret}; other=v2", "X-Auth-Token": "swift-tok",
                        "X-Custom": "shown"})
    record = next(r for r in reversed(hcp.requests) if r.path == f"{unique}/o")
    assert record.headers["Authorization"] == f"HCP {wrong}"   # intact for tests
    assert record.headers["cookie"] == f"hcp-ns-auth={secret}; other=v2"
    for text in (repr(record), str(record), repr(record.headers), repr([record])):
        for value in (secret, wrong, wrong.split(":")[1], "swift-tok", "v2"):
            assert value not in text
        assert "'authorization': 'HCP ***'" in text
        assert "'cookie': 'hcp-ns-auth=***; other=***'" in text
        assert "'x-auth-token': '***'" in text and "'x-custom': 'shown'" in text
    assert f"status={record.status}" in repr(record) and "method='GET'" in repr(record)
