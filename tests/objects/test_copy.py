"""objects.copy (server-side copy) through the client, and the emulator's copy over raw http."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

import hcpsdk
from hcpsdk import objects
from hcpsdk.emulator.copy import parse_source
from hcpsdk.emulator.store import StoreError


def _annotate(connection, path, name, body):
    r = connection.PUT(path, body=body, params={"type": "custom-metadata", "annotation": name})
    assert r.status == 201


def test_copy_makes_a_new_object_with_the_same_data(connection, hcp_emulator, tree, put):
    put(connection, f"{tree}/src", b"payload")
    requests_before = len(hcp_emulator.requests)
    stored = objects.copy(connection, f"{tree}/src", f"{tree}/dst")
    assert stored.path == f"{tree}/dst"
    assert stored.hash_value == hashlib.sha256(b"payload").hexdigest().upper()
    assert stored.version_id == objects.stat(connection, f"{tree}/dst").version_id
    assert stored.version_id != objects.stat(connection, f"{tree}/src").version_id
    copy_request = hcp_emulator.requests[requests_before]
    assert copy_request.method == "PUT" and copy_request.headers["content-length"] == "0"
    assert copy_request.headers["x-hcp-copysource"] == f"n2.m/{tree[6:]}/src"
    connection.GET(f"{tree}/dst")
    assert connection.read() == b"payload"


def test_copy_with_metadata_copies_annotations_and_without_does_not(connection, tree, put):
    put(connection, f"{tree}/src")
    _annotate(connection, f"{tree}/src", "default", b"<a/>")
    _annotate(connection, f"{tree}/src", "extra", b"<e/>")
    objects.copy(connection, f"{tree}/src", f"{tree}/with")
    objects.copy(connection, f"{tree}/src", f"{tree}/without", metadata=False)
    assert objects.stat(connection, f"{tree}/with").annotation_names == ("default", "extra")
    assert not objects.stat(connection, f"{tree}/without").has_annotations


def test_copy_gets_no_acl_and_the_target_namespace_defaults(connection, tree, put):
    put(connection, f"{tree}/src", shred="true", acl="all_read")
    objects.copy(connection, f"{tree}/src", f"{tree}/dst")
    info = objects.stat(connection, f"{tree}/dst")
    assert not info.has_acl and not info.shred


def test_copy_of_an_old_version(connection, tree, put):
    put(connection, f"{tree}/src", b"old")
    old = objects.stat(connection, f"{tree}/src").version_id
    put(connection, f"{tree}/src", b"newer")
    objects.copy(connection, f"{tree}/src", f"{tree}/dst", version=old)
    connection.GET(f"{tree}/dst")
    assert connection.read() == b"old"


def test_copy_from_another_namespace_of_the_tenant(connection, n1, tree, put):
    put(n1, f"{tree}/src", b"from n1")
    objects.copy(connection, f"{tree}/src", f"{tree}/dst", source_namespace="n1.m")
    connection.GET(f"{tree}/dst")
    assert connection.read() == b"from n1"


def test_copy_from_another_tenant_is_refused(connection, hcp_emulator, tree):
    hcp_emulator.system.namespace("t2", "other").store.put_bytes(f"{tree[6:]}/src", b"x")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.copy(connection, f"{tree}/src", f"{tree}/dst", source_namespace="other.t2")
    assert caught.value.status == 403 and "same tenant" in caught.value.hcp_message


def test_copy_of_a_missing_source_is_not_found(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.copy(connection, f"{tree}/none", f"{tree}/dst")


def test_copy_onto_an_existing_object_without_versioning_is_refused(n1, tree, put):
    put(n1, f"{tree}/src")
    put(n1, f"{tree}/dst")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.copy(n1, f"{tree}/src", f"{tree}/dst")
    assert caught.value.status == 409


def test_copy_of_a_name_that_needs_encoding(connection, tree, put):
    put(connection, f"{tree}/a b%?#é", b"odd")
    objects.copy(connection, f"{tree}/a b%?#é", f"{tree}/c d%é")
    connection.GET(f"{tree}/c d%25é")
    assert connection.read() == b"odd"


def test_copy_of_a_directory_makes_an_empty_directory(connection, tree, put):
    put(connection, f"{tree}/d/x")
    objects.copy(connection, f"{tree}/d", f"{tree}/e")
    info = objects.stat(connection, f"{tree}/e")
    assert info.type == "directory" and list(objects.listdir(connection, f"{tree}/e")) == []


def test_copy_conditions_on_the_source(connection, tree, put):
    put(connection, f"{tree}/src", b"abc")
    etag = objects.stat(connection, f"{tree}/src").etag
    objects.copy(connection, f"{tree}/src", f"{tree}/a", source_if_match=etag)
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError):
        objects.copy(connection, f"{tree}/src", f"{tree}/b", source_if_match='"other"')
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError):
        objects.copy(connection, f"{tree}/src", f"{tree}/c", source_if_none_match=etag)
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError):
        objects.copy(connection, f"{tree}/src", f"{tree}/d",
                     source_if_modified_since=datetime.now(UTC) + timedelta(hours=1))
    objects.copy(connection, f"{tree}/src", f"{tree}/e",
                 source_if_unmodified_since=datetime.now(UTC) + timedelta(hours=1))
    assert [e.name for e in objects.listdir(connection, tree)] == ["a", "e", "src"]


def test_copy_conditions_on_the_destination(connection, tree, put):
    put(connection, f"{tree}/src", b"abc")
    put(connection, f"{tree}/dst", b"old")
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError):
        objects.copy(connection, f"{tree}/src", f"{tree}/dst", if_none_match="*")
    old = objects.stat(connection, f"{tree}/dst").etag
    objects.copy(connection, f"{tree}/src", f"{tree}/dst", if_match=old)
    assert objects.get(connection, f"{tree}/dst") == b"abc"


def test_emulator_copy_source_condition_over_raw_http(raw, tree):
    assert raw("PUT", f"{tree}/src", body=b"raw")[0] == 201
    status, headers, _ = raw("PUT", f"{tree}/dst", {
        "X-HCP-CopySource": f"n2.m{tree}/src", "Content-Length": "0",
        "X-HCP-CopySource-If-Match": '"0000"'})
    assert status == 412 and headers["X-HCP-ErrorMessage"]
    assert raw("HEAD", f"{tree}/dst")[0] == 404


def test_copy_checks_its_arguments(connection):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="source"):
        objects.copy(connection, "/proc/x", "/rest/y")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="metadata"):
        objects.copy(connection, "/rest/x", "/rest/y", metadata="ALL")
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="destination"):
        objects.copy(connection, "/rest/x", "y")


# -- the emulator over raw http.client ----------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("n1.m/a/b.txt", ("n1", "m", "a/b.txt", None)),
    ("n1.m.objects.example.com/rest/a/b.txt?version=42", ("n1", "m", "a/b.txt", 42)),
    ("n1.m%2Frest%2Fa%2Fb%20c.txt%3Fversion%3D7", ("n1", "m", "a/b c.txt", 7)),
    ("/n1.m/a%3Fq?version=9", ("n1", "m", "a?q", 9)),
])
def test_emulator_accepts_every_copy_source_spelling(value, expected):
    assert parse_source(value, "objects.example.com") == expected


@pytest.mark.parametrize("value", ["n1/a", "n1.m.other.com/a", "n1.m/", "n1.m/a?version=x"])
def test_emulator_refuses_a_bad_copy_source(value):
    with pytest.raises(StoreError) as caught:
        parse_source(value, "objects.example.com")
    assert caught.value.status == 400


def test_emulator_copy_over_raw_http(raw, tree):
    assert raw("PUT", f"{tree}/src", body=b"raw")[0] == 201
    status, headers, _ = raw("PUT", f"{tree}/dst",
                              {"X-HCP-CopySource": f"n2.m{tree}/src", "Content-Length": "0",
                               "X-HCP-MetadataDirective": "NONE"})
    assert status == 201
    assert headers["X-HCP-Hash"] == "SHA-256 " + hashlib.sha256(b"raw").hexdigest().upper()
    assert int(headers["X-HCP-VersionId"]) > 0
    assert raw("GET", f"{tree}/dst")[2] == b"raw"


@pytest.mark.parametrize("headers, status", [
    ({"X-HCP-MetadataDirective": "SOME"}, 400),
    ({"X-HCP-CopySource": "n2.m/none"}, 404),
])
def test_emulator_copy_errors_over_raw_http(raw, tree, headers, status):
    assert raw("PUT", f"{tree}/src", body=b"raw")[0] == 201
    sent = {"X-HCP-CopySource": f"n2.m{tree}/src", "Content-Length": "0"}
    sent.update(headers)
    answer, reply, _ = raw("PUT", f"{tree}/dst", sent)
    assert answer == status and reply.get("X-HCP-ErrorMessage")


def test_emulator_copy_with_a_body_is_refused(raw, tree):
    assert raw("PUT", f"{tree}/src", body=b"raw")[0] == 201
    status, _, _ = raw("PUT", f"{tree}/dst",
                        {"X-HCP-CopySource": f"n2.m{tree}/src"}, body=b"data too")
    assert status == 400
