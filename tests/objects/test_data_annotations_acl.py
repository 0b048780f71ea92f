"""objects.put/get, whole-object, annotations and ACLs against the emulator."""
from __future__ import annotations

import hashlib

import pytest

import hcpsdk
from hcpsdk import objects
from hcpsdk.objects import Grant


def test_put_and_get_round_trip(connection, tree):
    stored = objects.put(connection, f"{tree}/a é.txt", b"some data")
    assert stored.hash_value == hashlib.sha256(b"some data").hexdigest().upper()
    assert stored.version_id == objects.stat(connection, f"{tree}/a é.txt").version_id
    assert objects.get(connection, f"{tree}/a é.txt") == b"some data"


def test_put_sets_system_metadata_at_ingest(connection, tree):
    objects.put(connection, f"{tree}/o", b"x", retention="A+1d", index=False, shred=True,
                acl="all_read")
    info = objects.stat(connection, f"{tree}/o")
    assert info.retention > 0 and not info.index and info.shred and info.has_acl
    assert objects.get_acl(connection, f"{tree}/o") == [Grant("all_users", "group", ("READ",))]


def test_put_with_labeled_holds_and_hold(connection, tree):
    objects.put(connection, f"{tree}/o", b"x", labeled_holds={"L": True})
    objects.put(connection, f"{tree}/p", b"x", hold=True)
    assert objects.stat(connection, f"{tree}/o").labeled_holds == ("L",)
    assert objects.stat(connection, f"{tree}/p").hold


def test_put_onto_an_existing_object_without_versioning_is_refused(n1, tree):
    objects.put(n1, f"{tree}/o", b"x")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.put(n1, f"{tree}/o", b"y")
    assert caught.value.status == 409 and caught.value.hcp_message


def test_put_checks_acl_shorthand(connection):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="acl"):
        objects.put(connection, "/rest/x", b"x", acl="everybody")


def test_get_of_an_old_version(connection, tree):
    first = objects.put(connection, f"{tree}/o", b"first").version_id
    objects.put(connection, f"{tree}/o", b"second")
    assert objects.get(connection, f"{tree}/o", version=first) == b"first"
    assert objects.get(connection, f"{tree}/o") == b"second"


def test_get_missing_is_not_found(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.get(connection, f"{tree}/none")
    assert objects.put(connection, f"{tree}/after", b"ok").path  # Connection still usable


def test_put_whole_stores_data_and_annotation(connection, tree):
    objects.put_whole(connection, f"{tree}/w", b"the data", b"<meta/>", name="extra")
    assert objects.get(connection, f"{tree}/w") == b"the data"
    assert objects.get_annotation(connection, f"{tree}/w", "extra") == b"<meta/>"


@pytest.mark.parametrize("first", [False, True])
def test_get_whole_splits_data_and_annotation(connection, tree, first):
    objects.put(connection, f"{tree}/w", b"0123456789")
    objects.put_annotation(connection, f"{tree}/w", b"<a>1</a>")
    assert objects.get_whole(connection, f"{tree}/w", annotation_first=first) == (
        b"0123456789", b"<a>1</a>")


def test_get_whole_without_that_annotation_is_not_found(connection, tree):
    objects.put(connection, f"{tree}/w", b"x")
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.get_whole(connection, f"{tree}/w", name="none")


def test_annotations_list_get_put_delete(connection, tree):
    objects.put(connection, f"{tree}/o", b"x")
    assert objects.list_annotations(connection, f"{tree}/o") == []
    objects.put_annotation(connection, f"{tree}/o", b"<d/>")
    objects.put_annotation(connection, f"{tree}/o", "<é/>", name="second")
    listed = objects.list_annotations(connection, f"{tree}/o")
    assert [(a.name, a.size) for a in listed] == [("default", 4), ("second", 5)]
    assert listed[0].hash_scheme == "SHA-256"
    assert listed[0].hash_value == hashlib.sha256(b"<d/>").hexdigest().upper()
    assert listed[0].change_time is not None and listed[0].content_type
    assert objects.get_annotation(connection, f"{tree}/o") == b"<d/>"
    assert objects.get_annotation(connection, f"{tree}/o", "second") == "<é/>".encode()
    objects.delete_annotation(connection, f"{tree}/o", "second")
    assert [a.name for a in objects.list_annotations(connection, f"{tree}/o")] == ["default"]


def test_a_missing_annotation_is_not_found(connection, tree):
    objects.put(connection, f"{tree}/o", b"x")
    with pytest.raises(hcpsdk.HcpsdkNotFoundError) as caught:
        objects.get_annotation(connection, f"{tree}/o", "nope")
    assert caught.value.status == 204
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.delete_annotation(connection, f"{tree}/o", "nope")


def test_annotation_of_an_old_version(connection, tree):
    first = objects.put(connection, f"{tree}/o", b"1").version_id
    objects.put_annotation(connection, f"{tree}/o", b"<v1/>")
    objects.put(connection, f"{tree}/o", b"2")
    assert objects.get_annotation(connection, f"{tree}/o", version=first) == b"<v1/>"
    assert [a.name for a in objects.list_annotations(connection, f"{tree}/o", version=first)] == [
        "default"]


def test_annotation_names_are_checked(connection):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="name"):
        objects.get_annotation(connection, "/rest/x", "a&b")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="data"):
        objects.put_annotation(connection, "/rest/x", {"a": 1})


@pytest.mark.parametrize("as_json", [False, True])
def test_acl_set_get_delete(connection, tree, as_json):
    objects.put(connection, f"{tree}/o", b"x")
    assert objects.get_acl(connection, f"{tree}/o", as_json=as_json) == []
    grants = [Grant("n", "user", ("READ", "WRITE")), Grant("authenticated", "group", ("READ",))]
    objects.set_acl(connection, f"{tree}/o", grants, as_json=as_json)
    assert objects.get_acl(connection, f"{tree}/o", as_json=as_json) == grants
    assert objects.get_acl(connection, f"{tree}/o", as_json=not as_json) == grants
    assert objects.stat(connection, f"{tree}/o").has_acl
    objects.delete_acl(connection, f"{tree}/o")
    assert objects.get_acl(connection, f"{tree}/o") == []


def test_acl_sent_as_json_has_the_json_content_type(connection, hcp_emulator, tree):
    objects.put(connection, f"{tree}/o", b"x")
    objects.set_acl(connection, f"{tree}/o", [Grant("n")], as_json=True)
    assert hcp_emulator.requests[-1].headers["content-type"] == "application/json"


@pytest.mark.parametrize("grants, error", [
    ("READ", hcpsdk.HcpsdkTypeError),
    ([("n", "READ")], hcpsdk.HcpsdkTypeError),
    ([Grant("n", "role")], hcpsdk.HcpsdkArgumentError),
    ([Grant("")], hcpsdk.HcpsdkArgumentError),
    ([Grant("n", "user", ("EXECUTE",))], hcpsdk.HcpsdkArgumentError),
    ([Grant("n", "user", "READ")], hcpsdk.HcpsdkArgumentError),
])
def test_acl_grants_are_checked_before_sending(connection, grants, error):
    with pytest.raises(error):
        objects.set_acl(connection, "/rest/x", grants)


# -- the emulator's whole-object PUT over raw http ------------------------------------------

def test_emulator_whole_object_put_over_raw_http(raw, tree):
    status, headers, _ = raw("PUT", f"{tree}/w", {"X-HCP-Size": "4"}, b"DATA<ann/>",
                             query="type=whole-object&annotation=a1")
    assert status == 201
    assert headers["X-HCP-Hash"] == "SHA-256 " + hashlib.sha256(b"DATA").hexdigest().upper()
    assert headers["X-HCP-CustomMetadataHash"] == (
        "SHA-256 " + hashlib.sha256(b"<ann/>").hexdigest().upper())
    assert raw("GET", f"{tree}/w")[2] == b"DATA"
    assert raw("GET", f"{tree}/w", query="type=custom-metadata&annotation=a1")[2] == b"<ann/>"


@pytest.mark.parametrize("headers", [{}, {"X-HCP-Size": "x"}, {"X-HCP-Size": "11"}])
def test_emulator_whole_object_put_needs_a_fitting_size(raw, tree, headers):
    status, reply, _ = raw("PUT", f"{tree}/w", headers, b"DATA<ann/>", query="type=whole-object")
    assert status == 400 and reply["X-HCP-ErrorMessage"]
    assert raw("HEAD", f"{tree}/w")[0] == 404
