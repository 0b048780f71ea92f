"""REST data access on objects: PUT/GET/HEAD/DELETE and their headers and statuses."""
from __future__ import annotations

import hashlib
import re

import pytest

EXAMPLE = b"This is an example"
EXAMPLE_SHA256 = "47FB563CC8F86DC37C86D08BC542968F7986ACD81C97BF76DB7AD744407FE117"

HEAD_HEADERS = [
    "ETag", "Content-Type", "Content-Length", "X-HCP-Type", "X-HCP-Size", "X-HCP-Hash",
    "X-HCP-VersionId", "X-HCP-IngestTime", "X-HCP-RetentionClass", "X-HCP-RetentionString",
    "X-HCP-Retention", "X-HCP-IngestProtocol", "X-HCP-RetentionHold", "X-HCP-Shred", "X-HCP-DPL",
    "X-HCP-Index", "X-HCP-Custom-Metadata", "X-HCP-ACL", "X-HCP-Owner", "X-HCP-Domain",
    "X-HCP-UID", "X-HCP-GID", "X-HCP-CustomMetadataAnnotations", "X-HCP-Replicated",
    "X-HCP-ReplicationCollision", "X-HCP-ChangeTimeMilliseconds", "X-HCP-ChangeTimeString",
    "Last-Modified",
]


def test_put_answers_201_with_location_hash_etag_and_version(client, unique):
    r = client.PUT(f"{unique}/a.txt", EXAMPLE)
    assert r.status == 201
    assert r.body == b""
    assert r.header("Location") == f"{unique}/a.txt"
    assert r.header("X-HCP-Hash") == f"SHA-256 {EXAMPLE_SHA256}"
    assert r.header("ETag") == f'"{hashlib.md5(EXAMPLE).hexdigest()}"'
    assert r.header("X-HCP-VersionId").isdigit()
    assert r.header("X-HCP-IngestTimeMilliseconds").isdigit()
    assert r.header("Content-Length") == "0"


@pytest.mark.parametrize("method", ["PUT", "GET", "HEAD", "DELETE"])
def test_every_response_has_the_common_hcp_headers(client, unique, hcp, method):
    client.PUT(f"{unique}/a", b"x")
    r = client.request(method, f"{unique}/a", b"x" if method == "PUT" else None)
    assert r.header("Server").startswith("HCP V")
    assert re.fullmatch(r"[0-9A-F]{16}", r.header("X-RequestId"))
    assert r.header("X-HCP-ServicedBySystem") == hcp.domain
    assert r.header("X-HCP-Time").isdigit()
    assert r.header("Date").endswith("GMT")


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reads_also_carry_the_caching_headers(client, unique, method):
    client.PUT(f"{unique}/a", b"x")
    r = client.request(method, f"{unique}/a")
    assert r.header("Cache-Control") == "no-cache,no-store"
    assert r.header("Pragma") == "no-cache"
    assert r.header("Expires") == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert r.header("X-HCP-SoftwareVersion")


def test_head_has_the_full_documented_header_set(client, unique):
    client.PUT(f"{unique}/a.txt", EXAMPLE)
    r = client.HEAD(f"{unique}/a.txt")
    assert r.status == 200
    assert r.body == b""
    missing = [h for h in HEAD_HEADERS if r.header(h) is None]
    assert missing == []
    assert r.header("Content-Length") == "18"
    assert r.header("X-HCP-Size") == "18"
    assert r.header("Content-Type") == "text/plain"
    assert r.header("X-HCP-Type") == "object"
    assert r.header("X-HCP-RetentionString") == "Deletion Allowed"
    assert r.header("X-HCP-Retention") == "0"
    assert r.header("X-HCP-Owner") == "n"
    assert r.header("X-HCP-Replicated") == "false"
    assert re.fullmatch(r"\d{13}\.\d\d", r.header("X-HCP-ChangeTimeMilliseconds"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", r.header("X-HCP-ChangeTimeString"))


def test_get_returns_the_body_and_the_object_headers(client, unique):
    client.PUT(f"{unique}/a.bin", b"\x00\x01" * 1000)
    r = client.GET(f"{unique}/a.bin")
    assert r.status == 200
    assert r.body == b"\x00\x01" * 1000
    assert r.header("Content-Type") == "application/octet-stream"
    assert r.header("X-HCP-Hash") == "SHA-256 " + hashlib.sha256(r.body).hexdigest().upper()


def test_stored_content_type_wins(client, unique):
    client.PUT(f"{unique}/a.txt", b"{}", headers={"Content-Type": "application/json"})
    assert client.GET(f"{unique}/a.txt").header("Content-Type") == "application/json"


def test_missing_object_is_404_for_get_head_and_delete(client, unique):
    for method in ("GET", "HEAD", "DELETE"):
        assert client.request(method, f"{unique}/nothing").status == 404


def test_error_answers_carry_x_hcp_errormessage(client, unique):
    r = client.GET(f"{unique}/nothing")
    assert r.status == 404
    assert r.header("X-HCP-ErrorMessage")


def test_put_existing_object_without_versioning_is_409(client, unique):
    assert client.PUT(f"{unique}/a", b"1").status == 201
    r = client.PUT(f"{unique}/a", b"2")
    assert r.status == 409
    assert client.GET(f"{unique}/a").body == b"1"


def test_delete_answers_200_and_removes_the_object(client, unique, hcp):
    client.PUT(f"{unique}/a", b"1")
    assert client.DELETE(f"{unique}/a").status == 200
    assert hcp.get_object(f"{unique}/a") is None
    assert client.GET(f"{unique}/a").status == 404


def test_chunked_upload_is_stored(client, unique, hcp):
    def parts():
        yield b"abc"
        yield b"def" * 1000
    r = client.PUT(f"{unique}/chunked", parts())
    assert r.status == 201
    assert hcp.get_object(f"{unique}/chunked") == b"abc" + b"def" * 1000


def test_file_body_is_sent_chunked_by_http_client_and_stored(client, unique, hcp, tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"z" * 70000)
    with open(f, "rb") as fh:
        r = client.PUT(f"{unique}/file", fh)
    assert r.status == 201
    assert hcp.get_object(f"{unique}/file") == b"z" * 70000


def test_put_without_length_or_chunked_is_411(hcp, unique):
    import socket

    from emulator_support import token
    with socket.create_connection((hcp.addresses[0], hcp.http_port)) as s:
        s.sendall(f"PUT {unique}/nolen HTTP/1.1\r\nHost: {hcp.fqdn}\r\n"
                  f"Authorization: HCP {token('n', 'n01')}\r\n\r\n".encode())
        assert s.recv(100).startswith(b"HTTP/1.1 411 ")


def test_expect_100_continue_is_honoured(hcp, unique):
    import socket

    from emulator_support import token
    with socket.create_connection((hcp.addresses[0], hcp.http_port)) as s:
        s.sendall(f"PUT {unique}/cont HTTP/1.1\r\nHost: {hcp.fqdn}\r\nContent-Length: 2\r\n"
                  f"Expect: 100-continue\r\nAuthorization: HCP {token('n', 'n01')}\r\n\r\n".encode())
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"ok")
        assert s.recv(100).startswith(b"HTTP/1.1 201 ")


def test_keep_alive_serves_many_requests_on_one_connection(client, unique, hcp):
    before = hcp.stats()["accepted"]
    for i in range(20):
        assert client.PUT(f"{unique}/{i}", b"x").status == 201
    assert hcp.stats()["accepted"] - before <= 1


def test_connection_close_is_answered_and_honoured(client, unique):
    r = client.GET(f"{unique}/none", headers={"Connection": "close"})
    assert r.header("Connection") == "close"


def test_unknown_query_parameter_is_400(client, unique):
    assert client.PUT(f"{unique}/a?color=blue", b"x").status == 400


def test_path_longer_than_4095_bytes_is_414(client, unique):
    assert client.PUT(f"{unique}/{'x' * 4100}", b"x").status == 414


def test_names_are_percent_decoded_and_case_sensitive(client, unique, hcp):
    assert client.PUT(f"{unique}/a%20b%2Bc%C3%A4", b"1").status == 201
    assert hcp.get_object(f"{unique}/a b+cä") == b"1"
    assert client.GET(f"{unique}/A%20b%2Bc%C3%A4").status == 404


def test_quota_exceeded_is_413(hcp, unique):
    from emulator_support import Client
    ns = hcp.system.namespace("m", "n1")
    old = ns.hard_quota
    ns.hard_quota = ns.store.used_bytes() + 10
    try:
        with Client(hcp) as c:
            assert c.PUT(f"{unique}/big", b"x" * 11).status == 413
            assert c.PUT(f"{unique}/small", b"x" * 5).status == 201
    finally:
        ns.hard_quota = old


def test_md5_hash_scheme_namespace(hcp):
    from emulator_support import Client
    tenant = hcp.system.tenants["m"]
    ns = tenant.add_namespace("md5ns", hash_scheme="MD5")
    tenant.users["n"].grant("md5ns")
    try:
        with Client(hcp, host=f"md5ns.m.{hcp.domain}") as c:
            r = c.PUT("/rest/x", b"abc")
            assert r.header("X-HCP-Hash") == "MD5 " + hashlib.md5(b"abc").hexdigest().upper()
    finally:
        del tenant.namespaces[ns.name]


@pytest.mark.parametrize("params", ["index=false", "shred=true", "index=false&shred=true"])
def test_put_flags_are_shown_in_head(client, unique, params):
    client.PUT(f"{unique}/o?{params}", b"1")
    r = client.HEAD(f"{unique}/o")
    assert r.header("X-HCP-Index") == ("false" if "index=false" in params else "true")
    assert r.header("X-HCP-Shred") == ("true" if "shred=true" in params else "false")


def test_invalid_boolean_value_is_400(client, unique):
    assert client.PUT(f"{unique}/o?index=maybe", b"1").status == 400


def test_gzip_upload_is_stored_decompressed(client, unique, hcp):
    import gzip
    r = client.PUT(f"{unique}/gz", gzip.compress(b"plain text" * 100),
                   headers={"Content-Encoding": "gzip"})
    assert r.status == 201
    assert hcp.get_object(f"{unique}/gz") == b"plain text" * 100


def test_gzip_mismatch_is_400_and_other_encodings_415(client, unique, hcp):
    assert client.PUT(f"{unique}/gz", b"not gzip", headers={"Content-Encoding": "gzip"}).status == 400
    assert client.PUT(f"{unique}/br", b"x", headers={"Content-Encoding": "br"}).status == 415
    assert hcp.get_object(f"{unique}/gz") is None


def test_oversized_request_head_is_431(hcp):
    import socket
    with socket.create_connection((hcp.addresses[0], hcp.http_port)) as s:
        s.sendall(b"GET /rest/x HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 431 ")


def test_malformed_request_line_is_400(hcp):
    import socket
    with socket.create_connection((hcp.addresses[0], hcp.http_port)) as s:
        s.sendall(b"NONSENSE\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400 ")
