"""The emulator refuses what HCP refuses: each test sends a raw request (http.client or a
socket, never hcpsdk) and expects the answer HCP documents for it.

Where the emulator accepted what HCP refuses, a program could pass its tests against the
emulator and fail against HCP; these tests pin the stricter answers.
"""
from __future__ import annotations

import email.utils
import socket
import xml.etree.ElementTree as ET

import pytest
from emulator_support import Client, token

# ---------------------------------------------------------------- helpers


def _raw(hcp, request: bytes) -> tuple[int, bytes]:
    """Send *request* as is to node 0's HTTP port; the status and the answer's head."""
    with socket.create_connection((hcp.addresses[0], hcp.http_port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.partition(b"\r\n\r\n")[0]
    return int(head.split(b" ", 2)[1]), head


def _auth(hcp) -> bytes:
    return f"Authorization: HCP {token(hcp.user, hcp.password)}\r\n".encode()


def _date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


# ---------------------------------------------------------------- routing by Host


@pytest.mark.parametrize("which", ["ip", "other_domain", "tenant", "admin", "system_domain",
                                   "three_labels"])
def test_a_host_naming_no_namespace_is_403_and_reaches_none(client, unique, hcp, which):
    host = {"ip": hcp.addresses[0], "other_domain": "n1.m.example.org",
            "tenant": hcp.tenant_fqdn, "admin": hcp.admin_fqdn, "system_domain": hcp.domain,
            "three_labels": f"x.n1.m.{hcp.domain}"}[which]
    r = client.PUT(f"{unique}/o", b"1", host=host)
    assert r.status == 403
    assert host in r.header("X-HCP-ErrorMessage")
    assert hcp.get_object(f"{unique}/o") is None
    assert client.GET("/proc/statistics", host=host).status == 403


def test_an_ip_literal_host_with_port_is_403(client, unique, hcp):
    r = client.GET(f"{unique}/o", host=f"{hcp.addresses[0]}:{hcp.http_port}")
    assert r.status == 403


def test_the_namespace_host_still_reaches_its_namespace(client, unique, hcp):
    assert client.PUT(f"{unique}/o", b"1", host=f"{hcp.fqdn}:{hcp.http_port}").status == 201
    assert hcp.get_object(f"{unique}/o") == b"1"


@pytest.mark.parametrize("version", [b"HTTP/1.1", b"HTTP/1.0"])
def test_a_request_without_host_is_400(hcp, version):
    status, head = _raw(hcp, b"GET /rest/x " + version + b"\r\n" + _auth(hcp) + b"\r\n")
    assert status == 400
    assert b"X-HCP-ErrorMessage: the request has no Host header" in head


def test_a_mapi_request_without_host_is_400(hcp):
    with Client(hcp, port=hcp.mapi_port) as c:
        c.conn.putrequest("GET", "/mapi/tenants", skip_host=True)
        c.conn.endheaders()
        assert c.conn.getresponse().status == 400


# ---------------------------------------------------------------- URL well-formedness


@pytest.mark.parametrize("path", ["/rest/a%zzb", "/rest/a%FFb", "/rest/a%C3", "/rest/a%2",
                                  "/rest/%E2%82", "/proc/%zz"])
def test_a_malformed_percent_encoding_is_400(hcp, path):
    request = f"GET {path} HTTP/1.1\r\nHost: {hcp.fqdn}\r\n".encode() + _auth(hcp) + b"\r\n"
    status, head = _raw(hcp, request)
    assert status == 400
    assert b"URL not well-formed" in head


def test_a_put_with_a_malformed_escape_stores_nothing(hcp, unique):
    request = (f"PUT {unique}/a%zz HTTP/1.1\r\nHost: {hcp.fqdn}\r\nContent-Length: 1\r\n"
               .encode() + _auth(hcp) + b"\r\nx")
    assert _raw(hcp, request)[0] == 400
    assert hcp.get_object(f"{unique}/a%zz") is None


def test_raw_non_ascii_in_the_path_is_400(hcp, unique):
    request = (f"GET {unique}/r\u00e9sum\u00e9 HTTP/1.1\r\nHost: {hcp.fqdn}\r\n".encode()
               + _auth(hcp) + b"\r\n")
    assert _raw(hcp, request)[0] == 400


def test_well_formed_escapes_still_address_the_object(client, unique, hcp):
    assert client.PUT(f"{unique}/r%C3%A9sum%C3%A9%20a%2Bb", b"1").status == 201
    assert hcp.get_object(f"{unique}/r\u00e9sum\u00e9 a+b") == b"1"
    assert client.GET(f"{unique}/r%c3%a9sum%c3%a9%20a%2bb").status == 200  # escapes any case


# ---------------------------------------------------------------- lengths


def test_an_over_long_request_line_is_414(hcp):
    status, _ = _raw(hcp, b"GET /rest/" + b"a" * 70000 + b" HTTP/1.1\r\nHost: "
                     + hcp.fqdn.encode() + b"\r\n\r\n")
    assert status == 414


def test_a_long_request_line_within_the_head_limit_is_served(hcp):
    status, _ = _raw(hcp, b"GET /proc/" + b"a" * 20000 + b" HTTP/1.1\r\nHost: "
                     + hcp.fqdn.encode() + b"\r\n" + _auth(hcp) + b"\r\n")
    assert status == 404


def test_over_large_headers_stay_431(hcp):
    status, _ = _raw(hcp, b"GET /rest/x HTTP/1.1\r\nHost: " + hcp.fqdn.encode()
                     + b"\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    assert status == 431


def test_a_mapi_path_over_4095_bytes_is_414(hcp):
    with Client(hcp, port=hcp.mapi_port, host=hcp.admin_fqdn) as c:
        assert c.GET("/mapi/" + "a" * 4100, auth=(hcp.admin_user, hcp.admin_password)).status \
            == 414


# ---------------------------------------------------------------- Range


@pytest.mark.parametrize("rng", ["pages=1-2", "bytes=5-2", "bytes=0-1,3-4", "bytes=x-1",
                                 "bytes=-", "bytes 0-1"])
def test_an_invalid_range_or_unit_is_ignored(client, unique, rng):
    client.PUT(f"{unique}/r", b"0123456789")
    r = client.GET(f"{unique}/r", headers={"Range": rng})
    assert (r.status, r.body, r.header("Content-Range")) == (200, b"0123456789", None)


@pytest.mark.parametrize("rng", ["bytes=2-4", "bytes=20-30", "bytes=-0", "pages=1-2"])
def test_head_ignores_range(client, unique, rng):
    client.PUT(f"{unique}/r", b"0123456789")
    r = client.HEAD(f"{unique}/r", headers={"Range": rng})
    assert (r.status, r.header("Content-Length"), r.header("Content-Range")) == (200, "10", None)


def test_a_suffix_range_longer_than_the_object_is_the_whole_object(client, unique):
    client.PUT(f"{unique}/r", b"0123456789")
    r = client.GET(f"{unique}/r", headers={"Range": "bytes=-50"})
    assert (r.status, r.body, r.header("Content-Range")) == (206, b"0123456789", "bytes 0-9/10")


def test_a_directory_listing_ignores_range(client, unique):
    client.PUT(f"{unique}/d/o", b"1")
    r = client.GET(f"{unique}/d", headers={"Range": "bytes=0-3"})
    assert r.status == 200 and r.body.startswith(b"<?xml")


# ---------------------------------------------------------------- versions, types


def test_a_version_listing_marks_a_deleted_object_with_deleted(unique, hcp):
    with Client(hcp, host=f"n2.m.{hcp.domain}") as c:
        assert c.PUT(f"{unique}/v", b"1").status == 201
        root = ET.fromstring(c.GET(f"{unique}/v?version=list").body)
        assert (root.get("deleted"), root.get("dirDeleted")) == ("false", None)
        assert c.DELETE(f"{unique}/v").status == 200
        root = ET.fromstring(c.GET(f"{unique}/v?version=list&deleted=true").body)
        assert (root.get("deleted"), root.get("showDeleted"), root.get("dirDeleted")) == (
            "true", "true", None)
        assert [e.get("state") for e in root] == ["created", "deleted"]


def test_a_directory_listing_keeps_dirdeleted(client, unique):
    client.PUT(f"{unique}/d/o", b"1")
    root = ET.fromstring(client.GET(f"{unique}/d").body)
    assert (root.get("dirDeleted"), root.get("deleted")) == ("false", None)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("kind", ["directory", "nonsense"])
def test_get_with_a_type_get_does_not_take_is_400(client, unique, method, kind):
    client.PUT(f"{unique}/d?type=directory")
    client.PUT(f"{unique}/o", b"1")
    for path in (f"{unique}/d", f"{unique}/o", f"{unique}/missing"):
        assert client.request(method, f"{path}?type={kind}").status == 400


def test_whole_object_returns_the_data_then_the_annotation(client, unique):
    client.PUT(f"{unique}/o", b"DATA", headers={"Content-Type": "text/plain"})
    client.PUT(f"{unique}/o?type=custom-metadata", b"<a>1</a>")
    r = client.GET(f"{unique}/o?type=whole-object")
    assert (r.status, r.body) == (200, b"DATA<a>1</a>")
    assert (r.header("X-HCP-Size"), r.header("X-HCP-CustomMetadataFirst"),
            r.header("X-HCP-CustomMetadataContentType"), r.header("X-HCP-DataContentType"),
            r.header("Content-Length")) == ("4", "false", "text/xml", "text/plain", "12")


def test_whole_object_puts_the_annotation_first_when_asked(client, unique):
    client.PUT(f"{unique}/o", b"DATA")
    client.PUT(f"{unique}/o?type=custom-metadata&annotation=extra", b"<b/>")
    r = client.GET(f"{unique}/o?type=whole-object&annotation=extra",
                   headers={"X-HCP-CustomMetadataFirst": "true"})
    assert (r.status, r.body, r.header("X-HCP-CustomMetadataFirst")) == (200, b"<b/>DATA", "true")
    head = client.HEAD(f"{unique}/o?type=whole-object&annotation=extra")
    assert (head.status, head.body, head.header("Content-Length")) == (200, b"", "8")


def test_whole_object_without_the_annotation_is_404_and_with_range_400(client, unique):
    client.PUT(f"{unique}/o", b"DATA")
    assert client.GET(f"{unique}/o?type=whole-object").status == 404
    client.PUT(f"{unique}/o?type=custom-metadata", b"<a/>")
    assert client.GET(f"{unique}/o?type=whole-object", headers={"Range": "bytes=0-1"}).status \
        == 400
    assert client.GET(f"{unique}/o?type=whole-object",
                      headers={"X-HCP-CustomMetadataFirst": "maybe"}).status == 400


# ---------------------------------------------------------------- conditional requests


@pytest.fixture
def stored(client, unique):
    """An object and its ETag (with quotes) and change time (seconds)."""
    r = client.PUT(f"{unique}/c", b"conditional")
    head = client.HEAD(f"{unique}/c")
    changed = int(head.header("X-HCP-ChangeTimeMilliseconds").partition(".")[0]) // 1000
    return f"{unique}/c", r.header("ETag"), changed


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_none_match_on_a_matching_etag_is_304(client, stored, method):
    path, etag, _ = stored
    for value in (etag, "*", f'"other", {etag}', f"W/{etag}"):
        r = client.request(method, path, headers={"If-None-Match": value})
        assert (r.status, r.body, r.header("ETag")) == (304, b"", etag)
        assert r.header("Content-Length") is None
    r = client.request(method, path, headers={"If-None-Match": '"other"'})
    assert r.status == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_modified_since_is_304_unless_changed_after(client, stored, method):
    path, _, changed = stored
    assert client.request(method, path, headers={"If-Modified-Since": _date(changed)}).status \
        == 304
    assert client.request(method, path,
                          headers={"If-Modified-Since": _date(changed - 10)}).status == 200
    assert client.request(method, path, headers={"If-Modified-Since": "not a date"}).status \
        == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_match_on_another_etag_is_412(client, stored, method):
    path, etag, _ = stored
    assert client.request(method, path, headers={"If-Match": '"other"'}).status == 412
    assert client.request(method, path, headers={"If-Match": etag}).status == 200
    assert client.request(method, path, headers={"If-Match": "*"}).status == 200


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_if_unmodified_since_before_the_change_is_412(client, stored, method):
    path, _, changed = stored
    assert client.request(method, path,
                          headers={"If-Unmodified-Since": _date(changed - 10)}).status == 412
    assert client.request(method, path,
                          headers={"If-Unmodified-Since": _date(changed + 10)}).status == 200


def test_date_conditions_take_the_three_http_date_forms(client, stored):
    path, _, changed = stored
    later = changed + 86400
    rfc850 = email.utils.formatdate(later, usegmt=True)
    weekday, rest = rfc850.split(", ")
    day, month, year, clock, _ = rest.split(" ")
    names = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday",
             "Fri": "Friday", "Sat": "Saturday", "Sun": "Sunday"}
    for text in (rfc850, f"{names[weekday]}, {day}-{month}-{year[2:]} {clock} GMT",
                 f"{weekday} {month} {int(day):2d} {clock} {year}"):
        assert client.GET(path, headers={"If-Modified-Since": text}).status == 304, text


def test_etag_conditions_come_before_date_conditions(client, stored):
    path, etag, changed = stored
    # a matching If-Match makes If-Unmodified-Since irrelevant (RFC 7232 section 6)
    assert client.GET(path, headers={"If-Match": etag,
                                     "If-Unmodified-Since": _date(changed - 10)}).status == 200
    # a non-matching If-None-Match makes If-Modified-Since irrelevant
    assert client.GET(path, headers={"If-None-Match": '"other"',
                                     "If-Modified-Since": _date(changed)}).status == 200


def test_force_etag_is_accepted_and_checked(client, stored):
    path, etag, _ = stored
    assert client.GET(f"{path}?forceEtag=true", headers={"If-Match": etag}).status == 200
    assert client.HEAD(f"{path}?forceEtag=false").status == 200
    assert client.GET(f"{path}?forceEtag=maybe").status == 400
    assert client.PUT(f"{path}-2?forceEtag=true", b"x").status == 201


def test_a_conditional_put_is_412_when_its_condition_fails(client, stored, hcp):
    path, etag, _ = stored
    assert client.PUT(path, b"again", headers={"If-None-Match": "*"}).status == 412
    assert client.PUT(path, b"again", headers={"If-Match": '"other"'}).status == 412
    assert client.PUT(f"{path}-new", b"new", headers={"If-Match": "*"}).status == 412
    assert client.PUT(f"{path}-new", b"new", headers={"If-None-Match": "*"}).status == 201
    assert hcp.get_object(path) == b"conditional"


def test_conditional_headers_on_post_are_400(client, stored):
    path, etag, _ = stored
    assert client.POST(f"{path}?index=false", headers={"If-Match": etag}).status == 400


# ---------------------------------------------------------------- annotations, owner


def test_deleting_an_annotation_the_object_lacks_is_204(client, unique):
    client.PUT(f"{unique}/o", b"1")
    assert client.DELETE(f"{unique}/o?type=custom-metadata").status == 204
    assert client.DELETE(f"{unique}/o?type=custom-metadata&annotation=x").status == 204
    client.PUT(f"{unique}/o?type=custom-metadata", b"<a/>")
    assert client.DELETE(f"{unique}/o?type=custom-metadata").status == 200
    assert client.DELETE(f"{unique}/none?type=custom-metadata").status == 404


def test_an_annotation_the_object_lacks_is_204_with_a_message(client, unique):
    client.PUT(f"{unique}/o", b"1")
    r = client.GET(f"{unique}/o?type=custom-metadata&annotation=x")
    assert (r.status, r.header("X-HCP-ErrorMessage")) == (204, "No annotation exists with name x")


def test_an_owner_that_is_no_user_is_400(client, unique, hcp):
    client.PUT(f"{unique}/o", b"1")
    r = client.POST(f"{unique}/o?owner=nobody")
    assert r.status == 400 and "nobody" in r.header("X-HCP-ErrorMessage")
    assert client.HEAD(f"{unique}/o").header("X-HCP-Owner") == hcp.user
    assert client.POST(f"{unique}/o?owner={hcp.user}").status == 200
    assert client.POST(f"{unique}/o?owner=").status == 200  # no owner
    assert client.HEAD(f"{unique}/o").header("X-HCP-Owner") == ""


# ---------------------------------------------------------------- hold + retention, /proc


def test_a_put_with_hold_and_retention_is_400(client, unique, hcp):
    r = client.PUT(f"{unique}/o?hold=true&retention=A%2B1d", b"1")
    assert r.status == 400 and "hold" in r.header("X-HCP-ErrorMessage")
    assert hcp.get_object(f"{unique}/o") is None


@pytest.mark.parametrize("url", ["/proc/statistics?x=1", "/proc/statistics?single=true",
                                 "/proc/permissions?verbose=true", "/proc?nonsense=1",
                                 "/proc/retentionClasses?a="])
def test_proc_with_an_unknown_parameter_is_400(client, url):
    r = client.GET(url)
    assert r.status == 400 and "unsupported query parameter" in r.header("X-HCP-ErrorMessage")


def test_proc_still_takes_single(client):
    assert client.GET("/proc?single=true").status == 200
    assert client.GET("/proc/statistics").status == 200


def test_a_mapi_path_on_the_data_port_is_403(client, hcp):
    for host in (hcp.admin_fqdn, hcp.tenant_fqdn, hcp.fqdn):
        assert client.GET("/mapi/tenants", host=host).status == 403
