"""Transparent paging: every match exactly once, within HCP's offset and count limits."""
from __future__ import annotations

import collections

import pytest
from query_support import store

import hcpsdk.query.search
from hcpsdk.query import QueryLimitError, Search, prop

BULK = 25_000
IN_BULK = prop("namespace").eq("bulk.m")


@pytest.fixture(scope="module")
def bulk(mqe):
    """25,000 objects in namespace bulk, stored through the emulator's Python API."""
    s = store(mqe, "bulk")
    if not s.objects:
        for i in range(BULK):
            s.put_bytes(f"d{i % 50:02d}/obj-{i:05d}", b"")
    return {f"https://bulk.m.mqe.example.com/rest/d{i % 50:02d}/obj-{i:05d}" for i in range(BULK)}


@pytest.mark.parametrize("fmt, page_size", [("json", 1000), ("xml", 2500), ("json", 10_000)])
def test_paging_over_25000_matches_returns_each_exactly_once(bulk, mqe, tenant_target, fmt,
                                                             page_size):
    before = len(mqe.requests)
    with Search(tenant_target, fmt=fmt) as search:
        results = search.objects(IN_BULK, page_size=page_size)
        urls = [r.url_name for r in results]
    assert results.total == BULK
    duplicates = [u for u, n in collections.Counter(urls).items() if n > 1]
    assert not duplicates and set(urls) == bulk
    assert len(mqe.requests) - before == -(-BULK // page_size)


def test_limit_stops_early_and_asks_only_for_what_it_needs(bulk, mqe, tenant_target):
    before = len(mqe.requests)
    with Search(tenant_target) as search:
        got = list(search.objects(IN_BULK, page_size=1000, limit=1500, sort=["utf8Name"]))
    assert [r.url_name.rpartition("/")[2] for r in got] == [f"obj-{i:05d}" for i in range(1500)]
    assert len(mqe.requests) - before == 2


def test_more_matches_than_offset_paging_reaches_raise_query_limit_error(bulk, tenant_target,
                                                                         monkeypatch):
    # HCP's offset limit is 100,000; a smaller one here shows the behaviour at 25,000 objects
    monkeypatch.setattr(hcpsdk.query.search, "MAX_OFFSET", 10_000)
    seen = 0
    with Search(tenant_target) as search, pytest.raises(QueryLimitError, match="range criterion"):
        for _ in search.objects(IN_BULK, page_size=5000):
            seen += 1
    assert seen == 15_000
