"""Idle handling: shared reaper, no thread per request, never mid-body."""
from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time

import hcpsdk


def test_idle_socket_closed_and_reconnected_transparently(hcp, http_target, path, caplog):
    caplog.set_level(logging.DEBUG, logger="hcpsdk")
    conn = hcpsdk.Connection(http_target, idletime=0.2)
    try:
        conn.PUT(path, body=b"x")
        node = conn.address
        assert hcp.stats(node)["open"] >= 1
        assert hcp.wait_for(lambda: conn.con is None, timeout=5)
        # observed on the server side too
        assert hcp.wait_for(lambda: hcp.stats(node)["open"] == 0, timeout=5)
        assert f"idle close: IP {node}" in caplog.text
        conn.HEAD(path)
        assert conn.response_status == 200 and conn.con is not None
    finally:
        conn.close()


def test_idle_timer_never_closes_mid_body(hcp, http_target, path):
    data = b"z" * 300000
    hcp.put_object(path, data)
    conn = hcpsdk.Connection(http_target, idletime=0.1)
    try:
        conn.GET(path)
        first = conn.read(1000)
        time.sleep(0.4)  # several idletimes pass while the body is half read
        assert conn.con is not None
        assert first + conn.read() == data
        assert hcp.wait_for(lambda: conn.con is None, timeout=5)
    finally:
        conn.close()


def test_no_thread_started_per_request(hcp):
    # in a process of its own, so that no server thread of this test process can interfere
    script = textwrap.dedent("""
        import json, sys, threading, dns.resolver, hcpsdk
        auth = hcpsdk.NativeAuthorization('n', 'n01')
        # the emulator serves a namespace to requests that name it: resolve its name
        res = dns.resolver.Resolver(configure=False)
        res.nameservers, res.port = [sys.argv[3]], int(sys.argv[4])
        t = hcpsdk.Target(sys.argv[1], auth, port=int(sys.argv[2]), tls=False, resolver=res)
        c = hcpsdk.Connection(t, idletime=30, retries=3)
        c.PUT('/rest/core/threads/warm-up', body=b'x')  # the shared reaper starts here, once
        before = {th.ident for th in threading.enumerate()}
        for i in range(300):
            c.PUT('/rest/core/threads/%d' % i, body=b'0123456789')
            c.GET('/rest/core/threads/%d' % i)
            assert c.response_status == 200, c.response_status
            c.read()
            c.DELETE('/rest/core/threads/%d' % i)
        after = {th.ident for th in threading.enumerate()}
        names = sorted(th.name for th in threading.enumerate())
        c.close()
        print(json.dumps([len(before), sorted(after - before), names]))
    """)
    result = subprocess.run([sys.executable, "-c", script, hcp.fqdn, str(hcp.http_port), hcp.dns[0],
                             str(hcp.dns[1])],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    count, new, names = json.loads(result.stdout)
    assert new == [] and count == 2
    assert names == ["MainThread", "hcpsdk-idle-reaper"]


def test_unclosed_connection_does_not_delay_exit(hcp):
    script = textwrap.dedent("""
        import sys, dns.resolver, hcpsdk
        auth = hcpsdk.NativeAuthorization('n', 'n01')
        # the emulator serves a namespace to requests that name it: resolve its name
        res = dns.resolver.Resolver(configure=False)
        res.nameservers, res.port = [sys.argv[3]], int(sys.argv[4])
        t = hcpsdk.Target(sys.argv[1], auth, port=int(sys.argv[2]), tls=False, resolver=res)
        c = hcpsdk.Connection(t, idletime=60)
        c.PUT('/rest/core/exit-test', body=b'x')
        assert c.response_status in (201, 409), c.response_status
        print('done', flush=True)
        # no close(): the idle socket and the reaper must not keep us alive
    """)
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-c", script, hcp.fqdn, str(hcp.http_port), hcp.dns[0],
                             str(hcp.dns[1])],
                            capture_output=True, text=True, timeout=30)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    assert elapsed < 10  # far below the 60 s idletime


def test_server_dropped_keepalive_is_reconnected_transparently(hcp, faults, http_target, path):
    conn = hcpsdk.Connection(http_target, retries=0)
    try:
        conn.PUT(path, body=b"x")
        node = conn.address
        faults.idle_drop(node, 0.05)
        assert hcp.wait_for(lambda: hcp.stats(node)["open"] == 0, timeout=5)
        for method in ("HEAD", "POST"):
            conn.request(method, path, params={"index": "true"} if method == "POST" else None)
            conn.read()
            assert conn.response_status == 200
            assert conn.retries_done == 0
            hcp.wait_for(lambda: hcp.stats(node)["open"] == 0, timeout=5)
    finally:
        conn.close()
