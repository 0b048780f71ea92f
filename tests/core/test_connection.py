"""Connection against the emulator: the documented example, attributes, bodies, logging."""
from __future__ import annotations

import io
import logging
import socket
import threading

import pytest

import hcpsdk
from hcpsdk._body import Payload


def test_documentation_example_4_4(hcp, tls_target, path):
    # chapter 4.4, step by step (on the emulator's HTTPS port, default context)
    c = hcpsdk.Connection(tls_target)
    assert c.address is None and c.connect_time == 0.0
    r = c.PUT(path, body="This is an example", params={"index": "true"})
    assert (c.response_status, c.response_reason) == (201, "Created")
    assert r is c.Response is c.response
    r = c.HEAD(path)
    assert (c.response_status, c.response_reason) == (200, "OK")
    headers = dict(c.getheaders())
    for name in ("X-HCP-Type", "X-HCP-Size", "X-HCP-Hash", "X-HCP-VersionId", "X-HCP-IngestTime",
                 "X-HCP-Retention", "X-HCP-Index", "ETag"):
        assert name in headers, name
    assert headers["X-HCP-Size"] == "18" and headers["X-HCP-Index"] == "true"
    r = c.GET(path)
    assert (c.response_status, c.response_reason) == (200, "OK")
    assert c.read() == b"This is an example"
    assert c.service_time2 > 0
    r = c.DELETE(path)
    assert (c.response_status, c.response_reason) == (200, "OK")
    assert c.address in hcp.addresses
    assert c.connect_time > 0
    c.close()
    assert hcp.get_object(path) is None


def test_round_robin_across_nodes(hcp, http_target, open_connections, path):
    conns = [open_connections(http_target) for _ in range(4)]
    for i, conn in enumerate(conns):
        conn.PUT(f"{path}.{i}", body=b"x")
        assert conn.served_by == (conn.address,)
    assert sorted(c.address for c in conns) == sorted(hcp.addresses)
    served = {r.node for r in hcp.requests if r.path.startswith(path)}
    assert served == set(hcp.addresses)


def test_one_address_per_connect_and_persistence(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body=b"abc")
    first = conn.address
    accepted = hcp.stats(first)["accepted"]
    for _ in range(5):
        conn.HEAD(path)
    assert conn.address == first
    assert hcp.stats(first)["accepted"] == accepted  # the same socket served them all


def test_context_manager_closes(hcp, http_target, path):
    with hcpsdk.Connection(http_target) as conn:
        conn.PUT(path, body=b"x")
        assert conn.con is not None
    assert conn.con is None


def test_read_in_parts_and_timers(http_target, open_connections, path, hcp):
    data = bytes(range(256)) * 1000
    hcp.put_object(path, data)
    conn = open_connections(http_target)
    conn.GET(path)
    after_headers = conn.service_time2
    parts = []
    while True:
        chunk = conn.read(10000)
        assert conn.service_time1 >= 0
        if not chunk:
            break
        parts.append(chunk)
    assert b"".join(parts) == data
    assert conn.service_time2 > after_headers


def test_get_before_reading_previous_body_still_works(hcp, http_target, open_connections, path):
    hcp.put_object(path, b"a" * 100000)
    conn = open_connections(http_target)
    conn.GET(path)
    conn.read(10)
    conn.HEAD(path)
    assert conn.response_status == 200


def test_response_attributes_before_any_request(http_target):
    conn = hcpsdk.Connection(http_target)
    assert conn.response is None and conn.response_status is None
    with pytest.raises(hcpsdk.HcpsdkError):
        conn.read()
    with pytest.raises(hcpsdk.HcpsdkError):
        conn.getheaders()
    assert "None" in str(conn) and "n01" not in repr(conn)


def test_debug_level_property(http_target, open_connections, path, capsys):
    conn = open_connections(http_target, debuglevel=0)
    for bad in (-1, 10):
        with pytest.raises(hcpsdk.HcpsdkArgumentError, match="debug_level must be an int 0..9"):
            conn.debug_level = bad
    for bad in ("1", 1.5, True):
        with pytest.raises(hcpsdk.HcpsdkTypeError, match="debug_level must be an int 0..9"):
            conn.debug_level = bad
    with pytest.raises(ValueError, match="debuglevel must be an int 0..9, not 12"):
        hcpsdk.Connection(http_target, debuglevel=12)
    conn.debug_level = 1
    conn.PUT(path, body=b"x")
    out = capsys.readouterr().out
    assert "send:" in out and "Authorization: ******" in out
    assert "1dc7fed" not in out and "bg==" not in out
    conn.debug_level = 0
    assert conn.debug_level == 0


def test_tcp_keepalive_options(http_target, open_connections, path):
    conn = open_connections(http_target, sock_keepalive=True, tcp_keepalive=17, tcp_keepintvl=7,
                            tcp_keepcnt=4)
    conn.PUT(path, body=b"x")
    assert conn.response_status == 201
    sock = conn.con.sock
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 17
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 7
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 4
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_caller_headers_are_not_mutated(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    mine = {"Content-Type": "text/plain", "host": "wrong.example.com"}
    before = dict(mine)
    conn.PUT(path, body=b"x", headers=mine)
    assert mine == before
    record = [r for r in hcp.requests if r.path == path][-1]
    assert record.headers.get("Host") == hcp.fqdn
    assert record.headers.get("Content-Type") == "text/plain"


def _put_record(hcp, path):
    return [r for r in hcp.requests if r.path == path and r.method == "PUT"][-1]


def test_file_body_goes_with_content_length(hcp, http_target, open_connections, path, tmp_path):
    data = b"0123456789abcdef" * 8192
    source = tmp_path / "f.bin"
    source.write_bytes(data)
    conn = open_connections(http_target)
    with open(source, "rb") as f:
        f.seek(16)
        assert Payload(f).regular_file  # over plain HTTP it goes out with sendfile
        conn.PUT(path, body=f)
        assert f.tell() == len(data)
    assert conn.response_status == 201
    record = _put_record(hcp, path)
    assert record.headers.get("Content-Length") == str(len(data) - 16)
    assert record.headers.get("Transfer-Encoding") is None
    assert hcp.get_object(path) == data[16:]


def test_seekable_stream_and_bytes_go_with_content_length(hcp, http_target, open_connections,
                                                          path):
    conn = open_connections(http_target)
    conn.PUT(path, body=io.BytesIO(b"stream-data"))
    assert _put_record(hcp, path).headers.get("Content-Length") == "11"
    conn.PUT(path + "b", body=b"bytes")
    assert _put_record(hcp, path + "b").headers.get("Content-Length") == "5"


def test_unknown_size_goes_chunked(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body=(part for part in (b"gen", b"erated")))
    assert conn.response_status == 201
    assert _put_record(hcp, path).headers.get("Transfer-Encoding") == "chunked"
    assert hcp.get_object(path) == b"generated"


def test_text_file_body_as_in_the_code_sample(hcp, http_target, open_connections, path, tmp_path):
    source = tmp_path / "t.txt"
    source.write_text("0123456789abcdef" * 100 + "ümlaut", encoding="utf-8")
    conn = open_connections(http_target)
    with open(source, encoding="utf-8") as infile, pytest.warns(UserWarning, match="text-mode"):
        conn.PUT(path, body=infile, params={"index": "true", "shred": "true"})
    assert conn.response_status == 201
    assert hcp.get_object(path) == source.read_bytes()


def test_str_body_is_utf8(hcp, http_target, open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body="grüße €")
    assert hcp.get_object(path) == "grüße €".encode()


def test_post_leaves_the_body_to_the_caller(hcp, http_target, open_connections, path):
    hcp.put_object(path, b"x")
    conn = open_connections(http_target)
    r = conn.POST(path, params={"index": "false"})
    assert conn.response_status == 200
    conn.read()
    assert r.isclosed()


def test_debug_log_events_without_secrets(hcp, http_target, path, caplog):
    caplog.set_level(logging.DEBUG, logger="hcpsdk")
    with hcpsdk.Connection(http_target, idletime=30) as conn:
        conn.PUT(path, body=b"x")
        conn.GET(path)
        conn.read()
    text = caplog.text
    for event in ("issued IP address", "Connection open: IP", "connect_time",
                  "PUT Request for", "service_time1", "(partial?) read",
                  "Connection object closed"):
        assert event in text, event
    assert "1dc7fed" not in text and "hcp-ns-auth" not in text and "n01" not in text


def test_threads_share_one_target(hcp, http_target, path):
    # the Target is thread-safe; each thread has its own Connection
    errors = []

    def worker(n):
        try:
            with hcpsdk.Connection(http_target) as conn:
                for i in range(20):
                    name = f"{path}/{n}-{i}"
                    conn.PUT(name, body=name.encode())
                    conn.GET(name)
                    assert conn.read() == name.encode()
        except Exception as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    nodes = {r.node for r in hcp.requests if r.path.startswith(path)}
    assert nodes == set(hcp.addresses)


def test_dnscache_localhost_end_to_end(tls_server, open_connections):
    server = tls_server(["localhost"])
    t = hcpsdk.Target("localhost", hcpsdk.NativeAuthorization("n", "n01"), port=server.port,
                      dnscache=True, tls=True)
    conn = open_connections(t)
    conn.GET("/rest/x")
    assert conn.read() == b"hello over TLS" and conn.address == "127.0.0.1"


def test_file_body_over_tls(hcp, tls_target, open_connections, path, tmp_path):
    data = bytes(range(256)) * 5000
    source = tmp_path / "f.bin"
    source.write_bytes(data)
    conn = open_connections(tls_target)
    with open(source, "rb") as f:
        conn.PUT(path, body=f)
    assert conn.response_status == 201
    assert _put_record(hcp, path).headers.get("Content-Length") == str(len(data))
    assert hcp.get_object(path) == data


def test_caller_chunked_file_is_not_sent_with_sendfile(hcp, http_target, open_connections, path,
                                                       tmp_path):
    source = tmp_path / "f.bin"
    source.write_bytes(b"c" * 5000)
    conn = open_connections(http_target)
    with open(source, "rb") as f:
        conn.PUT(path, body=f, headers={"Transfer-Encoding": "chunked"})
    assert conn.response_status == 201
    assert hcp.get_object(path) == b"c" * 5000


def test_empty_file_body(hcp, http_target, open_connections, path, tmp_path):
    source = tmp_path / "empty.bin"
    source.write_bytes(b"")
    conn = open_connections(http_target)
    with open(source, "rb") as f:
        conn.PUT(path, body=f)
    assert conn.response_status == 201
    assert _put_record(hcp, path).headers.get("Content-Length") == "0"
    assert hcp.get_object(path) == b""
