"""Retention, hold, privileged delete (a hold blocks even a privileged one) and the retention
expression rules."""
from __future__ import annotations

import time

import pytest

from hcpsdk.emulator import retention


def test_object_under_retention_cannot_be_deleted(client, unique):
    client.PUT(f"{unique}/o?retention=A%2B1y", b"1")
    head = client.HEAD(f"{unique}/o")
    assert int(head.header("X-HCP-Retention")) > time.time() + 300 * 86400
    assert head.header("X-HCP-RetentionString")[:2] == "20"
    r = client.DELETE(f"{unique}/o")
    assert r.status == 403
    assert "retention" in r.header("X-HCP-ErrorMessage")


def test_privileged_delete_removes_object_under_retention(client, unique):
    client.PUT(f"{unique}/o?retention=-1", b"1")
    assert client.HEAD(f"{unique}/o").header("X-HCP-RetentionString") == "Deletion Prohibited"
    assert client.DELETE(f"{unique}/o?privileged=true").status == 400  # reason missing
    assert client.DELETE(f"{unique}/o?privileged=true&reason=court%20order").status == 200


def test_hold_blocks_even_privileged_delete(client, unique):
    client.PUT(f"{unique}/o?hold=true", b"1")
    assert client.HEAD(f"{unique}/o").header("X-HCP-RetentionHold") == "true"
    assert client.DELETE(f"{unique}/o").status == 403
    assert client.DELETE(f"{unique}/o?privileged=true&reason=x").status == 403
    assert client.POST(f"{unique}/o?hold=false").status == 200
    assert client.DELETE(f"{unique}/o").status == 200


def test_retention_can_only_be_lengthened(client, unique):
    client.PUT(f"{unique}/o?retention=A%2B2d", b"1")
    assert client.POST(f"{unique}/o?retention=A%2B1d").status == 400
    assert client.POST(f"{unique}/o?retention=A%2B3d").status == 200


def test_retention_class_applies_and_cannot_become_explicit(client, unique):
    client.PUT(f"{unique}/o?retention=C%2BTAX_DATA", b"1")
    head = client.HEAD(f"{unique}/o")
    assert head.header("X-HCP-RetentionClass") == "TAX_DATA"
    assert int(head.header("X-HCP-Retention")) > time.time() + 9 * 365 * 86400
    assert client.POST(f"{unique}/o?retention=A%2B20y").status == 400


def test_invalid_retention_expression_is_400(client, unique):
    assert client.PUT(f"{unique}/o?retention=soon", b"1").status == 400
    assert client.PUT(f"{unique}/o?retention=C%2BNO_SUCH_CLASS", b"1").status == 400


def test_hold_needs_privileged_permission(hcp, unique):
    from emulator_support import Client
    tenant = hcp.system.tenants["m"]
    tenant.add_user("limited", "limited01", {"n1": ["read", "write", "browse", "delete"]})
    try:
        with Client(hcp, auth=("limited", "limited01")) as c:
            assert c.PUT(f"{unique}/o", b"1").status == 201
            assert c.PUT(f"{unique}/p?hold=true", b"1").status == 403
            assert c.POST(f"{unique}/o?hold=true").status == 403
            assert c.DELETE(f"{unique}/o?purge=true").status == 403
    finally:
        del tenant.users["limited"]


@pytest.mark.parametrize("expr,expected", [
    ("0", 0), ("-1", -1), ("-2", -2), ("1700000000", 1700000000),
    ("A+1d", 86400), ("A+1w-1d", 6 * 86400), ("A+1h+30m", 5400),
    ("2000-01-01T00:00:00+0000", 946684800),
])
def test_retention_expressions(expr, expected):
    value = retention.parse(expr, ingest=0).value
    assert value == expected


def test_retention_offsets_in_years_use_the_calendar():
    # 2024-02-29 + 1y -> 2025-02-28
    assert retention.parse("A+1y", ingest=1709164800).value == 1740700800


def test_retention_units_must_be_largest_first():
    with pytest.raises(retention.RetentionError):
        retention.parse("A+1d+1y", ingest=0)
