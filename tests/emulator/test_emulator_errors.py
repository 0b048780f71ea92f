"""The emulator's internal exceptions belong to hcpsdk's one exception tree and still carry
what the request handling needs (status and HCP's error message) to answer over the wire."""
from __future__ import annotations

import pytest

from hcpsdk.emulator import retention
from hcpsdk.emulator.errors import RequestRefused, error_reply
from hcpsdk.emulator.http11 import Abort, HeadTooLarge
from hcpsdk.emulator.mapi_format import MapiError
from hcpsdk.emulator.store import StoreError
from hcpsdk.exceptions import HcpsdkError


def test_store_and_mapi_refuse_with_the_one_error_class():
    assert StoreError is MapiError is RequestRefused


def test_request_refused_keeps_status_and_message_and_answers_with_them():
    exc = RequestRefused(409, "object exists")
    assert isinstance(exc, HcpsdkError)
    assert (exc.status, exc.message) == (409, "object exists")
    assert str(exc) == exc.reason == "HTTP 409: object exists"
    reply = exc.reply()
    assert (reply.status, reply.headers, reply.body) == (
        409, [("X-HCP-ErrorMessage", "object exists")], b"")


def test_error_reply_keeps_the_message_a_valid_header_value():
    reply = error_reply(400, "two\r\nlines and \u20ac")
    assert reply.headers == [("X-HCP-ErrorMessage", "two lines and ?")]


def test_retention_error_is_also_a_value_error():
    with pytest.raises(retention.RetentionError) as info:
        retention.parse("A+1q", ingest=0)
    assert isinstance(info.value, HcpsdkError) and isinstance(info.value, ValueError)
    assert str(info.value) == info.value.reason and "A+1q" in info.value.reason


def test_abort_and_head_too_large():
    assert issubclass(HeadTooLarge, Abort) and issubclass(Abort, HcpsdkError)
    assert HeadTooLarge("too large").reason == "too large"


def test_store_error_answers_with_the_bare_message(client, unique):
    """The X-HCP-ErrorMessage of an answer is the message, not the exception's reason."""
    assert client.PUT(f"{unique}/o", b"1").status == 201
    r = client.PUT(f"{unique}/o", b"2")
    assert r.status == 409
    message = r.header("X-HCP-ErrorMessage")
    assert message and not message.startswith("HTTP ")


def test_retention_error_becomes_a_400(client, unique):
    r = client.PUT(f"{unique}/o?retention=A%2B1q", b"1")
    assert r.status == 400
    assert "A+1q" in r.header("X-HCP-ErrorMessage")

