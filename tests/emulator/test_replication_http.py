"""A linked pair of emulators over real sockets: data written on one side appears on the
other, MAPI link actions change what each side accepts. Plain http.client + ssl + dnspython.

Two module-scoped emulators; each test makes its own link (and deletes it at the end),
waits for the link's initial copy of what earlier tests stored, and uses its own paths.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import json
import ssl
import threading

import pytest

from hcpsdk.emulator import Emulator

_names = itertools.count(1)


def _auth(user: str, password: str) -> str:
    return ("HCP " + base64.b64encode(user.encode()).decode() + ":"
            + hashlib.md5(password.encode()).hexdigest())


def _call(hcp: Emulator, method: str, host: str, port: int, path: str, auth: str,
          body: bytes | None = None, accept: str = "*/*"
          ) -> tuple[int, http.client.HTTPMessage, bytes]:
    context = ssl.create_default_context(cafile=hcp.cafile)
    conn = http.client.HTTPSConnection(hcp.addresses[-1], port, context=context, timeout=10)
    try:
        conn.request(method, path, body=body,
                     headers={"Host": host, "Authorization": auth, "Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def put(hcp: Emulator, path: str, data: bytes) -> tuple[int, str]:
    """PUT through the data API; (status, X-HCP-ErrorMessage)."""
    status, headers, _ = _call(hcp, "PUT", hcp.fqdn, hcp.https_port, "/rest/" + path,
                               _auth(hcp.user, hcp.password), data)
    return status, headers.get("X-HCP-ErrorMessage", "")


def get(hcp: Emulator, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    return _call(hcp, "GET", hcp.fqdn, hcp.https_port, "/rest/" + path,
                 _auth(hcp.user, hcp.password))


def action(hcp: Emulator, link: str, name: str, flag: str = "=") -> tuple[int, str]:
    """POST a link action the way the 0.9.5 client does (``?action=``, empty body);
    ``flag=""`` sends the bare ``?action`` of HCP's documentation."""
    status, headers, _ = _call(hcp, "POST", hcp.admin_fqdn, hcp.mapi_port,
                               f"/mapi/services/replication/links/{link}?{name}{flag}",
                               _auth(hcp.admin_user, hcp.admin_password), b"")
    return status, headers.get("X-HCP-ErrorMessage", "")


def details_json(hcp: Emulator, link: str) -> dict:
    """The link as *hcp* sees it (MAPI, verbose, JSON)."""
    status, headers, body = _call(hcp, "GET", hcp.admin_fqdn, hcp.mapi_port,
                                  f"/mapi/services/replication/links/{link}?verbose=true",
                                  _auth(hcp.admin_user, hcp.admin_password),
                                  accept="application/json")
    assert status == 200, headers.get("X-HCP-ErrorMessage")
    return json.loads(body)


@pytest.fixture(scope="module")
def systems():
    with Emulator(nodes=2, domain="hcp1.example.com") as one, \
            Emulator(nodes=2, domain="hcp2.example.com") as two:
        yield one, two


@pytest.fixture
def linked(systems, request):
    """A fresh link for one test: ``linked(link_type=..., delay=...)``."""
    made = []

    def make(link_type: str = "ACTIVE_ACTIVE", delay: float = 0.0):
        one, two = systems
        link = one.link(two, name=f"{request.node.name[:40]}-{next(_names)}",
                        link_type=link_type, delay=delay)
        made.append(link)
        assert link.wait_idle(10)   # the initial copy of what earlier tests stored
        return one, two, link

    yield make
    for link in made:
        link.close()


def _path(request) -> str:
    return f"{request.node.name}/{next(_names)}.txt"


def test_active_active_write_appears_on_the_other_side_at_once(linked, request):
    one, two, link = linked()
    before = details_json(two, link.name)["statistics"]
    path = _path(request)
    assert put(one, path, b"written on hcp1") == (201, "")
    status, headers, body = get(two, path)
    assert (status, body) == (200, b"written on hcp1")
    assert headers["X-HCP-Replicated"] == "true"
    back = _path(request)
    assert put(two, back, b"written on hcp2")[0] == 201
    assert get(one, back)[2] == b"written on hcp2"
    stats = details_json(two, link.name)["statistics"]
    assert stats["objectsReplicated"] - before["objectsReplicated"] == 2
    assert stats["bytesReplicated"] - before["bytesReplicated"] == 30


def test_delete_replicates(linked, request):
    one, two, _ = linked()
    path = _path(request)
    put(one, path, b"short-lived")
    status, _, _ = _call(one, "DELETE", one.fqdn, one.https_port, "/rest/" + path,
                         _auth(one.user, one.password))
    assert status == 200
    assert get(two, path)[0] == 404


def test_deleting_one_old_version_replicates(linked, request):
    one, two, link = linked()
    path = f"{request.node.name}/{next(_names)}.txt"
    host = "n2.m." + one.domain
    auth = _auth(one.user, one.password)
    ids = [_call(one, "PUT", host, one.https_port, f"/rest/{path}", auth, data)[1]
           ["X-HCP-VersionId"] for data in (b"one", b"two")]
    assert link.wait_idle(10)
    status, _, _ = _call(one, "DELETE", host, one.https_port, f"/rest/{path}?version={ids[0]}",
                         auth)
    assert status == 200
    assert link.wait_idle(10)
    replica = [(v.version_id, v.blob.read()) for v in
               two.system.namespace("m", "n2").store.objects[path]]
    assert replica == [(int(ids[1]), b"two")]


def test_delayed_link_delivers_after_the_delay(linked, request):
    one, two, link = linked(delay=0.5)
    before = details_json(one, link.name)["statistics"]["objectsReplicated"]
    path = _path(request)
    assert put(one, path, b"later")[0] == 201
    assert get(two, path)[0] == 404
    stats = details_json(one, link.name)["statistics"]
    assert (stats["objectsPending"], stats["bytesPending"]) == (1, 5)
    assert details_json(two, link.name)["statistics"]["objectsPendingRemote"] == 1
    assert link.wait_idle(5.0)
    assert get(two, path)[2] == b"later"
    stats = details_json(one, link.name)["statistics"]
    assert (stats["objectsPending"], stats["objectsReplicated"] - before) == (0, 1)


def test_suspended_link_queues_and_resume_flushes(linked, request):
    one, two, link = linked()
    assert action(one, link.name, "suspend", flag="") == (200, "")
    d = details_json(two, link.name)
    assert d["suspended"] is True and d["statusMessage"] == "Suspended by user"
    paths = [_path(request) for _ in range(3)]
    for p in paths:
        assert put(one, p, b"queued")[0] == 201
    assert all(get(two, p)[0] == 404 for p in paths)
    stats = details_json(one, link.name)["statistics"]
    assert (stats["objectsPending"], stats["bytesPending"]) == (3, 18)
    assert action(one, link.name, "suspend")[0] == 400
    assert action(two, link.name, "resume") == (200, "")
    assert all(get(two, p)[2] == b"queued" for p in paths)
    d = details_json(one, link.name)
    assert d["suspended"] is False and d["statistics"]["objectsPending"] == 0


def test_active_passive_replica_refuses_writes_until_failover(linked, request):
    one, two, link = linked(link_type="OUTBOUND")
    assert details_json(one, link.name)["type"] == "OUTBOUND"
    assert details_json(two, link.name)["type"] == "INBOUND"
    primary_obj = _path(request)
    assert put(one, primary_obj, b"primary data")[0] == 201
    assert get(two, primary_obj)[2] == b"primary data"
    status, message = put(two, _path(request), b"rejected")
    assert status == 403 and message

    assert action(two, link.name, "failOver") == (200, "")
    assert details_json(two, link.name)["statusMessage"] == "Failed over"
    on_replica = _path(request)
    assert put(two, on_replica, b"replica data") == (201, "")
    assert get(one, on_replica)[0] == 404

    assert action(two, link.name, "beginRecovery") == (200, "")
    assert get(one, on_replica)[2] == b"replica data"
    assert put(one, _path(request), b"primary is read-only now")[0] == 403

    assert action(two, link.name, "completeRecovery") == (200, "")
    assert details_json(one, link.name)["statusMessage"] == "Synchronizing data"
    assert put(one, _path(request), b"primary again")[0] == 201
    assert put(two, _path(request), b"replica read-only again")[0] == 403


@pytest.mark.parametrize("side", [0, 1])
def test_failback_on_active_passive_link_is_400(linked, side):
    one, two, link = linked(link_type="OUTBOUND")
    hcp = (one, two)[side]
    expected = ("OUTBOUND", "INBOUND")[side]
    assert action(hcp, link.name, "failBack") == (400, f"failBack not allowed on {expected} link")


def test_active_active_failover_and_failback(linked, request):
    one, two, link = linked()
    assert action(two, link.name, "failOver") == (200, "")
    assert action(two, link.name, "failOver")[0] == 400
    assert details_json(one, link.name)["status"] == "WARNING"
    a, b = _path(request), _path(request)
    assert put(one, a, b"one")[0] == 201 and put(two, b, b"two")[0] == 201
    assert get(two, a)[0] == 404 and get(one, b)[0] == 404
    assert action(one, link.name, "failBack") == (200, "")
    assert get(two, a)[2] == b"one" and get(one, b)[2] == b"two"
    assert details_json(two, link.name)["status"] == "GOOD"


def test_restore_is_reported(linked):
    one, _, link = linked()
    assert action(one, link.name, "restore") == (200, "")
    assert details_json(one, link.name)["statusMessage"] == "Link restored"


def test_each_dns_answers_the_other_systems_names(linked):
    one, two, _ = linked()
    answer = one.resolver().resolve(two.fqdn, "A")
    assert sorted(r.address for r in answer) == sorted(two.addresses)
    answer = two.resolver().resolve(one.admin_fqdn, "A")
    assert sorted(r.address for r in answer) == sorted(one.addresses)


def test_deleted_link_disappears_from_mapi(systems):
    one, two = systems
    link = one.link(two, name="short-lived", link_type="OUTBOUND")
    assert two.system.namespace("m", "n1").read_only
    link.close()
    assert "short-lived" not in one.system.links and "short-lived" not in two.system.links
    assert not two.system.namespace("m", "n1").read_only
    status, _, _ = _call(one, "GET", one.admin_fqdn, one.mapi_port,
                         "/mapi/services/replication/links/short-lived",
                         _auth(one.admin_user, one.admin_password))
    assert status == 404


def test_emulator_exit_stops_the_link_thread():
    with Emulator(nodes=1, domain="hcp5.example.com") as one, \
            Emulator(nodes=1, domain="hcp6.example.com") as two:
        link = one.link(two, delay=0.05)
        assert any(t.name == f"hcp-link-{link.name}" for t in threading.enumerate())
    assert not any(t.name == f"hcp-link-{link.name}" for t in threading.enumerate())


def test_objects_stored_before_linking_are_copied(request):
    with Emulator(nodes=1, domain="hcp7.example.com") as one, \
            Emulator(nodes=1, domain="hcp8.example.com") as two:
        path = _path(request)
        assert put(one, path, b"old content")[0] == 201
        link = one.link(two, link_type="OUTBOUND", delay=0.01)
        assert link.wait_idle(5)
        status, headers, body = get(two, path)
        assert (status, body, headers["X-HCP-Replicated"]) == (200, b"old content", "true")
