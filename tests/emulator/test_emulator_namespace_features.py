"""Directories, Range requests, versions, annotations, ACLs, POST metadata."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from emulator_support import Client

N2 = "n2.m.hcp1.example.com"


@pytest.fixture
def versioned(hcp):
    with Client(hcp, host=N2) as c:
        yield c


# ---------------------------------------------------------------- directories


def test_put_object_creates_parent_directories(client, unique):
    client.PUT(f"{unique}/d1/d2/o", b"1")
    r = client.HEAD(f"{unique}/d1/d2")
    assert r.status == 200
    assert r.header("X-HCP-Type") == "directory"
    assert r.header("X-HCP-ChangeTimeMilliseconds")
    assert r.header("X-HCP-ChangeTimeString")


def test_put_type_directory_is_201_with_parents(client, unique):
    r = client.PUT(f"{unique}/a/b/c?type=directory")
    assert r.status == 201
    assert r.header("Location") == f"{unique}/a/b/c"
    assert client.HEAD(f"{unique}/a/b").header("X-HCP-Type") == "directory"


def test_put_directory_where_something_exists_is_409(client, unique):
    client.PUT(f"{unique}/x", b"1")
    assert client.PUT(f"{unique}/x?type=directory").status == 409
    client.PUT(f"{unique}/dir?type=directory")
    assert client.PUT(f"{unique}/dir?type=directory").status == 409


def test_put_object_over_a_directory_or_below_an_object_is_409(client, unique):
    client.PUT(f"{unique}/dir?type=directory")
    assert client.PUT(f"{unique}/dir", b"1").status == 409
    client.PUT(f"{unique}/obj", b"1")
    assert client.PUT(f"{unique}/obj/child", b"1").status == 409


def test_directory_listing_xml(client, unique):
    client.PUT(f"{unique}/list/sub/x", b"1")
    client.PUT(f"{unique}/list/a%20b.txt", b"hello")
    r = client.GET(f"{unique}/list")
    assert r.status == 200
    assert r.header("Content-Type") == "text/xml"
    assert r.header("X-HCP-Type") == "directory"
    root = ET.fromstring(r.body)
    assert root.tag == "directory"
    assert root.get("utf8Path") == f"{unique}/list"
    assert root.get("namespaceName") == "n1"
    entries = {e.get("utf8Name"): e for e in root.iter("entry")}
    assert set(entries) == {"sub", "a b.txt"}
    assert entries["sub"].get("type") == "directory"
    obj = entries["a b.txt"]
    assert obj.get("urlName") == "a%20b.txt"
    assert obj.get("type") == "object"
    assert obj.get("size") == "5"
    assert obj.get("hashScheme") == "SHA-256"
    assert obj.get("state") == "created"


def test_delete_empty_directory_is_200_and_non_empty_is_403(client, unique):
    client.PUT(f"{unique}/full/x", b"1")
    client.PUT(f"{unique}/empty?type=directory")
    assert client.DELETE(f"{unique}/full").status == 403
    assert client.DELETE(f"{unique}/empty").status == 200
    assert client.HEAD(f"{unique}/empty").status == 404


# ---------------------------------------------------------------- Range


@pytest.mark.parametrize("rng,status,body,content_range", [
    ("bytes=0-3", 206, b"0123", "bytes 0-3/10"),
    ("bytes=5-", 206, b"56789", "bytes 5-9/10"),
    ("bytes=-3", 206, b"789", "bytes 7-9/10"),
    ("bytes=8-100", 206, b"89", "bytes 8-9/10"),
])
def test_range_get_is_206_with_content_range(client, unique, rng, status, body, content_range):
    client.PUT(f"{unique}/r", b"0123456789")
    r = client.GET(f"{unique}/r", headers={"Range": rng})
    assert (r.status, r.body, r.header("Content-Range")) == (status, body, content_range)


@pytest.mark.parametrize("rng", ["bytes=10-", "bytes=20-30", "bytes=-0"])
def test_unsatisfiable_range_is_416(client, unique, rng):
    client.PUT(f"{unique}/r", b"0123456789")
    assert client.GET(f"{unique}/r", headers={"Range": rng}).status == 416


# ---------------------------------------------------------------- versions


def test_versioning_keeps_versions_and_lists_them(versioned, unique):
    v1 = versioned.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
    v2 = versioned.PUT(f"{unique}/v", b"two").header("X-HCP-VersionId")
    assert int(v2) > int(v1)
    assert versioned.GET(f"{unique}/v").body == b"two"
    assert versioned.GET(f"{unique}/v?version={v1}").body == b"one"
    r = versioned.GET(f"{unique}/v?version=list")
    assert r.status == 200
    root = ET.fromstring(r.body)
    assert root.tag == "versions"
    assert [e.get("version") for e in root.iter("entry")] == [v1, v2]


def test_delete_with_versioning_leaves_a_marker(versioned, unique):
    v1 = versioned.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
    assert versioned.DELETE(f"{unique}/v").status == 200
    assert versioned.GET(f"{unique}/v").status == 404
    assert versioned.GET(f"{unique}/v?version={v1}").body == b"one"
    listed = ET.fromstring(versioned.GET(f"{unique}/v?version=list&deleted=true").body)
    assert [e.get("state") for e in listed.iter("entry")] == ["created", "deleted"]


def test_purge_removes_every_version(versioned, unique):
    v1 = versioned.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
    versioned.PUT(f"{unique}/v", b"two")
    assert versioned.DELETE(f"{unique}/v?purge=true").status == 200
    assert versioned.GET(f"{unique}/v?version={v1}").status == 404


def test_delete_one_old_version(versioned, unique):
    v1 = versioned.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
    v2 = versioned.PUT(f"{unique}/v", b"two").header("X-HCP-VersionId")
    assert versioned.DELETE(f"{unique}/v?version={v1}").status == 200
    assert versioned.GET(f"{unique}/v?version={v1}").status == 404
    assert versioned.GET(f"{unique}/v").body == b"two"
    listed = ET.fromstring(versioned.GET(f"{unique}/v?version=list").body)
    assert [e.get("version") for e in listed.iter("entry")] == [v2]
    r = versioned.DELETE(f"{unique}/v?version={v2}")
    assert r.status == 400 and "current version" in r.header("X-HCP-ErrorMessage")
    assert versioned.DELETE(f"{unique}/v?version=12345").status == 404
    assert versioned.DELETE(f"{unique}/v?version=abc").status == 400
    r = versioned.DELETE(f"{unique}/v?version={v2}&purge=true")
    assert r.status == 400 and "combined" in r.header("X-HCP-ErrorMessage")


def test_deleting_the_last_data_version_behind_a_marker_removes_the_object(versioned, unique):
    v1 = versioned.PUT(f"{unique}/gone", b"one").header("X-HCP-VersionId")
    assert versioned.DELETE(f"{unique}/gone").status == 200     # leaves a delete marker
    assert versioned.DELETE(f"{unique}/gone?version={v1}").status == 200
    assert versioned.GET(f"{unique}/gone?version=list&deleted=true").status == 404
    listing = ET.fromstring(versioned.GET(f"{unique}?deleted=true").body)
    assert "gone" not in [e.get("urlName") for e in listing.iter("entry")]


def test_deleting_an_old_version_needs_purge_permission(hcp, unique):
    tenant = hcp.system.tenants["m"]
    tenant.add_user("deleter", "deleter01", {"n2": ["read", "write", "delete", "browse"]})
    try:
        with Client(hcp, host=N2, auth=("deleter", "deleter01")) as c:
            v1 = c.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
            c.PUT(f"{unique}/v", b"two")
            r = c.DELETE(f"{unique}/v?version={v1}")
            assert r.status == 403 and "purge" in r.header("X-HCP-ErrorMessage")
            assert c.GET(f"{unique}/v?version={v1}").body == b"one"
    finally:
        del tenant.users["deleter"]


def test_old_version_on_hold_or_under_retention(hcp, versioned, unique):
    v1 = versioned.PUT(f"{unique}/v", b"one").header("X-HCP-VersionId")
    versioned.PUT(f"{unique}/v", b"two")
    old = hcp.system.namespace("m", "n2").store.version(f"{unique}/v"[6:], int(v1))
    old.hold = True   # an old version keeps the hold/retention it had when it was current
    r = versioned.DELETE(f"{unique}/v?version={v1}&privileged=true&reason=gdpr")
    assert r.status == 403 and "hold" in r.header("X-HCP-ErrorMessage")
    old.hold, old.retention = False, -1   # deletion prohibited
    r = versioned.DELETE(f"{unique}/v?version={v1}")
    assert r.status == 403 and "retention" in r.header("X-HCP-ErrorMessage")
    assert versioned.DELETE(f"{unique}/v?version={v1}&privileged=true").status == 400  # no reason
    assert versioned.DELETE(f"{unique}/v?version={v1}&privileged=true&reason=gdpr").status == 200
    assert versioned.GET(f"{unique}/v?version={v1}").status == 404


def test_version_list_without_versioning_is_400(client, unique):
    client.PUT(f"{unique}/v", b"one")
    assert client.GET(f"{unique}/v?version=list").status == 400


# ---------------------------------------------------------------- annotations

ANNOTATION = b"<meta><a>1</a></meta>"


def test_annotation_put_get_and_headers(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.PUT(f"{unique}/o?type=custom-metadata&annotation=extra", ANNOTATION).status == 201
    r = client.GET(f"{unique}/o?type=custom-metadata&annotation=extra")
    assert r.status == 200
    assert r.body == ANNOTATION
    assert r.header("Content-Type") == "text/xml"
    assert r.header("X-HCP-Size") == str(len(ANNOTATION))
    head = client.HEAD(f"{unique}/o")
    assert head.header("X-HCP-Custom-Metadata") == "true"
    assert head.header("X-HCP-CustomMetadataAnnotations") == f"extra;{len(ANNOTATION)}"


def test_annotation_default_name_and_absent_annotation_is_204(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.GET(f"{unique}/o?type=custom-metadata").status == 204
    client.PUT(f"{unique}/o?type=custom-metadata", ANNOTATION)
    assert client.GET(f"{unique}/o?type=custom-metadata&annotation=default").body == ANNOTATION


def test_annotation_of_missing_object_is_404(client, unique):
    assert client.GET(f"{unique}/none?type=custom-metadata").status == 404
    assert client.PUT(f"{unique}/none?type=custom-metadata", ANNOTATION).status == 404


def test_custom_metadata_info_lists_annotations(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.GET(f"{unique}/o?type=custom-metadata-info").status == 204
    client.PUT(f"{unique}/o?type=custom-metadata&annotation=a1", ANNOTATION)
    client.PUT(f"{unique}/o?type=custom-metadata&annotation=a2", ANNOTATION)
    root = ET.fromstring(client.GET(f"{unique}/o?type=custom-metadata-info").body)
    assert [a.findtext("name") for a in root.iter("annotation")] == ["a1", "a2"]
    assert root.find("annotation/hash").text.startswith("SHA-256 ")


def test_eleventh_annotation_is_400(client, unique):
    client.PUT(f"{unique}/o", b"1")
    for i in range(10):
        assert client.PUT(f"{unique}/o?type=custom-metadata&annotation=a{i}", ANNOTATION).status == 201
    assert client.PUT(f"{unique}/o?type=custom-metadata&annotation=a10", ANNOTATION).status == 400


def test_non_default_annotation_over_1mb_is_413(client, unique):
    client.PUT(f"{unique}/o", b"1")
    r = client.PUT(f"{unique}/o?type=custom-metadata&annotation=big", b"x" * (1024 * 1024 + 1))
    assert r.status == 413


def test_annotation_delete(client, unique):
    client.PUT(f"{unique}/o", b"1")
    client.PUT(f"{unique}/o?type=custom-metadata&annotation=a", ANNOTATION)
    assert client.DELETE(f"{unique}/o?type=custom-metadata&annotation=a").status == 200
    assert client.GET(f"{unique}/o?type=custom-metadata&annotation=a").status == 204
    assert client.HEAD(f"{unique}/o").header("X-HCP-Custom-Metadata") == "false"


# ---------------------------------------------------------------- ACL

ACL_XML = (b"<accessControlList><grant><grantee><type>user</type><name>n</name></grantee>"
           b"<permissions><permission>READ</permission><permission>WRITE</permission>"
           b"</permissions></grant></accessControlList>")


def test_acl_put_get_delete_xml(client, unique):
    client.PUT(f"{unique}/o", b"1")
    r = client.PUT(f"{unique}/o?type=acl", ACL_XML, headers={"Content-Type": "application/xml"})
    assert r.status == 201
    assert client.HEAD(f"{unique}/o").header("X-HCP-ACL") == "true"
    root = ET.fromstring(client.GET(f"{unique}/o?type=acl").body)
    assert root.findtext("grant/grantee/name") == "n"
    assert [p.text for p in root.iter("permission")] == ["READ", "WRITE"]
    assert client.DELETE(f"{unique}/o?type=acl").status == 200
    assert client.HEAD(f"{unique}/o").header("X-HCP-ACL") == "false"


def test_acl_json_round_trip(client, unique):
    client.PUT(f"{unique}/o", b"1")
    body = {"grant": [{"grantee": {"type": "group", "name": "all_users"},
                       "permissions": {"permission": ["READ"]}}]}
    r = client.PUT(f"{unique}/o?type=acl", json.dumps(body).encode(),
                   headers={"Content-Type": "application/json"})
    assert r.status == 201
    got = json.loads(client.GET(f"{unique}/o?type=acl", headers={"Accept": "application/json"}).body)
    assert got["grant"][0]["grantee"]["name"] == "all_users"


def test_acl_with_other_content_type_is_415_and_bad_body_400(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.PUT(f"{unique}/o?type=acl", b"x", headers={"Content-Type": "text/plain"}).status == 415
    xml = {"Content-Type": "application/xml"}
    assert client.PUT(f"{unique}/o?type=acl", b"<oops", headers=xml).status == 400


def test_predefined_acl_on_put(client, unique):
    client.PUT(f"{unique}/o?acl=all_read", b"1")
    assert client.HEAD(f"{unique}/o").header("X-HCP-ACL") == "true"


# ---------------------------------------------------------------- POST metadata


def test_post_index_param_is_200_and_changes_metadata(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.POST(f"{unique}/o?index=false").status == 200
    assert client.HEAD(f"{unique}/o").header("X-HCP-Index") == "false"


def test_post_form_body_changes_metadata(client, unique):
    client.PUT(f"{unique}/o", b"1")
    r = client.POST(f"{unique}/o", b"shred=true&owner=",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200
    head = client.HEAD(f"{unique}/o")
    assert (head.header("X-HCP-Shred"), head.header("X-HCP-Owner")) == ("true", "")


def test_post_shred_true_to_false_is_400(client, unique):
    client.PUT(f"{unique}/o?shred=true", b"1")
    r = client.POST(f"{unique}/o?shred=false")
    assert r.status == 400
    assert "shred" in r.header("X-HCP-ErrorMessage")


def test_post_retention_and_hold_together_is_400(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.POST(f"{unique}/o?retention=A%2B1d&hold=true").status == 400


def test_post_on_missing_object_is_404(client, unique):
    assert client.POST(f"{unique}/none?index=true").status == 404


def test_object_acl_grants_read_to_a_user_without_namespace_read(hcp, client, unique):
    tenant = hcp.system.tenants["m"]
    tenant.add_user("guest", "guest01", {"n1": ["browse"]})
    try:
        client.PUT(f"{unique}/shared", b"s")
        client.PUT(f"{unique}/private", b"p")
        grant = (b"<accessControlList><grant><grantee><type>user</type><name>guest</name>"
                 b"</grantee><permissions><permission>READ</permission></permissions></grant>"
                 b"</accessControlList>")
        client.PUT(f"{unique}/shared?type=acl", grant, headers={"Content-Type": "application/xml"})
        with Client(hcp, auth=("guest", "guest01")) as guest:
            assert guest.GET(f"{unique}/shared").body == b"s"
            assert guest.GET(f"{unique}/private").status == 403
            assert guest.DELETE(f"{unique}/shared").status == 403
    finally:
        del tenant.users["guest"]
