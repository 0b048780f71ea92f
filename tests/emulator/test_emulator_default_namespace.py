"""HCP's Default Namespace (``default.default.<domain>``): no authentication, objects under
``/fcfs_data/``, metadata files under ``/fcfs_metadata/``.

hcpsdk Targets with ``DummyAuthorization`` resolve the name through the emulated DNS and
talk to the emulator over real sockets; the 0.9.5 junk header goes through plain http.client.
"""
from __future__ import annotations

import http.client
import time
from xml.etree import ElementTree

import pytest
from emulator_support import Client

import hcpsdk

#: The headers the Default Namespace shows on HEAD (the spec's limited set).
_ARC_HEADERS = {"x-arcservicedbysystem", "x-arcclustertime", "x-arcpermissionsuidgid",
                "x-arctimes", "x-arcsize"}


@pytest.fixture(scope="module")
def fcfs_host(hcp):
    return f"default.default.{hcp.domain}"


@pytest.fixture(params=["http", "https"])
def conn(request, hcp, fcfs_host):
    """A Connection to the Default Namespace (no credentials), over HTTP and HTTPS."""
    port = hcp.http_port if request.param == "http" else hcp.https_port
    target = hcpsdk.Target(fcfs_host, hcpsdk.DummyAuthorization(), port=port,
                           tls=request.param == "https", resolver=hcp.resolver())
    with hcpsdk.Connection(target, timeout=5.0) as c:
        yield c


@pytest.fixture
def name(request):
    return f"/fcfs_data/defaultns/{request.node.name.replace('[', '_').rstrip(']')}.txt"


def test_dns_answers_the_default_namespace(hcp, fcfs_host):
    answer = hcp.resolver().resolve(fcfs_host, "A")
    assert {rr.address for rr in answer} == set(hcp.addresses)


def test_put_head_get_delete(conn, hcp, name):
    before = int(time.time())
    assert conn.PUT(name, body=b"default namespace data").status == 201
    assert conn.HEAD(name).status == 200
    headers = {k.lower(): v for k, v in conn.getheaders()}
    assert _ARC_HEADERS <= set(headers)
    assert not [k for k in headers if k.startswith("x-hcp-") and k not in (
        "x-hcp-time", "x-hcp-servicedbysystem", "x-hcp-softwareversion")]
    assert headers["x-arcsize"] == "22"
    assert headers["content-length"] == "22"
    assert headers["x-arcservicedbysystem"] == hcp.domain
    assert headers["x-arcpermissionsuidgid"] == "mode=0100400; uid=0; gid=0"
    assert abs(int(headers["x-arcclustertime"]) - before) <= 5
    times = dict(part.strip().split("=") for part in headers["x-arctimes"].split(";"))
    assert set(times) == {"ctime", "mtime", "atime"}
    assert all(before <= int(t) <= before + 5 for t in times.values())
    assert headers["etag"].strip('"') and headers["content-type"] == "text/plain"
    assert conn.GET(name).status == 200
    assert conn.read() == b"default namespace data"
    assert conn.DELETE(name).status == 200
    assert conn.HEAD(name).status == 404
    assert conn.DELETE(name).status == 404


def test_default_namespace_is_its_own_store(conn, hcp, name):
    assert conn.PUT(name, body=b"x").status == 201
    assert conn.PUT(name, body=b"y").status == 409          # no versioning
    assert hcp.system.default_namespace().store.current(name[len("/fcfs_data/"):]) is not None
    assert hcp.get_object("/rest" + name[len("/fcfs_data"):]) is None
    assert "default" not in hcp.system.tenants                # MAPI does not see it
    assert conn.DELETE(name).status == 200


def test_metadata_files(conn, name):
    meta = name.replace("/fcfs_data/", "/fcfs_metadata/", 1)
    assert conn.PUT(name, body=b"0123456789").status == 201
    assert conn.GET(meta + "/custom-metadata.xml").status == 404
    conn.read()
    annotation = b"<note>hello</note>"
    assert conn.PUT(meta + "/custom-metadata.xml", body=annotation,
                    headers={"Content-Type": "text/xml"}).status == 201
    assert conn.GET(meta + "/custom-metadata.xml").status == 200
    assert conn.read() == annotation
    assert conn.GET(meta + "/core-metadata.xml").status == 200
    core = ElementTree.fromstring(conn.read())
    assert core.tag == "core-metadata"
    assert core.findtext("name") == name and core.findtext("size") == "10"
    assert core.findtext("custom-metadata") == "true"
    assert conn.PUT(meta + "/core-metadata.xml", body=b"<x/>").status == 403   # read only
    assert conn.DELETE(meta + "/custom-metadata.xml").status == 200
    assert conn.HEAD(meta + "/custom-metadata.xml").status == 404
    assert conn.DELETE(name).status == 200
    assert conn.GET(meta + "/core-metadata.xml").status == 404
    conn.read()


def test_junk_header_and_no_credentials_are_enough(hcp, fcfs_host, name):
    """The 0.9.5 client's DummyAuthorization sends ``HCPSDK_DUMMY: DUMMY`` only."""
    conn = http.client.HTTPConnection(hcp.addresses[1], hcp.http_port, timeout=5)
    try:
        for method, status in (("PUT", 201), ("GET", 200), ("DELETE", 200)):
            conn.request(method, name, body=b"junk" if method == "PUT" else None,
                         headers={"Host": fcfs_host, "HCPSDK_DUMMY": "DUMMY"})
            resp = conn.getresponse()
            assert (resp.status, resp.read()) == (status, b"junk" if method == "GET" else b"")
    finally:
        conn.close()


def test_directories_and_range(conn, name):
    directory = name.rsplit(".", 1)[0] + "-dir"
    assert conn.PUT(directory, params={"type": "directory"}).status == 201
    assert conn.PUT(directory + "/o", body=b"abcdef").status == 201
    assert conn.GET(directory + "/o", headers={"Range": "bytes=2-3"}).status == 206
    assert conn.read() == b"cd"
    assert conn.DELETE(directory).status == 403              # not empty
    assert conn.DELETE(directory + "/o").status == 200
    assert conn.DELETE(directory).status == 200


def test_fcfs_paths_elsewhere_and_rest_on_the_default_namespace(hcp, fcfs_host, unique):
    with Client(hcp) as c:
        assert c.GET("/fcfs_data/x").status == 404                       # on n1.m
        r = c.GET(f"{unique}/o", host=fcfs_host)
        assert r.status == 403 and r.header("X-HCP-ErrorMessage")
        assert c.PUT("/fcfs_data/q?hold=true", b"1", host=fcfs_host).status == 400


def test_certificate_covers_the_default_namespace(hcp, fcfs_host, name):
    """A client that verifies host names (the emulator's CA, check_hostname on) accepts it."""
    with Client(hcp, tls=True, host=fcfs_host, auth=None) as c:
        assert c.PUT(name, b"verified").status == 201
        assert c.GET(name).body == b"verified"
        assert c.DELETE(name).status == 200
