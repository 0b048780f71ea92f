"""The emulated MAPI over real HTTPS, with plain http.client + ssl (not through hcpsdk).

One module-scoped pair of emulators (hcp1 linked active/active to hcp2) serves every test;
tests that change shared state (logs, tenants) put it back. Link actions and data flow are
in ``test_replication_http.py``.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import io
import json
import ssl
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from hcpsdk.emulator import Emulator, mapi_logs
from hcpsdk.emulator.mapi_log_package import unpack


def _token(user: str, password: str) -> str:
    return (base64.b64encode(user.encode()).decode() + ":"
            + hashlib.md5(password.encode()).hexdigest())


class Client:
    """Minimal HTTPS client for one emulator node: one connection per call."""

    def __init__(self, hcp: Emulator, host: str, user: str | None, password: str | None,
                 port: int | None = None) -> None:
        self.hcp, self.host, self.port = hcp, host, port or hcp.mapi_port
        self.auth = None if user is None else "HCP " + _token(user, password)
        self.context = ssl.create_default_context(cafile=hcp.cafile)

    def call(self, method: str, path: str, body: bytes | None = None, node: int = 0,
             **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPSConnection(self.hcp.addresses[node], self.port,
                                           context=self.context, timeout=10)
        try:
            sent = {"Host": self.host}
            if self.auth:
                sent["Authorization"] = self.auth
            sent.update({k.replace("_", "-"): v for k, v in headers.items()})
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def ok(self, method: str, path: str, body: bytes | None = None, **headers: str) -> bytes:
        status, hdrs, data = self.call(method, path, body, **headers)
        assert status == 200, (status, hdrs.get("X-HCP-ErrorMessage"))
        return data


def as_dict(element: ElementTree.Element) -> dict | str:
    """Nested dict of an element's children, text for leaves (how the 0.9.5 client reads it)."""
    if len(element) == 0:
        return element.text or ""
    return {child.tag: as_dict(child) for child in element}


@pytest.fixture(scope="module")
def pair():
    with Emulator(nodes=2, domain="hcp1.example.com") as one, \
            Emulator(nodes=2, domain="hcp2.example.com") as two:
        one.system.add_tenant("Default", system_visible_description="the default tenant")
        link = one.link(two)
        try:
            yield one, two
        finally:
            link.close()


@pytest.fixture(scope="module")
def hcp(pair):
    return pair[0]


@pytest.fixture(scope="module")
def admin(hcp):
    return Client(hcp, hcp.admin_fqdn, hcp.admin_user, hcp.admin_password)


@pytest.fixture
def logs(hcp, admin):
    admin.ok("POST", "/mapi/logs?cancel=")
    yield admin
    mapi_logs.configure(hcp.system, prepare_seconds=0.0)
    admin.ok("POST", "/mapi/logs?cancel=")


# ---------------------------------------------------------------------------- auth, status


def test_no_credentials_is_403_with_message(hcp):
    status, headers, _ = Client(hcp, hcp.admin_fqdn, None, None).call(
        "GET", "/mapi/services/replication")
    assert status == 403 and "credentials" in headers["X-HCP-ErrorMessage"]


def test_wrong_password_is_403(hcp):
    status, headers, _ = Client(hcp, hcp.admin_fqdn, hcp.admin_user, "wrong").call(
        "GET", "/mapi/tenants")
    assert status == 403 and headers["X-HCP-ErrorMessage"]


def test_data_user_on_admin_host_is_403(hcp):
    status, headers, _ = Client(hcp, hcp.admin_fqdn, hcp.user, hcp.password).call(
        "GET", "/mapi/tenants")
    assert status == 403 and headers["X-HCP-ErrorMessage"]


def test_admin_account_on_tenant_host_is_403(hcp):
    status, headers, _ = Client(hcp, hcp.tenant_fqdn, hcp.admin_user, hcp.admin_password).call(
        "GET", "/mapi/tenants/m")
    assert status == 403 and headers["X-HCP-ErrorMessage"]


def test_host_that_is_no_mapi_host_is_403(hcp):
    for host in (hcp.addresses[0], hcp.fqdn, "admin.other.example.com"):
        status, headers, _ = Client(hcp, host, hcp.admin_user, hcp.admin_password).call(
            "GET", "/mapi/tenants")
        assert status == 403, host
        assert "MAPI is served on" in headers["X-HCP-ErrorMessage"]


def test_tenant_user_without_management_role_is_403(hcp):
    hcp.system.tenants["m"].add_user("plain", "plain01", {"n1": ["read"]})
    status, headers, _ = Client(hcp, hcp.tenant_fqdn, "plain", "plain01").call(
        "GET", "/mapi/tenants/m")
    assert status == 403 and "no management role" in headers["X-HCP-ErrorMessage"]


def test_monitor_role_may_read_tenant(hcp):
    hcp.system.tenants["m"].add_user("watch", "watch01", roles=["MONITOR"])
    watcher = Client(hcp, hcp.tenant_fqdn, "watch", "watch01")
    assert watcher.call("GET", "/mapi/tenants/m")[0] == 200
    assert watcher.call("POST", "/mapi/tenants/m")[0] == 405


def test_tenant_user_sees_own_tenant_only(hcp):
    user = Client(hcp, hcp.tenant_fqdn, hcp.user, hcp.password)
    info = json.loads(user.ok("GET", "/mapi/tenants/m", Accept="application/json"))
    assert info["name"] == "m"
    for path in ("/mapi/tenants", "/mapi/services/replication", "/mapi/logs",
                 "/mapi/tenants/default"):
        status, headers, _ = user.call("GET", path)
        assert status == 403 and headers["X-HCP-ErrorMessage"], path


def test_unknown_resource_is_404(admin):
    for path in ("/mapi/nothing", "/mapi/services/replication/links/x/y", "/rest/a"):
        status, headers, _ = admin.call("GET", path)
        assert status == 404 and headers["X-HCP-ErrorMessage"], path


def test_unsupported_method_is_405_with_allow(admin):
    status, headers, _ = admin.call("PUT", "/mapi/services/replication", b"<x/>",
                                    Content_Type="application/xml")
    assert status == 405 and headers["Allow"] == "GET, POST"
    status, headers, _ = admin.call("PUT", "/mapi/tenants", b"<x/>",
                                    Content_Type="application/xml")
    assert status == 405 and headers["Allow"] == "GET"
    status, headers, _ = admin.call("DELETE", "/mapi/services/replication/links/x")
    assert status == 405 and headers["Allow"] == "GET, POST"


# ---------------------------------------------------------------------------- replication


def test_replication_service_settings(admin):
    body = admin.ok("GET", "/mapi/services/replication")
    assert b"\n" not in body and b"  " not in body
    root = ElementTree.fromstring(body)
    assert root.tag == "replicationService"
    assert {child.tag: child.text for child in root} == {
        "allowTenantsToMonitorNamespaces": "true", "enableDNSFailover": "true",
        "enableDomainAndCertificateSynchronization": "true", "network": "[hcp_system]"}


def test_replication_service_json(admin):
    status, headers, body = admin.call("GET", "/mapi/services/replication",
                                       Accept="application/json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["enableDNSFailover"] is True


def test_prettyprint_indents_xml(admin):
    body = admin.ok("GET", "/mapi/services/replication?prettyprint")
    assert b"\n    <enableDNSFailover>true</enableDNSFailover>" in body
    assert ElementTree.fromstring(body).findtext("network") == "[hcp_system]"


def test_link_list(pair, admin):
    root = ElementTree.fromstring(admin.ok("GET", "/mapi/services/replication/links"))
    assert root.tag == "links" and [e.text for e in root] == ["hcp1-a-a-hcp2"]
    listed = json.loads(admin.ok("GET", "/mapi/services/replication/links",
                                 Accept="application/json"))
    assert listed == {"name": ["hcp1-a-a-hcp2"]}
    two = pair[1]
    other = Client(two, two.admin_fqdn, two.admin_user, two.admin_password)
    assert b"<name>hcp1-a-a-hcp2</name>" in other.ok("GET", "/mapi/services/replication/links")


def test_link_details_verbose_has_the_documented_elements(pair, admin):
    one, two = pair
    body = admin.ok("GET", "/mapi/services/replication/links/hcp1-a-a-hcp2?verbose=true")
    root = ElementTree.fromstring(body)
    assert root.tag == "link"
    d = as_dict(root)
    assert list(d) == ["compression", "connection", "description", "encryption",
                       "failoverSettings", "id", "name", "priority", "statistics", "status",
                       "statusMessage", "suspended", "type"]
    assert d["connection"] == {"localHost": ", ".join(one.addresses), "localPort": "5748",
                               "remoteHost": ", ".join(two.addresses), "remotePort": "5748"}
    assert d["failoverSettings"] == {
        "local": {"autoFailover": "false", "autoFailoverMinutes": "120"},
        "remote": {"autoFailover": "false", "autoFailoverMinutes": "120"}}
    assert set(d["statistics"]) == {
        "bytesPending", "bytesPendingRemote", "bytesPerSecond", "bytesReplicated", "errors",
        "errorsPerSecond", "objectsPending", "objectsPendingRemote", "objectsReplicated",
        "operationsPerSecond", "upToDateAsOfMillis", "upToDateAsOfString"}
    assert d["statistics"]["upToDateAsOfMillis"].isdigit()
    assert (d["name"], d["type"], d["status"], d["suspended"], d["priority"]) == (
        "hcp1-a-a-hcp2", "ACTIVE_ACTIVE", "GOOD", "false", "OLDEST_FIRST")
    assert d["statusMessage"] == "Synchronizing data" and d["compression"] == "false"


def test_link_details_seen_from_the_other_side(pair):
    one, two = pair
    other = Client(two, two.admin_fqdn, two.admin_user, two.admin_password)
    d = json.loads(other.ok("GET", "/mapi/services/replication/links/hcp1-a-a-hcp2?verbose=true",
                            Accept="application/json"))
    assert d["connection"]["localHost"] == ", ".join(two.addresses)
    assert d["connection"]["remoteHost"] == ", ".join(one.addresses)
    assert d["suspended"] is False and d["statistics"]["objectsPending"] == 0


def test_link_details_without_verbose_are_short(admin):
    d = as_dict(ElementTree.fromstring(admin.ok("GET", "/mapi/services/replication/links/"
                                                       "hcp1-a-a-hcp2")))
    assert "statistics" not in d and "status" not in d
    assert d["type"] == "ACTIVE_ACTIVE" and d["name"] == "hcp1-a-a-hcp2"


def test_unknown_link_is_404(admin):
    for method in ("GET", "POST"):
        status, headers, _ = admin.call(method, "/mapi/services/replication/links/nope?suspend=")
        assert status == 404 and "nope" in headers["X-HCP-ErrorMessage"]


def test_bad_link_action_is_400(admin):
    path = "/mapi/services/replication/links/hcp1-a-a-hcp2"
    for query in ("", "?explode=", "?suspend=&resume="):
        status, headers, _ = admin.call("POST", path + query)
        assert status == 400 and headers["X-HCP-ErrorMessage"], query
    status, headers, _ = admin.call("POST", path + "?suspend", b"<body/>",
                                    Content_Type="application/xml")
    assert status == 400 and "no request body" in headers["X-HCP-ErrorMessage"]


def test_invalid_action_for_link_type_is_400_and_changes_nothing(admin):
    path = "/mapi/services/replication/links/hcp1-a-a-hcp2"
    for action in ("beginRecovery", "completeRecovery"):
        status, headers, _ = admin.call("POST", f"{path}?{action}=")
        assert status == 400
        assert headers["X-HCP-ErrorMessage"] == f"{action} not allowed on ACTIVE_ACTIVE link"
    d = as_dict(ElementTree.fromstring(admin.ok("GET", path + "?verbose=true")))
    assert d["status"] == "GOOD" and d["suspended"] == "false"


# ---------------------------------------------------------------------------- logs


def test_log_mark(logs):
    assert logs.call("POST", "/mapi/logs?mark=hello%20world")[0] == 200
    status, headers, _ = logs.call("POST", "/mapi/logs?mark=")
    assert status == 400 and headers["X-HCP-ErrorMessage"]
    assert logs.call("POST", "/mapi/logs")[0] == 400


PREPARE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<logPrepare>\n'
           b'  <startDate>%s</startDate>\n  <endDate>%s</endDate>\n  \n</logPrepare>\n')


def _prepare_body(start: datetime | None = None, end: datetime | None = None) -> bytes:
    today = datetime.now()
    start, end = start or today - timedelta(days=2), end or today + timedelta(days=1)
    return PREPARE % (start.strftime("%m/%d/%Y").encode(), end.strftime("%m/%d/%Y").encode())


def _status(client: Client) -> dict:
    body = client.ok("GET", "/mapi/logs")
    root = ElementTree.fromstring(body)
    assert root.tag == "logDownloadStatus" and b"\n" not in body
    return {child.tag: child.text for child in root}


def test_log_status_before_prepare(logs):
    assert _status(logs) == {"readyForStreaming": "false", "streamingInProgress": "false",
                             "started": "false", "error": "false",
                             "content": "ACCESS,SYSTEM,SERVICE,APPLICATION"}


def test_log_prepare_then_download_a_real_zip(hcp, logs):
    logs.ok("POST", "/mapi/logs?mark=before%20download")
    logs.ok("POST", "/mapi/logs/prepare", _prepare_body(), Content_Type="application/xml")
    assert _status(logs) == {"readyForStreaming": "true", "streamingInProgress": "false",
                             "started": "true", "error": "false",
                             "content": "ACCESS,SYSTEM,SERVICE,APPLICATION"}
    node = hcp.addresses[1].rsplit(".", 1)[1]
    request = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<logDownload>\n'
               b"    <nodes>%s</nodes>\n    <snodes></snodes>\n    <content>ACCESS,SYSTEM"
               b"</content>\n</logDownload>\n" % node.encode())
    status, headers, body = logs.call("POST", "/mapi/logs/download", request,
                                      Content_Type="application/xml", Accept="*/*")
    assert status == 200 and headers["Content-Type"] == "application/zip"
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith(".zip")
    assert " " not in disposition.partition("=")[2]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
    files = unpack(body)
    assert list(files) == [node]
    assert sorted(files[node]) == ["admin_request.log.0", "http_gateway_request.log.0",
                                   "mapi_gateway_request.log.0", "system.log.0"]
    text = files[node]["system.log.0"].decode()
    assert "MARK before download" in text and hcp.domain in text


def test_log_download_without_nodes_covers_all_content_of_all_nodes(hcp, logs):
    logs.ok("POST", "/mapi/logs/prepare", _prepare_body(), Content_Type="application/xml")
    request = b"<logDownload>\n\n    <snodes></snodes>\n</logDownload>"
    body = logs.ok("POST", "/mapi/logs/download", request, Content_Type="application/xml")
    files = unpack(body)
    assert sorted(files) == sorted(address.rsplit(".", 1)[1] for address in hcp.addresses)
    for names in files.values():
        assert sorted(names) == ["admin_request.log.0", "application.log.0",
                                 "http_gateway_request.log.0", "mapi_gateway_request.log.0",
                                 "service.log.0", "system.log.0"]


def test_log_preparation_in_progress_is_400(hcp, logs):
    mapi_logs.configure(hcp.system, prepare_seconds=60.0)
    logs.ok("POST", "/mapi/logs/prepare", _prepare_body(), Content_Type="application/xml")
    status, headers, _ = logs.call("POST", "/mapi/logs/prepare", _prepare_body(),
                                   Content_Type="application/xml")
    assert status == 400 and "in progress" in headers["X-HCP-ErrorMessage"]
    assert _status(logs)["started"] == "true" and _status(logs)["readyForStreaming"] == "false"
    status, headers, _ = logs.call("POST", "/mapi/logs/download", b"<logDownload/>",
                                   Content_Type="application/xml")
    assert status == 400 and "prepared" in headers["X-HCP-ErrorMessage"]
    logs.ok("POST", "/mapi/logs?cancel=")
    assert _status(logs)["started"] == "false"


def test_log_preparation_finishes_after_the_configured_time(hcp, logs):
    mapi_logs.configure(hcp.system, prepare_seconds=0.05)
    logs.ok("POST", "/mapi/logs/prepare", _prepare_body(), Content_Type="application/xml")
    assert hcp.wait_for(lambda: _status(logs)["readyForStreaming"] == "true", timeout=5)


def test_log_download_before_prepare_is_400(logs):
    status, headers, _ = logs.call("POST", "/mapi/logs/download", b"<logDownload/>",
                                   Content_Type="application/xml")
    assert status == 400 and headers["X-HCP-ErrorMessage"]


@pytest.mark.parametrize("body, ctype, expected", [
    (_prepare_body(), None, 415),
    (_prepare_body(), "text/plain", 415),
    (b"<logPrepare><startDate>2015-09-23</startDate><endDate>09/25/2015</endDate></logPrepare>",
     "application/xml", 400),
    (b"<logPrepare><startDate>09/26/2015</startDate><endDate>09/25/2015</endDate></logPrepare>",
     "application/xml", 400),
    (b"<other/>", "application/xml", 400),
    (b"<logPrepare>", "application/xml", 400),
    (b"", "application/xml", 400),
])
def test_log_prepare_bad_requests(logs, body, ctype, expected):
    headers = {"Content_Type": ctype} if ctype else {}
    status, hdrs, _ = logs.call("POST", "/mapi/logs/prepare", body, **headers)
    assert status == expected and hdrs["X-HCP-ErrorMessage"]


def test_log_prepare_accepts_json(logs):
    body = json.dumps({"startDate": "09/23/2015", "endDate": "09/25/2015"}).encode()
    logs.ok("POST", "/mapi/logs/prepare", body, Content_Type="application/json")
    assert _status(logs)["started"] == "true"


def test_log_download_bad_selection_is_400(logs):
    logs.ok("POST", "/mapi/logs/prepare", _prepare_body(), Content_Type="application/xml")
    for inner in (b"<content>ACCESS,NOISE</content>", b"<nodes>999</nodes>"):
        status, hdrs, _ = logs.call("POST", "/mapi/logs/download",
                                    b"<logDownload>%s</logDownload>" % inner,
                                    Content_Type="application/xml")
        assert status == 400 and hdrs["X-HCP-ErrorMessage"], inner


# ---------------------------------------------------------------------------- tenants


def test_tenant_list_json_and_xml(admin):
    assert json.loads(admin.ok("GET", "/mapi/tenants?verbose=true",
                               Accept="application/json")) == {"name": ["Default", "m"]}
    root = ElementTree.fromstring(admin.ok("GET", "/mapi/tenants"))
    assert root.tag == "tenants" and [e.text for e in root] == ["Default", "m"]


def test_tenant_details_json(admin):
    info = json.loads(admin.ok("GET", "/mapi/tenants/m", Accept="application/json"))
    assert set(info) == {
        "administrationAllowed", "authenticationTypes", "complianceConfigurationEnabled",
        "dataNetwork", "hardQuota", "managementNetwork", "maxNamespacesPerUser", "name",
        "namespaceQuota", "replicationConfigurationEnabled", "searchConfigurationEnabled",
        "servicePlanSelectionEnabled", "snmpLoggingEnabled", "softQuota",
        "syslogLoggingEnabled", "systemVisibleDescription", "tags",
        "tenantVisibleDescription", "versioningConfigurationEnabled"}
    assert info["authenticationTypes"] == {"authenticationType": ["LOCAL", "EXTERNAL"]}
    assert info["hardQuota"] == "200.00 GB" and isinstance(info["softQuota"], int)
    assert info["tags"] == {"tag": []} and info["replicationConfigurationEnabled"] is True


def test_default_tenant_details(admin):
    info = json.loads(admin.ok("GET", "/mapi/tenants/Default", Accept="application/json"))
    assert info == {"snmpLoggingEnabled": False, "syslogLoggingEnabled": False,
                    "systemVisibleDescription": "the default tenant",
                    "tenantVisibleDescription": ""}


def test_tenant_details_xml(admin):
    root = ElementTree.fromstring(admin.ok("GET", "/mapi/tenants/m"))
    assert root.tag == "tenant" and root.findtext("name") == "m"
    assert [e.text for e in root.find("authenticationTypes")] == ["LOCAL", "EXTERNAL"]


def test_unknown_tenant_is_404(admin):
    status, headers, _ = admin.call("GET", "/mapi/tenants/nosuch", Accept="application/json")
    assert status == 404 and "nosuch" in headers["X-HCP-ErrorMessage"]
    assert admin.call("GET", "/mapi/tenants/nosuch/chargebackReport")[0] == 404


def test_namespace_list(admin):
    assert json.loads(admin.ok("GET", "/mapi/tenants/m/namespaces",
                               Accept="application/json")) == {"name": ["n1", "n2"]}


# ---------------------------------------------------------------------------- chargeback


@pytest.fixture(scope="module")
def billed(hcp):
    """Tenant ``cb`` through the data API: namespace a gets 2 objects (10 bytes) and one
    read of 5 bytes; b gets 2 objects of which one is deleted again (7 bytes stay)."""
    tenant = hcp.system.add_tenant("cb")
    tenant.add_namespace("b", replicated=False)
    tenant.add_namespace("a", replicated=False)
    tenant.add_user("cbu", "cbu01", {"a": ["read", "write"], "b": ["read", "write", "delete"]},
                    roles=["ADMINISTRATOR"])
    before = datetime.now(UTC) - timedelta(seconds=2)
    steps = (("a", "PUT", "x/1", b"12345", 201), ("a", "PUT", "x/2", b"67890", 201),
             ("b", "PUT", "y", b"abcdefg", 201), ("b", "PUT", "gone", b"zz", 201),
             ("b", "DELETE", "gone", None, 200), ("a", "GET", "x/1", None, 200))
    for ns, method, path, data, expected in steps:
        client = Client(hcp, f"{ns}.cb.{hcp.domain}", "cbu", "cbu01", port=hcp.https_port)
        status, headers, _ = client.call(method, f"/rest/{path}", data)
        assert status == expected, headers.get("X-HCP-ErrorMessage")
    return before, datetime.now(UTC) + timedelta(seconds=2)


def _stamp(when: datetime, offset_hours: int = 0) -> str:
    tz = timezone(timedelta(hours=offset_hours))
    return when.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S%z").replace("+", "%2B")


def _report(admin: Client, start: datetime, end: datetime, extra: str = "", offset: int = 0,
            accept: str = "application/json", entity: str = "cb") -> bytes:
    """The body of a chargeback report of tenant cb (or ``entity``) from start to end."""
    return admin.ok("GET", f"/mapi/tenants/{entity}/chargebackReport?start={_stamp(start, offset)}"
                           f"&end={_stamp(end, offset)}{extra}", Accept=accept)


def _records(admin: Client, start: datetime, end: datetime, extra: str = "", offset: int = 0,
             entity: str = "cb") -> list[dict]:
    return json.loads(_report(admin, start, end, extra, offset, entity=entity))["chargebackData"]


def test_chargeback_json_total(admin, billed):
    start, end = billed
    body = _report(admin, start, end, "&granularity=total&prettyprint=true", offset=1)
    assert b'\n  "chargebackData" : [' in body
    records = json.loads(body)["chargebackData"]
    assert [r.get("namespaceName") for r in records] == ["a", "b", None]
    a, b, total = records
    assert (a["objectCount"], a["ingestedVolume"], a["writes"], a["bytesIn"]) == (2, 10, 2, 10)
    assert (a["reads"], a["bytesOut"], a["deletes"]) == (1, 5, 0)
    assert (b["objectCount"], b["storageCapacityUsed"], b["writes"], b["deletes"]) == (1, 7, 2, 1)
    assert (total["objectCount"], total["ingestedVolume"], total["writes"]) == (3, 17, 4)
    assert (total["bytesIn"], total["reads"], total["deletes"]) == (19, 1, 1)
    assert "namespaceName" not in total and total["tenantName"] == "cb"
    assert a["startTime"] == start.astimezone(timezone(timedelta(hours=1))).strftime(
        "%Y-%m-%dT%H:%M:%S+0100")
    assert a["systemName"] == "hcp1.example.com"
    assert a["valid"] is False and a["deleted"] == "false"
    assert list(a)[:5] == ["systemName", "tenantName", "namespaceName", "startTime", "endTime"]


def test_chargeback_period_before_any_write_counts_nothing(admin, billed):
    start, _ = billed
    early = start - timedelta(days=3)
    records = _records(admin, early, early + timedelta(hours=1), offset=-5)
    assert all(r["objectCount"] == 0 and r["writes"] == 0 for r in records)
    assert all(r["valid"] is True for r in records)
    assert records[0]["startTime"].endswith("-0500")


def test_chargeback_hourly(admin, billed):
    start, end = billed
    first = start - timedelta(hours=2)
    records = _records(admin, first, end, "&granularity=hour")
    per_entity = len(records) // 3
    assert per_entity >= 3 and len(records) == 3 * per_entity
    a_records = records[:per_entity]
    assert [r["startTime"][14:] for r in a_records] == ["00:00+0000"] * per_entity
    assert a_records[0]["objectCount"] == 0 and a_records[-1]["objectCount"] == 2
    assert sum(r["writes"] for r in a_records) == 2
    assert sum(r["reads"] for r in a_records) == 1
    assert all(r["endTime"].endswith("59:59+0000") for r in a_records)


def test_chargeback_xml(admin, billed):
    start, end = billed
    body = _report(admin, start, end, accept="application/xml")
    root = ElementTree.fromstring(body)
    assert root.tag == "chargebackReport"
    assert [e.tag for e in root] == ["chargebackData"] * 3
    assert [e.findtext("namespaceName") for e in root] == ["a", "b", None]
    assert root[2].findtext("objectCount") == "3"


def test_chargeback_csv(admin, billed):
    start, end = billed
    body = _report(admin, start, end, "&granularity=day", accept="text/csv").decode()
    lines = body.strip().split("\n")
    header = lines[0].split(",")
    assert header[:6] == ["systemName", "tenantName", "namespaceName", "startTime", "endTime",
                          "objectCount"]
    assert header[-2:] == ["deleted", "valid"]
    rows = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    names = [r["namespaceName"] for r in rows]
    assert names[-1] == "" and names[:-1] == sorted(names[:-1])
    totals = [r for r in rows if r["namespaceName"] == ""]
    assert sum(int(r["objectCount"]) for r in totals[-1:]) == 3


def test_chargeback_for_one_namespace(admin, billed):
    start, end = billed
    records = _records(admin, start, end, entity="cb/namespaces/b")
    assert [r["namespaceName"] for r in records] == ["b"]
    assert (records[0]["bytesIn"], records[0]["ingestedVolume"]) == (9, 7)


def test_chargeback_total_includes_the_whole_end_second(hcp, admin):
    """``end`` has whole seconds (the 0.9.5 client sends ``now`` truncated): an object ingested
    0.001..0.999 s after that second began is in the report."""
    tenant = hcp.system.add_tenant("cbs")
    tenant.add_namespace("s", replicated=False)
    tenant.add_user("cbs", "cbs01", {"s": ["read", "write"]}, roles=["ADMINISTRATOR"])
    client = Client(hcp, f"s.cbs.{hcp.domain}", "cbs", "cbs01", port=hcp.https_port)
    assert client.call("PUT", "/rest/late", b"12345")[0] == 201
    version = hcp.system.namespace("cbs", "s").store.current("late")
    ingested = datetime.fromtimestamp(version.ingest_ms / 1000, UTC)
    end = ingested.replace(microsecond=0)
    records = _records(admin, end - timedelta(hours=1), end, "&granularity=total",
                       entity="cbs")
    assert (records[0]["objectCount"], records[0]["ingestedVolume"]) == (1, 5)
    assert records[0]["endTime"] == end.strftime("%Y-%m-%dT%H:%M:%S+0000")
    before = _records(admin, end - timedelta(hours=1), end - timedelta(seconds=1),
                      "&granularity=total", entity="cbs")
    assert before[0]["objectCount"] == 0


def test_chargeback_for_unknown_namespace_is_404(admin, billed):
    status, headers, _ = admin.call("GET", "/mapi/tenants/cb/namespaces/zz/chargebackReport")
    assert status == 404 and "zz" in headers["X-HCP-ErrorMessage"]


def test_chargeback_by_the_tenant_user(hcp, billed):
    user = Client(hcp, f"cb.{hcp.domain}", "cbu", "cbu01")
    assert user.call("GET", "/mapi/tenants/cb/chargebackReport")[0] == 200
    assert user.call("GET", "/mapi/tenants/m/chargebackReport")[0] == 403


@pytest.mark.parametrize("query, fragment", [
    ("granularity=week", "granularity"),
    ("start=yesterday", "start or end"),
    ("start=2015-11-04T15:27:29%2B9900", "start or end"),
    ("start=2016-01-01T00:00:00%2B0000&end=2015-01-01T00:00:00%2B0000", "after"),
    ("start=2000-01-01T00:00:00%2B0000&end=2015-01-01T00:00:00%2B0000&granularity=hour",
     "periods"),
])
def test_chargeback_bad_parameters_are_400(admin, billed, query, fragment):
    status, headers, _ = admin.call("GET", f"/mapi/tenants/cb/chargebackReport?{query}",
                                    Accept="application/json")
    assert status == 400 and fragment in headers["X-HCP-ErrorMessage"]
