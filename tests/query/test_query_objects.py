"""Object queries find exactly what was stored: by name, size, ingest time, retention,
annotations; with sort, facets, verbose properties; in JSON and in XML."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from query_support import put, store

from hcpsdk.query import ObjectRecord, QueryForbiddenError, Search, any_of, everything, prop

BASE = 1_700_000_000   # the ingest time of object 0; object i was ingested i days later
DAY = 86400
N = 20
RETENTION = {0: "0", 1: "-1", 2: "C+TAX", 3: "-2"}
IN_TIMES = prop("namespace").eq("times.m")


def name(i):
    return f"report-{i:02d}.pdf" if i % 2 == 0 else f"data-{i:02d}.csv"


@pytest.fixture(scope="module", autouse=True)
def catalog(mqe):
    """N objects in namespace times with known sizes, ingest times, retention, annotations."""
    s = store(mqe, "times")
    for i in range(N):
        path = f"docs/{name(i)}"
        v = put(mqe, "times", path, b"x" * (i * 100), retention=RETENTION[i % 4])
        v.ingest_time, v.ingest_ms = BASE + i * DAY, (BASE + i * DAY) * 1000
        if i % 3 == 0:
            s.put_annotation(path, "default", b"<doc><dept>Finance</dept></doc>")
        if i % 5 == 0:
            s.put_annotation(path, "extra", b"<x/>")


def names(results):
    return {r.utf8_name or r.url_name.rpartition("/")[2] for r in results}


def expected(pred):
    return {name(i) for i in range(N) if pred(i)}


def find(search, expr, **kw):
    return names(search.objects(IN_TIMES & expr, properties=["utf8Name"], **kw))


def test_name_patterns_find_exactly_the_matching_names(search):
    assert find(search, prop("utf8Name").like("report-*.pdf")) == expected(lambda i: i % 2 == 0)
    assert find(search, prop("utf8Name").like("data-1?.csv")) == expected(lambda i: i % 2 and i >= 10)
    assert find(search, prop("objectPath").startswith("/docs/report-1")) == \
        expected(lambda i: i % 2 == 0 and i >= 10)
    assert find(search, prop("utf8Name").eq("data-07.csv")) == {"data-07.csv"}
    assert find(search, prop("utf8Name").like("report-*.csv")) == set()


def test_size_ranges_inclusive_exclusive_and_open(search):
    assert find(search, prop("size").between(500, 1200)) == expected(lambda i: 5 <= i <= 12)
    assert find(search, prop("size").between(500, 1200, inclusive=False)) == \
        expected(lambda i: 5 < i < 12)
    assert find(search, prop("size").at_least(1500)) == expected(lambda i: i >= 15)
    assert find(search, prop("size").at_most(200)) == expected(lambda i: i <= 2)


def test_ingest_time_ranges_by_seconds_and_by_datetime(search):
    start = datetime.fromtimestamp(BASE + 3 * DAY, UTC)
    end = datetime.fromtimestamp(BASE + 7 * DAY, UTC)
    assert find(search, prop("ingestTime").between(start, end)) == expected(lambda i: 3 <= i <= 7)
    assert find(search, prop("ingestTime").between(BASE + 10 * DAY, BASE + 10 * DAY)) == \
        {name(10)}
    assert find(search, prop("ingestTime").at_most(BASE - 1)) == set()


def test_retention_values_and_classes(search):
    assert find(search, prop("retention").eq(-1)) == expected(lambda i: i % 4 == 1)
    assert find(search, prop("retention").eq(-2)) == expected(lambda i: i % 4 == 3)
    assert find(search, prop("retentionClass").eq("TAX")) == expected(lambda i: i % 4 == 2)
    assert find(search, prop("retentionString").eq("Deletion Allowed")) == \
        expected(lambda i: i % 4 == 0)


def test_annotation_presence_names_and_content(search):
    assert find(search, prop("customMetadata").eq(True)) == \
        expected(lambda i: i % 3 == 0 or i % 5 == 0)
    assert find(search, prop("customMetadataAnnotation").eq("extra")) == \
        expected(lambda i: i % 5 == 0)
    assert find(search, ~prop("customMetadata").eq(True)) == \
        expected(lambda i: i % 3 and i % 5)
    assert find(search, prop("customMetadataContent").eq("finance")) == \
        expected(lambda i: i % 3 == 0)


def test_any_of_and_negation_combine(search):
    expr = any_of(prop("size").eq(0), prop("size").eq(1900)) & ~prop("hold").eq(True)
    assert find(search, expr) == {name(0), name(19)}
    assert find(search, prop("size").one_of(100, 300, 12345)) == {name(1), name(3)}


def test_sort_orders_the_results(search):
    got = [r.size for r in search.objects(IN_TIMES, properties=["size"], sort=[("size", "desc")])]
    assert got == sorted((i * 100 for i in range(N)), reverse=True)
    got = [r.utf8_name for r in search.objects(IN_TIMES & prop("size").at_most(300),
                                               properties=["utf8Name"], sort=["utf8Name"])]
    assert got == sorted(name(i) for i in range(4))


def test_verbose_records_are_typed(search):
    (rec,) = search.objects(IN_TIMES & prop("utf8Name").eq(name(10)), verbose=True)
    assert isinstance(rec, ObjectRecord)
    assert (rec.size, rec.ingest_time, rec.retention_class) == (1000, BASE + 10 * DAY, "TAX")
    assert rec.hold is False and rec.index is True and rec.custom_metadata is True
    assert rec.custom_metadata_annotation == ("extra",)
    assert rec.namespace == "times.m" and rec.object_path == f"/docs/{name(10)}"
    assert rec.operation == "CREATED" and rec.version > 0 and rec.change_time > BASE
    assert rec.url_name == f"https://times.m.mqe.example.com/rest/docs/{name(10)}"
    assert rec.properties["hashScheme"] == "SHA-256"


def test_without_properties_only_the_four_come_back(search):
    (rec,) = search.objects(IN_TIMES & prop("utf8Name").eq(name(4)))
    assert set(rec.properties) == {"urlName", "version", "operation", "changeTimeMilliseconds"}
    assert rec.size is None


def test_count_facets_and_total(search):
    assert search.count(IN_TIMES) == N
    facets = search.facets(IN_TIMES, ["hold", "retentionClass", "retention", "namespace"])
    assert facets["hold"] == {"false": N}
    assert facets["retentionClass"] == {"TAX": N // 4}
    assert facets["namespace"] == {"times.m": N}
    assert facets["retention"] == {"expired": N // 4, "neverDeletable": N // 4,
                                   "initialUnspecified": N // 4, "not expired": N // 4}
    results = search.objects(IN_TIMES, page_size=7)
    assert results.total is None
    assert len(list(results)) == N and results.total == N


def test_search_disabled_namespaces_and_unindexed_objects_are_not_found(mqe, search):
    put(mqe, "quiet", "secret.txt", b"q")
    put(mqe, "unindexed", "plain.txt", b"u")
    put(mqe, "unindexed", "indexed.txt", b"i", index=True)
    put(mqe, "n1", "noindex.txt", b"n", index=False)
    everywhere = names(search.objects(everything(), properties=["utf8Name"]))
    assert {"indexed.txt"} <= everywhere
    assert not {"secret.txt", "plain.txt", "noindex.txt"} & everywhere
    assert search.count(prop("namespace").eq("quiet.m")) == 0


def test_a_user_without_search_permission_is_refused(mqe):
    from query_support import target_as

    with Search(target_as(mqe, "m.mqe.example.com", "blind", "blind01")) as search:
        with pytest.raises(QueryForbiddenError) as info:
            search.count(everything())
    assert info.value.status == 403 and "search" in info.value.hcp_message


def test_tenant_queries_see_their_tenant_only_system_queries_see_all(mqe, tenant_target,
                                                                    admin_target):
    put(mqe, "x", "other-tenant.txt", b"t2", tenant="t2")
    pattern = prop("utf8Name").eq("other-tenant.txt")
    with Search(tenant_target) as search:
        assert search.count(pattern) == 0
    with Search(admin_target) as search:
        (rec,) = search.objects(pattern, properties=["namespace"])
    assert rec.namespace == "x.t2"


def test_system_queries_need_https(mqe):
    from query_support import target_as

    target = target_as(mqe, mqe.admin_fqdn, "service", "service01", port=mqe.http_port, tls=False)
    with Search(target) as search, pytest.raises(QueryForbiddenError, match="HTTPS"):
        search.count(everything())
