"""Conditional requests: the headers sent, and 304/412 surfaced as their own errors."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import hcpsdk
from hcpsdk import objects


def test_the_condition_headers_are_sent_as_http_wants_them(connection, hcp_emulator, tree, put):
    put(connection, f"{tree}/o")
    etag = objects.stat(connection, f"{tree}/o").etag.strip('"')
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    objects.stat(connection, f"{tree}/o", if_match=["abc", f'"{etag}"', 'W/"g"', etag],
                 if_unmodified_since=moment)
    headers = hcp_emulator.requests[-1].headers
    assert headers["if-match"] == f'"abc", "{etag}", W/"g", "{etag}"'
    assert headers["if-unmodified-since"] == moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
    objects.stat(connection, f"{tree}/o", if_modified_since=1709632931)
    assert hcp_emulator.requests[-1].headers["if-modified-since"] == (
        "Tue, 05 Mar 2024 10:02:11 GMT")


@pytest.mark.parametrize("kwargs, error", [
    ({"if_match": ""}, hcpsdk.HcpsdkArgumentError),
    ({"if_match": 5}, hcpsdk.HcpsdkTypeError),
    ({"if_none_match": ["a\r\nX: y"]}, hcpsdk.HcpsdkArgumentError),
    ({"if_modified_since": datetime(2024, 1, 1)}, hcpsdk.HcpsdkArgumentError),
    ({"if_unmodified_since": "yesterday"}, hcpsdk.HcpsdkTypeError),
])
def test_conditions_are_checked_before_sending(connection, tree, put, kwargs, error):
    put(connection, f"{tree}/o")
    if error is None:
        objects.stat(connection, f"{tree}/o", **kwargs)
        return
    with pytest.raises(error):
        objects.stat(connection, f"{tree}/o", **kwargs)


def test_if_none_match_with_the_current_etag_is_not_modified(connection, tree, put):
    put(connection, f"{tree}/o")
    etag = objects.stat(connection, f"{tree}/o").etag
    with pytest.raises(hcpsdk.HcpsdkNotModifiedError) as caught:
        objects.get(connection, f"{tree}/o", if_none_match=etag)
    assert caught.value.status == 304


def test_if_match_with_another_etag_fails_the_precondition(connection, tree, put):
    put(connection, f"{tree}/o")
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError) as caught:
        objects.stat(connection, f"{tree}/o", if_match="0123")
    assert caught.value.status == 412


def test_if_modified_since_a_later_time_is_not_modified(connection, tree, put):
    put(connection, f"{tree}/o")
    with pytest.raises(hcpsdk.HcpsdkNotModifiedError):
        objects.stat(connection, f"{tree}/o",
                     if_modified_since=datetime.now(UTC) + timedelta(hours=1))


def test_create_only_put_of_an_existing_object_fails_the_precondition(connection, tree, put):
    put(connection, f"{tree}/o")
    with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError):
        objects.put(connection, f"{tree}/o", b"again", if_none_match="*")


def test_conditions_that_hold_let_the_request_through(connection, tree, put):
    put(connection, f"{tree}/o", b"data")
    info = objects.stat(connection, f"{tree}/o")
    assert objects.get(connection, f"{tree}/o", if_match=info.etag) == b"data"
    assert objects.stat(connection, f"{tree}/o", if_none_match='"other"').size == 4
    objects.put(connection, f"{tree}/new", b"x", if_none_match="*")
