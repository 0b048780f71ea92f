"""The client's arguments, expressions, cursor and error mapping."""
from __future__ import annotations

import gzip
import http.client
import http.server
import json
import threading
from datetime import UTC, datetime

import pytest
from query_support import DOMAIN
from shared_support import QuietHandler

import hcpsdk
import hcpsdk.query.search
from hcpsdk.emulator.model import auth_token
from hcpsdk.query import (
    ChangeCursor,
    QueryError,
    QueryRequestError,
    QueryStatusError,
    QueryTooLargeError,
    Search,
    all_of,
    any_of,
    everything,
    not_,
    prop,
)


@pytest.mark.parametrize("expr, text", [
    (prop("namespace").eq("n1.m"), 'namespace:"n1.m"'),
    (prop("namespace").eq("n1.m") & prop("size").between(0, 10), '+namespace:"n1.m" +size:[0 TO 10]'),
    (prop("size").between(1, None, inclusive=False), "size:{1 TO *}"),
    (prop("retention").eq(-2), 'retention:"-2"'),
    (prop("hold").eq(True) | prop("shred").eq(False), "hold:true shred:false"),
    (~prop("hold").eq(True), "+*:* -hold:true"),
    (all_of(prop("size").eq(1), not_(prop("hold").eq(True))), "+size:1 -hold:true"),
    (any_of(prop("size").eq(1), ~prop("hold").eq(True)), "size:1 (+*:* -hold:true)"),
    (all_of(prop("size").eq(1), any_of(prop("a").eq("x"), prop("b").eq("y"))),
     '+size:1 +(a:"x" b:"y")'),
    (not_(not_(prop("size").eq(1))), "size:1"),
    (prop("utf8Name").eq('say "hi" \\ bye'), 'utf8Name:"say \\"hi\\" \\\\ bye"'),
    (prop("utf8Name").like("a b*.p?f"), "utf8Name:a\\ b*\\.p?f"),
    (prop("utf8Name").startswith("x*y"), "utf8Name:x\\*y*"),
    (prop("retentionClass").one_of("A", "B C"), 'retentionClass:("A" "B C")'),
    (prop("ingestTime").eq(datetime(2024, 3, 1, tzinfo=UTC)), "ingestTime:1709251200"),
    (prop("changeTimeMilliseconds").at_least(datetime(2024, 3, 1, tzinfo=UTC)),
     "changeTimeMilliseconds:[1709251200000 TO *]"),
    (prop("ingestTimeString").between(datetime(2024, 3, 1), datetime(2024, 3, 1, 23, 59, 59)),
     "ingestTimeString:[2024-03-01T00:00:00 TO 2024-03-01T23:59:59]"),
    (everything(), "*:*"),
])
def test_expressions_render_to_hcp_text(expr, text):
    assert str(expr) == text


@pytest.mark.parametrize("make, error", [
    (lambda: prop("size").eq("5"), hcpsdk.HcpsdkTypeError),
    (lambda: prop("size").eq(True), hcpsdk.HcpsdkTypeError),
    (lambda: prop("hold").eq(1), hcpsdk.HcpsdkTypeError),
    (lambda: prop("utf8Name").eq(5), hcpsdk.HcpsdkTypeError),
    (lambda: prop("ingestTimeString").eq("2024-03-01"), hcpsdk.HcpsdkTypeError),
    (lambda: prop("bad name"), hcpsdk.HcpsdkArgumentError),
    (lambda: prop(5), hcpsdk.HcpsdkTypeError),
    (lambda: prop("utf8Name").like(""), hcpsdk.HcpsdkArgumentError),
    (lambda: prop("size").one_of(), hcpsdk.HcpsdkArgumentError),
    (lambda: all_of(), hcpsdk.HcpsdkArgumentError),
    (lambda: all_of("size:1"), hcpsdk.HcpsdkTypeError),
    (lambda: ChangeCursor(transactions=["update"]), hcpsdk.HcpsdkArgumentError),
    (lambda: ChangeCursor(namespaces="n1.m"), hcpsdk.HcpsdkTypeError),
    (lambda: ChangeCursor(directories=["a"]), hcpsdk.HcpsdkArgumentError),
    (lambda: ChangeCursor(start="yesterday"), hcpsdk.HcpsdkTypeError),
    (lambda: ChangeCursor(last_url_name="u"), hcpsdk.HcpsdkTypeError),
    (lambda: ChangeCursor.from_json("{"), hcpsdk.HcpsdkArgumentError),
    (lambda: ChangeCursor.from_dict({"cursor": 1}), hcpsdk.HcpsdkArgumentError),
])
def test_bad_arguments_fail_at_once_naming_them(make, error):
    with pytest.raises(error):
        make()


def test_a_cursor_round_trips_through_json():
    cursor = ChangeCursor(namespaces=["n1.m"], transactions=["create"], start=5,
                          end=datetime(2024, 3, 1, tzinfo=UTC), properties=["size"],
                          last_url_name="https://n1.m.x/rest/a", last_change_time_ms="1.00",
                          last_version=7)
    assert cursor.end == 1709251200000
    assert ChangeCursor.from_json(cursor.to_json()) == cursor
    assert json.loads(cursor.to_json())["namespaces"] == ["n1.m"]


def test_search_arguments_are_checked_before_sending(mqe, tenant_target):
    with pytest.raises(hcpsdk.HcpsdkArgumentError):
        Search(tenant_target, fmt="yaml")
    before = len(mqe.requests)
    with Search(tenant_target) as search:
        for call in (lambda: search.objects(123), lambda: search.objects(""),
                     lambda: search.objects(everything(), page_size=0),
                     lambda: search.objects(everything(), page_size=10_001),
                     lambda: search.objects(everything(), properties="size"),
                     lambda: search.objects(everything(), sort=[("size", "up")]),
                     lambda: search.objects(everything(), verbose="yes"),
                     lambda: search.facets(everything(), []),
                     lambda: search.changes("cursor")):
            with pytest.raises(hcpsdk.HcpsdkError):
                call()
    assert len(mqe.requests) == before


def test_a_body_over_8_kib_is_refused_before_sending(mqe, tenant_target):
    big = any_of(*(prop("utf8Name").eq(f"name-{i:04d}") for i in range(600)))
    before = len(mqe.requests)
    with Search(tenant_target) as search, pytest.raises(QueryTooLargeError, match="not sent"):
        search.count(big)
    assert len(mqe.requests) == before


def test_hcp_refusing_a_large_body_raises_query_too_large_error(tenant_target, monkeypatch):
    monkeypatch.setattr(hcpsdk.query.search, "MAX_BODY", 1 << 20)
    big = any_of(*(prop("utf8Name").eq(f"name-{i:04d}") for i in range(600)))
    with Search(tenant_target, fmt="xml") as search, pytest.raises(QueryTooLargeError) as info:
        search.count(big)
    assert info.value.status == 413 and "8192" in info.value.hcp_message


@pytest.mark.parametrize("text, message", [("+nosuch:1", "unknown property"),
                                           ("size:1 AND hold:true", "AND"),
                                           ("size:[1 TO", "range bound"), ("size:abc", "not a number")])
def test_a_refused_query_raises_query_request_error_with_hcps_message(search, text, message):
    with pytest.raises(QueryRequestError) as info:
        search.count(text)
    err = info.value
    assert isinstance(err, QueryStatusError) and isinstance(err, hcpsdk.HcpsdkStatusError)
    assert err.status == 400 and message in err.hcp_message and message in str(err)


def _raw(mqe, body, ctype="application/json", path="/query", **headers):
    con = http.client.HTTPSConnection(mqe.addresses[0], mqe.https_port,
                                      context=mqe.client_context())
    try:
        con.request("POST", path, body=body, headers={
            "Host": f"m.{DOMAIN}", "Content-Type": ctype, "Accept": "application/json",
            "Authorization": "HCP " + auth_token("n", "n01"), **headers})
        resp = con.getresponse()
        return resp.status, resp.getheader("X-HCP-ErrorMessage"), resp.read()
    finally:
        con.close()


@pytest.mark.parametrize("body, ctype, status", [
    (b"{" + b" " * 9000 + b"}", "application/json", 413),
    (b"{}", "text/plain", 400),
    (b"<queryRequest><object><nosuch/></object></queryRequest>", "application/xml", 400),
    (json.dumps({"object": {"query": "*:*", "count": 10_001}}).encode(), "application/json", 400),
    (json.dumps({"object": {"query": "*:*", "offset": 100_001}}).encode(), "application/json", 400),
    (json.dumps({"object": {"query": "*:*", "sort": "customMetadataAnnotation"}}).encode(),
     "application/json", 400),
    (json.dumps({"operation": {"systemMetadata": {"transactions": {"transaction": ["x"]}}}}).encode(),
     "application/json", 400),
    (b"<queryRequest/>", "application/xml", 200),
])
def test_the_emulator_answers_malformed_requests_like_hcp(mqe, body, ctype, status):
    got, message, _ = _raw(mqe, body, ctype)
    assert got == status, message


def test_url_parameters_and_gzip_bodies(mqe):
    body = json.dumps({"object": {"query": "*:*", "count": 0}}).encode()
    assert _raw(mqe, body, path="/query?prettyprint")[0] == 200
    status, message, _ = _raw(mqe, body, path="/query?offset=3")
    assert (status, message) == (400, "unsupported query parameter(s): offset")
    status, _, answer = _raw(mqe, gzip.compress(body), **{"Content-Encoding": "gzip"})
    assert status == 200 and json.loads(answer)["queryResult"]["status"]["results"] == 0
    assert _raw(mqe, body, **{"Content-Encoding": "gzip"})[0] == 400
    bomb = gzip.compress(b" " * (1 << 20) + body)
    assert len(bomb) < 8192 and _raw(mqe, bomb, **{"Content-Encoding": "gzip"})[0] == 400


def test_a_target_on_the_mapi_port_is_refused_at_once(mqe):
    target = hcpsdk.Target(f"m.{DOMAIN}", hcpsdk.NativeAuthorization("n", "n01"), port=9090,
                           resolver=mqe.resolver())
    with pytest.raises(hcpsdk.HcpsdkPortError, match="data ports"):
        Search(target)


def test_repr_names_the_target_not_the_password(tenant_target):
    with Search(tenant_target) as search:
        assert "m.mqe.example.com" in repr(search) and "n01" not in repr(search)
        assert search.fmt == "json"


class _Garbage(QuietHandler):
    """Answers every POST with 200 and a body that is no query result."""

    bodies: dict[str, bytes] = {"json": b"<html>not json</html>",
                                "xml": b"<?xml version='1.0'?><error/>"}

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        fmt = "json" if "json" in self.headers["Accept"] else "xml"
        self.answer(200, self.bodies[fmt])


@pytest.mark.parametrize("fmt, message", [("json", "not a query result in JSON"),
                                          ("xml", "not <queryResult>")])
def test_an_answer_that_is_no_query_result_raises_query_error(fmt, message):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        target = hcpsdk.Target("127.0.0.1", hcpsdk.NativeAuthorization("n", "n01"),
                               port=server.server_address[1], tls=False)
        with Search(target, fmt=fmt) as search, pytest.raises(QueryError, match=message):
            search.count(everything())
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
