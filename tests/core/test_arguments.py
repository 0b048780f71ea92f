"""Wrong arguments fail up front with an HcpsdkError that is also a TypeError/ValueError,
naming the parameter and the value; the Connection stays usable."""
from __future__ import annotations

import ssl

import pytest

import hcpsdk

AUTH = hcpsdk.NativeAuthorization("n", "n01")
T = hcpsdk.HcpsdkTypeError
V = hcpsdk.HcpsdkArgumentError
HOST = "127.0.0.1"  # an IP literal: no DNS needed


def test_the_new_errors_fit_both_trees():
    assert issubclass(T, hcpsdk.HcpsdkError) and issubclass(T, TypeError)
    assert issubclass(V, hcpsdk.HcpsdkError) and issubclass(V, ValueError)
    assert not issubclass(T, ValueError) and not issubclass(V, TypeError)


@pytest.mark.parametrize("args, kw, error, words", [
    ((None, AUTH), {}, T, "fqdn must be a str host name like 'n1.m.hcp1.example.com', not None"),
    ((42, AUTH), {}, T, "fqdn must be a str host name like 'n1.m.hcp1.example.com', not int 42"),
    ((b"n1.m.hcp1.example.com", AUTH), {}, T, "not bytes b'n1.m.hcp1.example.com'"),
    (("", AUTH), {}, V, "fqdn must be"),
    (("https://n1.m.hcp1.example.com", AUTH), {}, V,
     "(no scheme, port or path), not 'https://n1.m.hcp1.example.com'"),
    (("n1.m.hcp1.example.com:443", AUTH), {}, V, "no scheme, port or path"),
    (("n1.m.hcp1.example.com/rest", AUTH), {}, V, "no scheme, port or path"),
    (("n1 m", AUTH), {}, V, "no scheme, port or path"),
    ((HOST, None), {}, T, "authorization must be an hcpsdk authorization object"),
    ((HOST, "n:n01"), {}, T, "authorization must be"),
    ((HOST, ("n", "n01")), {}, T, "authorization must be"),
    ((HOST, AUTH), {"port": None}, T, "port must be an int 1..65535, not None"),
    ((HOST, AUTH), {"port": "443"}, T, "port must be an int 1..65535, not str '443'"),
    ((HOST, AUTH), {"port": True}, T, "port must be an int 1..65535, not bool True"),
    ((HOST, AUTH), {"port": -1}, V, "port must be an int 1..65535, not -1"),
    ((HOST, AUTH), {"port": 0}, V, "port must be an int 1..65535, not 0"),
    ((HOST, AUTH), {"port": 70000}, V, "port must be an int 1..65535, not 70000"),
    ((HOST, AUTH), {"sslcontext": "x"}, T, "sslcontext must be None or an ssl.SSLContext"),
    ((HOST, AUTH), {"interface": "bogus"}, V, "interface must be one of I_NATIVE"),
    ((HOST, AUTH), {"tls": "yes"}, T, "tls must be None, True or False, not str 'yes'"),
    ((HOST, AUTH), {"tls": 1}, T, "tls must be None, True or False, not int 1"),
    ((HOST, AUTH), {"resolver": "x"}, T, "resolver must be None or a resolver with a resolve()"),
    ((HOST, AUTH), {"replica_fqdn": 42}, T, "replica_fqdn must be a str host name"),
    ((HOST, AUTH), {"replica_fqdn": "https://n1.m.hcp2.example.com"}, V, "replica_fqdn must"),
    ((HOST, AUTH), {"replica_strategy": "x"}, hcpsdk.HcpsdkReplicaInitError,
     "replica_strategy must be an ORed combination of the RS_* modes, not 'x'"),
    ((HOST, AUTH), {"replica_mapi": HOST}, T, "replica_mapi must be None or an hcpsdk.Target"),
    ((HOST, AUTH), {"replica_link": 7}, T, "replica_link must be None or a str"),
])
def test_target_refuses_wrong_arguments(args, kw, error, words):
    with pytest.raises(error) as info:
        hcpsdk.Target(*args, **kw)
    assert words in str(info.value)
    assert str(info.value).startswith(("Target: ", "replica_strategy"))


def test_target_accepts_what_is_documented():
    for fqdn in (HOST, "::1", "[::1]", "localhost"):
        hcpsdk.Target(fqdn, AUTH, port=80, dnscache=True)
    t = hcpsdk.Target(HOST, hcpsdk.DummyAuthorization(), port=65535, tls=True,
                      sslcontext=ssl.create_default_context(), interface=hcpsdk.I_HS3)
    assert t.port == 65535 and t.ssl is True


def test_the_authorization_secret_is_never_shown():
    with pytest.raises(T) as info:
        hcpsdk.Target(HOST, "n:secret01")
    assert "secret01" not in str(info.value)
    with pytest.raises(T, match="password must be a str, not bytes$") as info:
        hcpsdk.NativeAuthorization("n", b"secret01")
    assert "secret01" not in str(info.value)


@pytest.mark.parametrize("cls", [hcpsdk.NativeAuthorization, hcpsdk.NativeADAuthorization,
                                 hcpsdk.LocalSwiftAuthorization])
@pytest.mark.parametrize("user, password, words", [
    (None, None, "user must be a str, not None"),
    (42, "p", "user must be a str, not int 42"),
    ("n", 42, "password must be a str, not int"),
    ("n", None, "password must be a str, not None"),
])
def test_authorizations_refuse_non_str(cls, user, password, words):
    with pytest.raises(T) as info:
        cls(user, password)
    assert str(info.value) == f"{cls.__name__}: {words}"


@pytest.fixture(scope="module")
def target():
    return hcpsdk.Target(HOST, AUTH, port=80)


@pytest.mark.parametrize("kw, error, words", [
    ({"target": None}, T, "target must be an hcpsdk.Target, not None"),
    ({"target": "n1.m.hcp1.example.com"}, T,
     "target must be an hcpsdk.Target, not str 'n1.m.hcp1.example.com'"),
    ({"timeout": -1}, V, "timeout must be a positive number (seconds), not -1"),
    ({"timeout": 0}, V, "timeout must be a positive number (seconds), not 0"),
    ({"timeout": "30"}, T, "timeout must be a positive number (seconds), not str '30'"),
    ({"timeout": None}, T, "timeout must be a positive number (seconds), not None"),
    ({"idletime": -5}, V, "idletime must be a positive number (seconds), not -5"),
    ({"idletime": float("nan")}, V, "idletime must be a positive number (seconds), not nan"),
    ({"timeout": float("inf")}, V, "timeout must be a positive number (seconds), not inf"),
    ({"retries": -1}, V, "retries must be an int >= 0, not -1"),
    ({"retries": "3"}, T, "retries must be an int >= 0, not str '3'"),
    ({"retries": 1.0}, T, "retries must be an int >= 0, not float 1.0"),
    ({"debuglevel": "x"}, T, "debuglevel must be an int 0..9, not str 'x'"),
    ({"debuglevel": 10}, V, "debuglevel must be an int 0..9, not 10"),
    ({"retry": 3}, T, "retry must be None or an hcpsdk.Retry, not int 3"),
])
def test_connection_refuses_wrong_arguments(target, kw, error, words):
    kw.setdefault("target", target)
    with pytest.raises(error) as info:
        hcpsdk.Connection(**kw)
    assert str(info.value) == "Connection: " + words


def test_retry_refuses_a_wrong_total():
    with pytest.raises(V, match="Retry: total must be an int >= 0, not -1"):
        hcpsdk.Retry(-1)
    with pytest.raises(T, match="Retry: total must be an int >= 0, not str '3'"):
        hcpsdk.Retry("3")


def test_modules_given_no_target_say_so():
    # namespace.Info and the MAPI classes make a Connection of what they are given
    with pytest.raises(T, match="Connection: target must be an hcpsdk.Target, not str 'n1.m"):
        hcpsdk.namespace.Info("n1.m.hcp1.example.com")
    with pytest.raises(T, match="checkport: target must be an hcpsdk.Target, not None"):
        hcpsdk.mapi.Replication(None)  # which checks the port first


# -- request arguments: refused before anything is sent; the Connection goes on ------------

class Generator:
    def __iter__(self):
        yield b"x"


@pytest.mark.parametrize("call, error, words", [
    (lambda c: c.request(None, "/rest/x"), T,
     "request: method must be a str like 'GET', not None"),
    (lambda c: c.request(b"GET", "/rest/x"), T, "method must be a str like 'GET', not bytes"),
    (lambda c: c.request("GET /x HTTP/1.1\r\n", "/rest/x"), V,
     "method must be an http method like 'GET'"),
    (lambda c: c.request("G E T", "/rest/x"), V, "method must be an http method"),
    (lambda c: c.GET(None), T, "request: url must be a str like '/rest/dir/object', not None"),
    (lambda c: c.GET(42), T, "url must be a str like '/rest/dir/object', not int 42"),
    (lambda c: c.GET("rest/x"), V, "url must be a path starting with '/' like '/rest/dir/object'"
                                    ", not 'rest/x'"),
    (lambda c: c.GET(""), V, "url must be a path starting with '/'"),
    (lambda c: c.GET("http://n1.m.hcp1.example.com/rest/x"), V, "starting with '/'"),
    (lambda c: c.HEAD("/rest/", params="index=true"), T,
     "request: params must be None, a dict or a list of (name, value) 2-tuples, "
     "not str 'index=true'"),
    (lambda c: c.HEAD("/rest/", params=42), T, "params must be None, a dict"),
    (lambda c: c.HEAD("/rest/", params=[("a",)]), T,
     "params[0] must be a (name, value) 2-tuple, not tuple ('a',)"),
    (lambda c: c.HEAD("/rest/", params=[("a", "1"), "b"]), T, "params[1] must be a (name, value)"),
    (lambda c: c.HEAD("/rest/", headers=[("a", "b")]), T,
     "request: headers must be None or a dict of str: str, not list [('a', 'b')]"),
    (lambda c: c.HEAD("/rest/", headers="x"), T, "headers must be None or a dict of str: str"),
    (lambda c: c.HEAD("/rest/", headers={"X": None}), T,
     "request: headers['X'] must be a str, not None"),
    (lambda c: c.HEAD("/rest/", headers={"X": b"v"}), T, "headers['X'] must be a str, not bytes"),
    (lambda c: c.HEAD("/rest/", headers={1: "v"}), T, "headers must be a dict with str keys"),
    (lambda c: c.HEAD("/rest/", headers={"X Y": "v"}), V, "a header name must be an http token"),
    (lambda c: c.HEAD("/rest/", headers={"X": "a\r\nInjected: 1"}), V,
     "the value of 'X' contains CR or LF (refused: header injection)"),
    (lambda c: c.HEAD("/rest/", headers={"X": "a\nb"}), V, "contains CR or LF"),
    (lambda c: c.PUT("/rest/x", body=42), T,
     "request: body must be bytes, bytearray, memoryview, str, a file object opened for "
     "reading or an iterable of bytes, not int 42"),
    (lambda c: c.PUT("/rest/x", body=object()), T, "body must be bytes"),
    (lambda c: c.PUT("/rest/x", body={}), T, "body must be bytes, bytearray"),
    (lambda c: c.PUT("/rest/x", body={b"a"}), T, "body must be bytes"),
    (lambda c: c.PUT("/rest/x", body=1.5), T, "body must be bytes"),
    (lambda c: c.PUT("/rest/x", body=[b"a", "b"]), T, "body[1] must be bytes, not str 'b'"),
    (lambda c: c.read("x"), T, "read: amt must be None or an int, not str 'x'"),
    (lambda c: c.read(1.5), T, "amt must be None or an int"),
    (lambda c: c.read(True), T, "amt must be None or an int, not bool True"),
])
def test_request_refuses_wrong_arguments_and_the_connection_goes_on(
        hcp, http_target, open_connections, path, call, error, words):
    conn = open_connections(http_target)
    conn.PUT(path, body=b"before")  # an open, kept-alive connection
    accepted = hcp.stats()["accepted"]
    served = len(hcp.requests)
    with pytest.raises(error) as info:
        call(conn)
    assert words in str(info.value)
    assert len(hcp.requests) == served  # nothing was sent
    conn.GET(path)
    assert conn.read() == b"before" and conn.retries_done == 0 and not conn.failed_nodes
    assert hcp.stats()["accepted"] == accepted  # the same socket carried on


def test_lower_case_method_is_upper_cased(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.request("put", path, body=b"lower")
    assert conn.response_status == 201
    conn.Response.read()
    conn.request("Get", path)
    assert conn.response_status == 200 and conn.read() == b"lower"
    assert [r.method for r in hcp.requests if r.path == path][-2:] == ["PUT", "GET"]


def test_accepted_bodies_headers_and_params(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    for body in (bytearray(b"ba"), memoryview(b"mv"), [b"l", bytearray(b"i"), b"st"],
                 (b"tu", b"ple"), Generator()):
        conn.PUT(path, body=body, headers={"X-Int": 5, "X-Str": "s"})
        assert conn.response_status == 201, body
        conn.GET(path)
        assert conn.read() == b"".join(bytes(x) for x in (
            body if not isinstance(body, (bytearray, memoryview)) else [body]))
        conn.DELETE(path)
    conn.HEAD(path.rsplit("/", 1)[0] + "/", params=[["a", "1"], ("b", None)])
    assert hcp.requests[-1].query == "a=1&b="
    conn.HEAD(path.rsplit("/", 1)[0] + "/", params={})
    assert hcp.requests[-1].query == ""


def test_read_with_a_negative_amt_reads_all(hcp, http_target, open_connections, path):
    data = bytes(range(256)) * 400
    hcp.put_object(path, data)
    conn = open_connections(http_target, timeout=5)
    for amt in (-1, -100):
        conn.GET(path)
        assert conn.read(10) == data[:10]
        assert conn.read(amt) == data[10:]
        assert conn.read(amt) == b""
    assert conn.retries_done == 0 and len(conn.served_by) == 1


@pytest.mark.parametrize("fqdn, words", [
    (None, "Err: TypeError - fqdn must be a non-empty str or a Request, not None"),
    (42, "Err: TypeError - fqdn must be a non-empty str or a Request, not int 42"),
    (b"n1.m.hcp1.example.com", "Err: TypeError - fqdn must be a non-empty str or a Request, "
                               "not bytes b'n1.m.hcp1.example.com'"),
    ("", "Err: ValueError - fqdn must be a non-empty str or a Request, not str ''"),
])
def test_ips_query_reports_a_wrong_fqdn_and_never_raises(hcp, fqdn, words):
    for cache in (False, True):
        answer = hcpsdk.ips.query(fqdn, cache, resolver=hcp.resolver())
        assert answer.raised == words and answer.ips == [] and answer.fqdn == fqdn
    answer = hcpsdk.ips.query(hcpsdk.ips.Request(fqdn))
    assert answer.raised == words


def test_a_file_body_must_be_open_for_reading(hcp, http_target, open_connections, path,
                                               tmp_path):
    conn = open_connections(http_target)
    name = tmp_path / "body.bin"
    with open(name, "wb") as write_only:
        with pytest.raises(V, match="body must be a file object opened for reading, not "
                                    "BufferedWriter .* \\(closed or write-only\\)"):
            conn.PUT(path, body=write_only)
    with pytest.raises(V, match="opened for reading"):
        conn.PUT(path, body=write_only)  # closed by now
    assert hcp.get_object(path) is None
    with open(name, "rb") as readable:
        conn.PUT(path, body=readable)
    assert conn.response_status == 201 and conn.retries_done == 0
