"""Helpers of the replica tests (imported by their conftest and test modules)."""
from __future__ import annotations

from hcpsdk._retry import Retry

__all__ = ["TIMEOUT", "fast_retry", "requests_for", "assert_served"]

#: Connection timeout of the tests (seconds): long enough for loopback, short for stalls.
TIMEOUT = 1.0


def fast_retry(total: int = 3) -> Retry:
    """The default retry rules with millisecond backoff, so that tests stay fast."""
    return Retry(total, backoff_factor=0.001, backoff_max=0.01)


def requests_for(hcp, path: str, method: str | None = None) -> list:
    """The requests ``hcp`` served for ``path`` (optionally only those of ``method``)."""
    return [r for r in list(hcp.requests)
            if r.path == path and (method is None or r.method == method)]


def assert_served(conn, hcp, side: str) -> None:
    """The Connection says ``side`` served the last request, and the nodes it names are
    nodes of ``hcp`` (so the mark can't lie)."""
    assert conn.served_from == side
    assert conn.served_by and set(conn.served_by) <= set(hcp.addresses)
