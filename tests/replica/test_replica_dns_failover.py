"""DNS failover of an active/active link: the survivor answers the failed system's names.

The session pair (rp1 primary, rp2 replica) is linked afresh by every test. A failover is
requested on the surviving system; real DNS queries (dnspython over UDP to the emulators'
DNS servers) and real hcpsdk Connections check where the failed system's names lead.
"""
from __future__ import annotations

import http.client

import pytest

import hcpsdk
from hcpsdk.emulator.model import REPLICATION_SETTINGS, auth_token


def _resolve(hcp, name: str) -> set[str]:
    """The A records *hcp*'s DNS server answers for *name* (UDP)."""
    answer = hcp.resolver().resolve(name, "A", tcp=False)
    return {rr.address for rr in answer}


def _names(hcp) -> list[str]:
    return [hcp.fqdn, hcp.tenant_fqdn, hcp.admin_fqdn]


def _assert_names_lead_to(names: list[str], nodes: list[str], pair) -> None:
    for server in pair:     # every emulated DNS server answers alike
        for name in names:
            assert _resolve(server, name) == set(nodes), (server.domain, name)


@pytest.fixture(autouse=True)
def _settings_back(pair):
    """Tests that change a replication service setting don't leak it."""
    yield
    for hcp in pair:
        with hcp.system.lock:
            hcp.system.replication_settings.update(REPLICATION_SETTINGS)


@pytest.fixture
def admin():
    """``admin(hcp)``: an ``hcpsdk.mapi.Replication`` on *hcp*'s MAPI (closed afterwards)."""
    made = []

    def make(hcp):
        made.append(hcpsdk.mapi.Replication(hcp.target(hcp.admin_fqdn)))
        return made[-1]

    yield make
    for rep in made:
        rep.close()


def test_failover_on_the_survivor_redirects_the_failed_systems_names(pair, linked):
    one, two = pair
    link = linked()
    _assert_names_lead_to(_names(two), two.addresses, pair)
    link.act(one.system, "failOver")
    assert link.dns_failed_over == two.domain
    _assert_names_lead_to(_names(two), one.addresses, pair)
    _assert_names_lead_to(_names(one), one.addresses, pair)    # the survivor's own names
    link.act(two.system, "failBack")
    assert link.dns_failed_over is None
    _assert_names_lead_to(_names(two), two.addresses, pair)


def test_failover_and_failback_through_mapi(pair, linked, admin):
    one, two = pair
    link = linked()
    rep = admin(two)       # this time rp2 survives, rp1 fails
    rep.setreplicationlinkstate(link.name, rep.R_FAILOVER, rep.R_ACTIVE_ACTIVE)
    assert rep.getlinkdetails(link.name)["statusMessage"] == "Failed over"
    _assert_names_lead_to(_names(one), two.addresses, pair)
    _assert_names_lead_to(_names(two), two.addresses, pair)
    rep.setreplicationlinkstate(link.name, rep.R_FAILBACK, rep.R_ACTIVE_ACTIVE)
    _assert_names_lead_to(_names(one), one.addresses, pair)


def test_dns_failover_follows_the_survivors_setting(pair, linked, admin):
    one, two = pair
    link = linked()
    survivor = admin(one)
    with hcpsdk.Connection(one.target(one.admin_fqdn)) as conn:
        def set_dns_failover(on: bool) -> None:
            body = (f"<replicationService><enableDNSFailover>{str(on).lower()}"
                    "</enableDNSFailover></replicationService>").encode()
            conn.POST("/mapi/services/replication", body=body,
                      headers={"Content-Type": "application/xml"})
            conn.read()
            assert conn.response_status == 200

        set_dns_failover(False)
        link.act(one.system, "failOver")
        assert link.dns_failed_over is None
        _assert_names_lead_to(_names(two), two.addresses, pair)
        set_dns_failover(True)
        assert survivor.getreplicationsettings()["enableDNSFailover"] == "true"
        assert link.dns_failed_over == two.domain
        _assert_names_lead_to(_names(two), one.addresses, pair)
        set_dns_failover(False)
        _assert_names_lead_to(_names(two), two.addresses, pair)


def test_failed_systems_setting_does_not_matter(pair, linked):
    one, two = pair
    link = linked()
    two.system.replication_settings["enableDNSFailover"] = False
    link.act(one.system, "failOver")
    _assert_names_lead_to(_names(two), one.addresses, pair)


def test_deleting_a_failed_over_link_gives_the_names_back(pair, linked):
    one, two = pair
    link = linked()
    link.act(one.system, "failOver")
    link.close()
    _assert_names_lead_to(_names(two), two.addresses, pair)


def test_active_passive_failover_does_not_redirect(pair, linked):
    one, two = pair
    link = linked("OUTBOUND")
    link.act(two.system, "failOver")
    assert link.dns_failed_over is None
    _assert_names_lead_to(_names(one), one.addresses, pair)


def test_target_for_the_failed_system_reaches_the_survivor(pair, linked, path):
    """The failed system is down; a Target for its namespace FQDN (dnscache=False, its
    resolver asking the emulated DNS) connects to the survivor's nodes and reads what
    was written there after the failover. After failback it reaches its own nodes again."""
    one, two = pair
    link = linked()
    link.act(one.system, "failOver")
    one.put_object(path, b"written on the survivor")
    assert two.get_object(path) is None
    two.faults.down(None)
    target = two.target(dnscache=False)
    assert target.fqdn == two.fqdn
    with hcpsdk.Connection(target, timeout=2.0) as conn:
        assert conn.GET(path).status == 200
        assert conn.read() == b"written on the survivor"
        assert conn.address in one.addresses
    served = [r for r in list(one.requests) if r.path == path and r.method == "GET"]
    assert served and served[-1].headers.get("Host", "").split(":")[0] == two.fqdn
    two.faults.up(None)
    link.act(one.system, "failBack")
    assert link.wait_idle(5.0)
    with hcpsdk.Connection(two.target(dnscache=False), timeout=2.0) as conn:
        assert conn.GET(path).status == 200
        assert conn.read() == b"written on the survivor"
        assert conn.address in two.addresses


def _served(hcp, path: str) -> list[str]:
    """The nodes of *hcp* that served *path*."""
    return [r.node for r in list(hcp.requests) if r.path == path]


def test_mapi_of_the_failed_system_reaches_the_survivor(pair, linked, admin):
    """The failed system is down; ``admin.<failed domain>`` leads to the survivor's MAPI,
    which answers for it until failback."""
    one, two = pair
    links = "/mapi/services/replication/links"
    link = linked()
    link.act(one.system, "failOver")
    two.faults.down(None)
    before = len(_served(one, links))
    rep = admin(two)
    assert link.name in rep.getlinklist()
    assert rep.getlinkdetails(link.name)["statusMessage"] == "Failed over"
    assert len(_served(one, links)) == before + 1
    two.faults.up(None)
    rep.setreplicationlinkstate(link.name, rep.R_FAILBACK, rep.R_ACTIVE_ACTIVE)
    assert link.state == "NORMAL" and link.dns_failed_over is None
    before = len(_served(two, links))
    assert link.name in admin(two).getlinklist()
    assert len(_served(two, links)) == before + 1


def _mapi_status(node_of, host: str, hcp_auth) -> int:
    """Status of ``GET .../links`` sent to *node_of*'s first node with Host *host*."""
    conn = http.client.HTTPSConnection(node_of.addresses[0], node_of.mapi_port, timeout=5,
                                       context=node_of.client_context())
    try:
        conn.request("GET", "/mapi/services/replication/links",
                     headers={"Host": host, "Authorization": hcp_auth})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def test_survivor_mapi_answers_the_failed_admin_host_only_while_failed_over(pair, linked):
    one, two = pair
    auth = "HCP " + auth_token(one.admin_user, one.admin_password)
    link = linked()
    assert _mapi_status(one, two.admin_fqdn, auth) == 403
    link.act(one.system, "failOver")
    assert one.system.taken_over_domains == {two.domain}
    assert _mapi_status(one, two.admin_fqdn, auth) == 200
    assert _mapi_status(two, one.admin_fqdn, auth) == 403    # the failed one stands in for none
    link.act(one.system, "failBack")
    assert one.system.taken_over_domains == set()
    assert _mapi_status(one, two.admin_fqdn, auth) == 403
