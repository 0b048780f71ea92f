"""Helpers shared by the core tests (imported by name; fixtures live in conftest.py)."""
from __future__ import annotations

import hcpsdk
from hcpsdk._retry import Retry


def fast_retry(total=3, **kw):
    """A retry policy with millisecond backoff so that tests stay fast."""
    kw.setdefault("backoff_factor", 0.001)
    kw.setdefault("backoff_max", 0.01)
    return Retry(total, **kw)


def read_request(sock, with_body=False):
    """Read one request head (and a Content-Length body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
    return (head, rest) if with_body else head


def raw_target(server, **kw):
    """A Target pointing at a RawServer by IP literal (no DNS)."""
    kw.setdefault("tls", False)
    return hcpsdk.Target(server.host, hcpsdk.NativeAuthorization("n", "n01"), port=server.port,
                         **kw)
