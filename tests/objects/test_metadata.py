"""objects.set_metadata (POST) and labeled holds, through the client and over raw http."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

import hcpsdk
from hcpsdk import objects
from hcpsdk.objects.metadata import label_hold_param, retention_param


def test_retention_is_lengthened_and_shown(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", retention="A+10y")
    info = objects.stat(connection, f"{tree}/o")
    assert info.retention > datetime.now(UTC).timestamp() + 9 * 365 * 86400
    assert info.retention_class == ""


def test_retention_class_is_set(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", retention="C+TAX_DATA")
    assert objects.stat(connection, f"{tree}/o").retention_class == "TAX_DATA"


def test_retention_as_a_datetime(connection, tree, put):
    put(connection, f"{tree}/o")
    end = datetime(2100, 1, 2, 3, 4, 5, tzinfo=UTC)
    objects.set_metadata(connection, f"{tree}/o", retention=end)
    assert objects.stat(connection, f"{tree}/o").retention == int(end.timestamp())


def test_shortening_retention_is_refused_with_hcp_message(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", retention="A+10y")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.set_metadata(connection, f"{tree}/o", retention="A+1y")
    assert caught.value.status == 400 and caught.value.hcp_message
    assert caught.value.hcp_message in str(caught.value)


def test_hold_blocks_changes_and_deletes_until_released(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", hold=True)
    assert objects.stat(connection, f"{tree}/o").hold
    with pytest.raises(hcpsdk.HcpsdkRefusedError):
        objects.set_metadata(connection, f"{tree}/o", retention="A+1d")
    objects.set_metadata(connection, f"{tree}/o", hold=False)
    objects.set_metadata(connection, f"{tree}/o", retention="A+1d")


def test_retention_and_hold_in_one_request_is_refused(connection, tree, put):
    put(connection, f"{tree}/o")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.set_metadata(connection, f"{tree}/o", retention="A+1d", hold=True)
    assert caught.value.status == 400


def test_shred_index_and_owner(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", shred=True, index=False)
    info = objects.stat(connection, f"{tree}/o")
    assert info.shred and not info.index
    with pytest.raises(hcpsdk.HcpsdkRefusedError):
        objects.set_metadata(connection, f"{tree}/o", shred=False)
    objects.set_metadata(connection, f"{tree}/o", owner="")
    assert objects.stat(connection, f"{tree}/o").owner == ""


def test_labeled_holds_set_shown_and_released(connection, tree, put):
    put(connection, f"{tree}/o")
    objects.set_metadata(connection, f"{tree}/o", labeled_holds={"CASE-7": True, "CASE-9": True})
    assert objects.stat(connection, f"{tree}/o").labeled_holds == ("CASE-7", "CASE-9")
    with pytest.raises(hcpsdk.HcpsdkRefusedError) as caught:
        objects.set_metadata(connection, f"{tree}/o", index=False)
    assert caught.value.status == 400
    objects.set_metadata(connection, f"{tree}/o", labeled_holds={"CASE-7": False})
    assert objects.stat(connection, f"{tree}/o").labeled_holds == ("CASE-9",)
    assert connection.DELETE(f"{tree}/o").status == 403
    objects.set_metadata(connection, f"{tree}/o", labeled_holds={"CASE-9": False})
    info = objects.stat(connection, f"{tree}/o")
    assert info.labeled_holds == () and not info.hold
    assert connection.DELETE(f"{tree}/o").status == 200


def test_set_metadata_of_a_missing_object(connection, tree):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.set_metadata(connection, f"{tree}/none", index=True)


@pytest.mark.parametrize("kwargs, error", [
    ({}, hcpsdk.HcpsdkArgumentError),
    ({"hold": "yes"}, hcpsdk.HcpsdkTypeError),
    ({"retention": 1.5}, hcpsdk.HcpsdkTypeError),
    ({"retention": -3}, hcpsdk.HcpsdkArgumentError),
    ({"retention": datetime(2100, 1, 1)}, hcpsdk.HcpsdkArgumentError),
    ({"retention": "A+1y\r\nX: y"}, hcpsdk.HcpsdkArgumentError),
    ({"labeled_holds": ["CASE"]}, hcpsdk.HcpsdkTypeError),
    ({"labeled_holds": {}}, hcpsdk.HcpsdkArgumentError),
    ({"labeled_holds": {"x" * 65: True}}, hcpsdk.HcpsdkArgumentError),
    ({"labeled_holds": {"CASE": "true"}}, hcpsdk.HcpsdkTypeError),
    ({"owner": 5}, hcpsdk.HcpsdkTypeError),
])
def test_set_metadata_checks_arguments_before_sending(connection, hcp_emulator, kwargs, error):
    before = len(hcp_emulator.requests)
    with pytest.raises(error):
        objects.set_metadata(connection, "/rest/x", **kwargs)
    assert len(hcp_emulator.requests) == before


def test_parameter_values():
    assert retention_param("t", 0) == "0" and retention_param("t", -2) == "-2"
    assert retention_param("t", 4102444800) == "2100-01-01T00:00:00+0000"
    moment = datetime(2100, 1, 1, 1, tzinfo=UTC) + timedelta(0)
    assert retention_param("t", moment) == "2100-01-01T01:00:00+0000"
    assert json.loads(label_hold_param("t", {"A": True, "B": False})) == [
        {"id": "A", "hold": True}, {"id": "B", "hold": False}]


# -- the emulator's labeled holds over raw http ---------------------------------------------

@pytest.mark.parametrize("spelling", ["label_hold", "label-hold"])
def test_emulator_takes_both_spellings_and_answers_the_headers(raw, tree, spelling):
    value = quote(json.dumps([{"id": "L1", "hold": True}]))
    assert raw("PUT", f"{tree}/o", body=b"x", query=f"{spelling}={value}")[0] == 201
    status, headers, _ = raw("HEAD", f"{tree}/o")
    assert status == 200 and headers["X-HCP-LabelRetentionHold"] == "true"
    assert json.loads(headers["X-HCP-LabelRetentionHold-Labels"]) == [{"id": "L1", "hold": True}]
    assert raw("DELETE", f"{tree}/o")[0] == 403
    assert raw("PUT", f"{tree}/o", body=b"new version")[0] == 403
    release = quote(json.dumps([{"id": "L1", "hold": False}]))
    assert raw("POST", f"{tree}/o", body=f"{spelling}={release}".encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 200
    assert raw("HEAD", f"{tree}/o")[1]["X-HCP-LabelRetentionHold"] == "false"


@pytest.mark.parametrize("query", [
    "label_hold=notjson", "label_hold=%5B%5D", "label_hold=%5B%7B%22hold%22%3Atrue%7D%5D",
    "label_hold=%5B%7B%22id%22%3A%22a%22%7D%5D&label-hold=%5B%5D",
    "label_hold=%5B%7B%22id%22%3A%22a%22%2C%22hold%22%3A%22yes%22%7D%5D",
])
def test_emulator_refuses_malformed_labeled_holds(raw, tree, query):
    assert raw("PUT", f"{tree}/o", body=b"x")[0] == 201
    status, headers, _ = raw("POST", f"{tree}/o", query=query)
    assert status == 400 and headers["X-HCP-ErrorMessage"]


def test_emulator_caps_labeled_holds_at_100(raw, tree):
    assert raw("PUT", f"{tree}/o", body=b"x")[0] == 201
    many = quote(json.dumps([{"id": f"L{i}", "hold": True} for i in range(101)]))
    assert raw("POST", f"{tree}/o", query=f"label_hold={many}")[0] == 400
