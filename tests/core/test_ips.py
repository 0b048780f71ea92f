"""hcpsdk.ips: query() never raises, DNS bypass with dnspython, system resolver, Circle."""
from __future__ import annotations

import threading
from collections import Counter

import dns.resolver
import pytest

from hcpsdk import ips


def test_query_bypasses_cache_with_the_given_resolver(hcp):
    answer = ips.query(hcp.fqdn, resolver=hcp.resolver())
    assert answer.raised == ""
    assert sorted(answer.ips) == sorted(hcp.addresses)
    assert answer.fqdn == hcp.fqdn and answer.cache is False


def test_default_resolver_is_looked_up_at_query_time(hcp):
    with hcp.use_as_default_resolver():
        answer = ips.query(hcp.fqdn)
    assert sorted(answer.ips) == sorted(hcp.addresses)


def test_query_reports_nxdomain_without_raising(hcp):
    answer = ips.query("nosuchtenant." + hcp.domain, resolver=hcp.resolver())
    assert answer.ips == []
    assert "NXDOMAIN" in answer.raised


def test_query_reports_servfail_without_raising(hcp, faults):
    faults.dns_fail()
    answer = ips.query(hcp.fqdn, resolver=hcp.resolver())
    assert answer.ips == [] and answer.raised.startswith("Err:")


@pytest.mark.parametrize("literal", ["127.0.0.1", "::1", "[::1]"])
@pytest.mark.parametrize("cache", [False, True])
def test_ip_literals_need_no_dns(mini_dns, literal, cache):
    server = mini_dns({})
    answer = ips.query(literal, cache=cache, resolver=server.resolver())
    assert answer.ips == [literal.strip("[]")] and answer.raised == ""
    assert server.queries == []


def test_system_resolver_resolves_localhost():
    answer = ips.query("localhost", cache=True)
    assert answer.raised == ""
    assert answer.ips and answer.ips[0] in ("127.0.0.1", "::1")
    assert answer.cache is True


def test_system_resolver_failure_is_reported():
    # fails inside the process: no query leaves the machine
    answer = ips.query("bad..name", cache=True)
    assert answer.ips == [] and answer.raised.startswith("Err:")


def test_request_object_carries_its_cache_flag():
    answer = ips.query(ips.Request("localhost", cache=True), cache=False)
    assert answer.cache is True and answer.ips


def test_aaaa_used_only_when_no_a_record_exists(mini_dns):
    server = mini_dns({"v6only.test": {"AAAA": ["::1"]},
                       "both.test": {"A": ["127.0.0.9"], "AAAA": ["::1"]}})
    assert ips.query("v6only.test", resolver=server.resolver()).ips == ["::1"]
    assert ips.query("both.test", resolver=server.resolver()).ips == ["127.0.0.9"]
    assert ("both.test", "AAAA") not in server.queries


def test_duplicates_removed_order_kept(mini_dns):
    server = mini_dns({"dup.test": {"A": ["127.0.0.3", "127.0.0.2", "127.0.0.3"]}})
    assert ips.query("dup.test", resolver=server.resolver()).ips == ["127.0.0.3", "127.0.0.2"]


def test_circle_round_robin_and_refresh(mini_dns):
    server = mini_dns({"rr.test": {"A": ["127.0.0.2", "127.0.0.3", "127.0.0.4"]}})
    circle = ips.Circle("rr.test", resolver=server.resolver())
    assert circle._addresses == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    assert [circle._addr() for _ in range(4)] == ["127.0.0.2", "127.0.0.3", "127.0.0.4",
                                                  "127.0.0.2"]
    server.records["rr.test"] = {"A": ["127.0.0.7"]}
    circle.refresh()
    assert circle._addresses == ["127.0.0.7"]
    assert circle._addr() == "127.0.0.7"
    assert "rr.test" in str(circle) and "rr.test" in repr(circle)


def test_circle_raises_ips_error_when_unresolvable(mini_dns):
    server = mini_dns({})
    with pytest.raises(ips.IpsError, match="nothere.test"):
        ips.Circle("nothere.test", resolver=server.resolver())


def test_circle_skips_failed_nodes_until_cooldown_ends(mini_dns):
    server = mini_dns({"cd.test": {"A": ["127.0.0.2", "127.0.0.3"]}})
    circle = ips.Circle("cd.test", resolver=server.resolver())
    circle.mark_failed("127.0.0.2", 60)
    assert {circle.next_address() for _ in range(4)} == {"127.0.0.3"}
    circle.mark_failed("127.0.0.3", 60)
    assert circle.all_cooling()
    assert circle.next_address() in ("127.0.0.2", "127.0.0.3")  # re-probe rather than nothing
    assert circle.next_address(exclude={"127.0.0.2", "127.0.0.3"}) is None
    circle.mark_ok("127.0.0.2")
    assert circle.next_address(exclude={"127.0.0.3"}) == "127.0.0.2"


def test_circle_is_thread_safe(mini_dns):
    addresses = [f"127.0.0.{i}" for i in range(2, 6)]
    server = mini_dns({"ts.test": {"A": addresses}})
    circle = ips.Circle("ts.test", resolver=server.resolver())
    got = []

    def worker():
        got.extend(circle._addr() for _ in range(1000))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Counter(got) == {a: 2000 for a in addresses}


def test_default_resolver_used_when_none_given(mini_dns):
    server = mini_dns({"dflt.test": {"A": ["127.0.0.5"]}})
    old = dns.resolver.default_resolver
    dns.resolver.default_resolver = server.resolver()
    try:
        assert ips.Circle("dflt.test")._addresses == ["127.0.0.5"]
    finally:
        dns.resolver.default_resolver = old
