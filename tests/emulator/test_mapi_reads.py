"""MAPI reads of monitoring tools: node statistics, licenses, namespaces, statistics, and the
``hcp-api-auth`` cookie — over raw HTTPS."""
from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from emulator_support import Client, token

JSON_ACCEPT = {"Accept": "application/json"}


@pytest.fixture
def admin(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.admin_fqdn,
                auth=(hcp.admin_user, hcp.admin_password)) as c:
        yield c


@pytest.fixture
def tenant_user(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.tenant_fqdn, auth=("n", "n01")) as c:
        yield c


def test_node_statistics_lists_every_node(hcp, admin, tenant_user):
    answer = admin.GET("/mapi/nodes/statistics")
    assert answer.status == 200
    root = ElementTree.fromstring(answer.body)
    assert root.tag == "nodeStatistics" and int(root.findtext("requestTime")) > 0
    nodes = root.findall("nodes/node")
    assert [n.findtext("frontendIpAddresses/ipAddress") for n in nodes] == hcp.addresses
    assert [n.findtext("nodeNumber") for n in nodes] == [a.rsplit(".", 1)[1] for a in hcp.addresses]
    volume = nodes[0].find("volumes/volume")
    assert int(volume.findtext("freeBytes")) <= int(volume.findtext("totalBytes"))
    data = json.loads(admin.GET("/mapi/nodes/statistics", headers=JSON_ACCEPT).body)
    assert len(data["nodes"]["node"]) == len(hcp.addresses)
    assert data["nodes"]["node"][0]["volumes"]["volume"][0]["totalBytes"] > 0
    assert tenant_user.GET("/mapi/nodes/statistics").status == 403


def test_licenses(admin, tenant_user):
    for query in ("", "?verbose=true"):
        root = ElementTree.fromstring(admin.GET("/mapi/storage/licenses" + query).body)
        assert root.tag == "licenses"
        assert int(root.findtext("license/activeCapacity")) > 0
        assert root.findtext("license/licenseType")
    assert tenant_user.GET("/mapi/storage/licenses").status == 403


def test_namespace_list_and_one_namespace(hcp, admin, tenant_user):
    root = ElementTree.fromstring(admin.GET("/mapi/tenants/m/namespaces").body)
    assert [e.text for e in root.findall("name")] == ["n1", "n2"]
    assert json.loads(tenant_user.GET("/mapi/tenants/m/namespaces", headers=JSON_ACCEPT).body) == {
        "name": ["n1", "n2"]}
    plain = json.loads(tenant_user.GET("/mapi/tenants/m/namespaces/n1", headers=JSON_ACCEPT).body)
    assert plain["name"] == "n1" and plain["hardQuota"] == "50.00 GB"
    assert plain["softQuota"] == 85 and plain["searchEnabled"] is True
    assert "hashScheme" not in plain and "creationTime" not in plain
    verbose = json.loads(admin.GET("/mapi/tenants/m/namespaces/N1?verbose=true",
                                   headers=JSON_ACCEPT).body)
    assert verbose["hashScheme"] == "SHA-256"
    assert verbose["fullyQualifiedName"] == f"n1.m.{hcp.domain}"
    assert admin.HEAD("/mapi/tenants/m/namespaces/n2").status == 200
    assert admin.HEAD("/mapi/tenants/m/namespaces/nope").status == 302
    assert admin.HEAD("/mapi/tenants/nope/namespaces/n1").status == 302
    assert admin.GET("/mapi/tenants/m/namespaces/nope").status == 404


def test_namespace_list_pages_sorts_and_filters(admin):
    def names(query):
        answer = admin.GET("/mapi/tenants/m/namespaces?" + query, headers=JSON_ACCEPT)
        assert answer.status == 200, answer.header("X-HCP-ErrorMessage")
        return json.loads(answer.body)["name"]

    assert names("sortOrder=descending") == ["n2", "n1"]
    assert names("sortType=name&offset=1&count=5") == ["n2"]
    assert names("count=1") == ["n1"]
    assert names("filterType=name&filterString=N2") == ["n2"]
    assert names("filterString=x") == []
    assert names("filterType=tag&filterString=n") == []
    for bad in ("offset=-1", "count=many", "sortType=size", "sortOrder=up", "filterType=owner",
                "filterString=" + "n" * 65):
        assert admin.GET("/mapi/tenants/m/namespaces?" + bad).status == 400, bad


def test_statistics_count_what_is_stored(hcp, admin, unique):
    path = f"{unique}/stats"

    def stats(url):
        answer = admin.GET(url, headers=JSON_ACCEPT)
        assert answer.status == 200
        return json.loads(answer.body)

    before = stats("/mapi/tenants/m/namespaces/n2/statistics")
    with Client(hcp, host=f"n2.m.{hcp.domain}") as rest:
        assert rest.PUT(f"{path}/a", b"x" * 1000).status == 201
        assert rest.PUT(f"{path}/b", b"y" * 24).status == 201
        assert rest.PUT(f"{path}/b?type=custom-metadata", b"<m/>").status == 201
    after = stats("/mapi/tenants/m/namespaces/n2/statistics")
    assert after["objectCount"] - before["objectCount"] == 2
    assert after["ingestedVolume"] - before["ingestedVolume"] == 1028
    assert after["customMetadataCount"] - before["customMetadataCount"] == 1
    assert after["customMetadataSize"] - before["customMetadataSize"] == 4
    assert after["storageCapacityUsed"] >= after["ingestedVolume"]
    xml = ElementTree.fromstring(admin.GET("/mapi/tenants/m/namespaces/n2/statistics").body)
    assert xml.tag == "statistics" and xml.findtext("ingestedVolume") is not None
    tenant = stats("/mapi/tenants/m/statistics")
    n1 = stats("/mapi/tenants/m/namespaces/n1/statistics")
    assert tenant == {k: n1[k] + after[k] for k in tenant}


def test_legacy_cookie_authenticates_mapi(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.admin_fqdn, auth=None) as c:
        good = token(hcp.admin_user, hcp.admin_password)
        assert c.GET("/mapi/tenants", headers={"Cookie": f"hcp-api-auth={good}"}).status == 200
        bad = token(hcp.admin_user, "wrong")
        assert c.GET("/mapi/tenants", headers={"Cookie": f"hcp-api-auth={bad}"}).status == 403
