"""The emulator's internal exceptions belong to hcpsdk's one exception tree and still carry
what the request handling needs (status and HCP's error message) to answer over the wire."""
from __future__ import annotations

import pytest

from hcpsdk.emulator import retention
from hcpsdk.emulator.http11 import Abort, HeadTooLarge
from hcpsdk.emulator.mapi_format import MapiError
from hcpsdk.emulator.store import StoreError
from hcpsdk.exceptions import HcpsdkError


@pytest.mark.parametrize("cls", [StoreError, MapiError])
def test_status_errors_keep_status_and_message(cls):
    exc = cls(409, "object exists")
    assert isinstance(exc, HcpsdkError)
    assert (exc.status, exc.message) == (409, "object exists")
    assert str(exc) == exc.reason == "HTTP 409: object exists"


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

