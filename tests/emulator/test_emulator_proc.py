"""``/proc`` namespace information, in exactly the shapes HCP answers."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from emulator_support import Client

from hcpsdk.emulator import Emulator
from hcpsdk.emulator.store import SHRED_SECONDS

XSI = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"


@pytest.fixture(scope="module")
def fresh():
    with Emulator(nodes=1) as emulator:
        yield emulator


def _get(emu, path, **kw):
    with Client(emu, **kw) as c:
        return c.GET(path)


def test_proc_lists_accessible_namespaces(fresh):
    r = _get(fresh, "/proc")
    assert r.status == 200
    assert b"<?xml-stylesheet" in r.body
    root = ET.fromstring(r.body)
    assert root.tag == "namespaces"
    assert root.get("tenantHostName") == "m.hcp1.example.com"
    assert root.get(XSI) == "/static/xsd/proc-namespaces.xsd"
    names = [n.get("name") for n in root.iter("namespace")]
    assert names == ["n1", "n2"]
    n1 = root.find("namespace")
    assert dict(n1.attrib) == {
        "name": "n1", "nameIDNA": "n1", "versioningEnabled": "false", "searchEnabled": "true",
        "retentionMode": "enterprise", "defaultShredValue": "false", "defaultIndexValue": "true",
        "defaultRetentionValue": "0", "hashScheme": "SHA-256", "dpl": "2"}
    assert n1.findtext("description").strip() == "replicated°search°no versioning"


def test_proc_single_lists_only_the_host_namespace(fresh):
    root = ET.fromstring(_get(fresh, "/proc?single=true").body)
    assert [n.get("name") for n in root.iter("namespace")] == ["n1"]


def test_description_is_cdata_and_never_empty(fresh):
    ns = fresh.system.namespace("m", "n2")
    old, ns.description = ns.description, ""
    try:
        body = _get(fresh, "/proc").body
    finally:
        ns.description = old
    assert b"<description/>" not in body
    assert body.count(b"<![CDATA[") == 2


def test_proc_statistics_counts_live(fresh):
    def stats():
        return ET.fromstring(_get(fresh, "/proc/statistics").body).attrib
    before = stats()
    assert before["namespaceName"] == "n1"
    assert before["totalCapacityBytes"] == "53687091200"
    assert before["softQuotaPercent"] == "85"
    with Client(fresh) as c:
        c.PUT("/rest/stats/a", b"12345")
        c.PUT("/rest/stats/a?type=custom-metadata", b"<a/>")
    after = stats()
    assert int(after["objectCount"]) == int(before["objectCount"]) + 1
    assert int(after["usedCapacityBytes"]) == int(before["usedCapacityBytes"]) + 5
    assert int(after["customMetadataObjectCount"]) == int(before["customMetadataObjectCount"]) + 1
    assert int(after["customMetadataObjectBytes"]) == int(before["customMetadataObjectBytes"]) + 4
    assert set(after) - {XSI} == {"namespaceName", "totalCapacityBytes", "usedCapacityBytes",
                          "softQuotaPercent", "objectCount", "shredObjectCount", "shredObjectBytes",
                          "customMetadataObjectCount", "customMetadataObjectBytes"}


def test_proc_statistics_counts_deleted_objects_waiting_for_shredding(fresh):
    n1, n2 = (fresh.system.namespace("m", name).store for name in ("n1", "n2"))
    n2_host = "n2.m." + fresh.domain

    def shredding(host=None):
        with Client(fresh, host=host) as c:
            attrs = ET.fromstring(c.GET("/proc/statistics").body).attrib
        return int(attrs["shredObjectCount"]), int(attrs["shredObjectBytes"])

    n1.shred_seconds = n2.shred_seconds = 3600.0   # shredding takes "long": the count stays
    try:
        with Client(fresh) as c:
            assert c.PUT("/rest/shred/a?shred=true", b"12345").status == 201
            assert c.PUT("/rest/shred/b", b"123").status == 201          # no shred
            assert shredding() == (0, 0)
            assert c.DELETE("/rest/shred/a").status == 200
            assert c.DELETE("/rest/shred/b").status == 200
            assert shredding() == (1, 5)
        with Client(fresh, host=n2_host) as c:
            v1 = c.PUT("/rest/shred/v?shred=true", b"1").header("X-HCP-VersionId")
            c.PUT("/rest/shred/v", b"22")                                # inherits shred
            c.PUT("/rest/shred/v", b"333")
            assert c.DELETE(f"/rest/shred/v?version={v1}").status == 200
            assert shredding(n2_host) == (1, 1)
            assert c.DELETE("/rest/shred/v").status == 200               # a marker: kept
            assert shredding(n2_host) == (1, 1)
            assert c.DELETE("/rest/shred/v?purge=true").status == 200
            assert shredding(n2_host) == (3, 6)
        assert shredding() == (1, 5)                                     # per namespace
    finally:
        n1.shred_seconds = n2.shred_seconds = 0.0                        # shredded now
    assert shredding() == (0, 0) and shredding(n2_host) == (0, 0)
    n1.shred_seconds = n2.shred_seconds = SHRED_SECONDS


def test_proc_retention_classes(fresh):
    root = ET.fromstring(_get(fresh, "/proc/retentionClasses").body)
    assert root.tag == "retentionClasses"
    assert root.get("namespaceName") == "n1"
    classes = {c.get("name"): c for c in root.iter("retentionClass")}
    assert set(classes) == {"initial_unspecified", "deletion_prohibited", "TAX_DATA"}
    tax = classes["TAX_DATA"]
    assert (tax.get("value"), tax.get("autoDelete")) == ("A+10y", "true")
    assert tax.findtext("description").strip() == "Class for tax data - actually 10 years."
    assert classes["deletion_prohibited"].get("value") == "-1"


def test_proc_permissions(fresh):
    root = ET.fromstring(_get(fresh, "/proc/permissions").body)
    assert root.tag == "permissions"
    tags = [e.tag for e in root]
    assert tags == ["namespacePermissions", "namespaceEffectivePermissions", "userPermissions",
                    "userEffectivePermissions"]
    for e in root:
        assert set(e.attrib) == {"browse", "read", "write", "readAcl", "writeAcl", "changeOwner",
                                 "delete", "privileged", "purge", "search"}
        assert set(e.attrib.values()) == {"true"}


def test_proc_user_permissions_reflect_the_user(fresh):
    tenant = fresh.system.tenants["m"]
    tenant.add_user("ro", "ro01", {"n1": ["read", "browse"]})
    try:
        root = ET.fromstring(_get(fresh, "/proc/permissions", auth=("ro", "ro01")).body)
    finally:
        del tenant.users["ro"]
    user = root.find("userEffectivePermissions").attrib
    assert {k for k, v in user.items() if v == "true"} == {"read", "browse"}


def test_proc_without_access_is_401(fresh):
    assert _get(fresh, "/proc", auth=("n", "bad")).status == 401
    tenant = fresh.system.tenants["m"]
    tenant.add_user("none", "none01", {})
    try:
        assert _get(fresh, "/proc/statistics", auth=("none", "none01")).status == 401
    finally:
        del tenant.users["none"]
