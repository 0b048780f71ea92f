"""The access log of an emulated system: one line per request it served, in HCP's format.

HCP writes every request of its HTTP gateway (``http_gateway_request.log``) and of the
management API (``mapi_gateway_request.log``) as one line that log tools split on
whitespace::

    192.0.2.10 - n [05/Mar/2024:10:02:11 +0100] "PUT /rest/a.txt?retention=0 HTTP/1.1" 201 0 n1.m 14 002 18

client address, ``-``, user (``-`` when anonymous), local time, the request line as
received, status, response body bytes, namespace (``<ns>.<tenant>``; ``-`` for MAPI), latency
in milliseconds, the three-digit node id and the request body bytes. A Default Namespace
line has no namespace field and ends after the latency, as HCP 7 wrote it, so that a parser
counting fields never reads the node id as the latency.

The :class:`Recorder` wraps the emulator's request handler; the log package of
:mod:`hcpsdk.emulator.mapi_logs` reads :func:`access_log` of the system.

.. versionadded:: 1.0
"""
from __future__ import annotations

import base64
import binascii
import collections
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .http11 import BlobReply, Request
from .model import Reply, System, _token_of

__all__ = ["AccessEntry", "AccessLog", "Recorder", "access_log", "format_line", "LOG_FILES"]

#: Log file of each service kind, as named inside HCP's log package.
LOG_FILES = {"http": "http_gateway_request.log", "mapi": "mapi_gateway_request.log",
             "admin": "admin_request.log"}

# HCP writes English month names whatever the locale of the system.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One served request."""

    when: float          #: wall-clock time the request arrived (epoch seconds)
    client: str          #: client address
    user: str            #: user name the client gave, ``-`` if none
    request_line: str    #: ``METHOD target HTTP/1.1`` as received
    status: int
    sent: int            #: response body bytes
    namespace: str | None  #: ``ns.tenant``, ``-`` (MAPI), None (Default Namespace)
    latency_ms: int
    node: str            #: address of the node that served it
    received: int        #: request body bytes
    kind: str            #: ``http`` or ``mapi``

    @property
    def day(self) -> date:
        """The local date of the request."""
        return date.fromtimestamp(self.when)


def format_line(entry: AccessEntry) -> str:
    """The log line of *entry* (without a line end).

    :param entry: the served request
    :returns: the line in HCP's access-log format
    """
    local = datetime.fromtimestamp(entry.when).astimezone()
    stamp = (f"[{local.day:02}/{_MONTHS[local.month - 1]}/{local.year}:"
             f"{local:%H:%M:%S} {local:%z}]")
    head = (f'{entry.client} - {entry.user} {stamp} "{entry.request_line}" {entry.status}'
            f" {entry.sent}")
    if entry.namespace is None:
        return f"{head} {entry.latency_ms}"
    node_id = int(entry.node.rsplit(".", 1)[-1])
    return f"{head} {entry.namespace} {entry.latency_ms} {node_id:03} {entry.received}"


#: What the Recorder keeps of a request: (time, client, host, service, the Authorization,
#: Cookie and Content-Length headers, request line, status, body bytes sent, latency ms,
#: node address). Who the user was and which namespace it reached are worked out when the
#: log is read, not while serving.
_Raw = tuple[float, str, str, str, str | None, str | None, str | None, str, int, int, int, str]


class AccessLog:
    """The served requests of one system, oldest first (at most *limit* are kept).

    :param domain: the system's domain (tells namespace hosts from others)
    :param limit: how many entries are kept; older ones are dropped
    """

    def __init__(self, domain: str, limit: int = 100_000) -> None:
        self._raw: collections.deque[_Raw] = collections.deque(maxlen=limit)
        self._suffix = "." + domain
        self._default_host = "default.default" + self._suffix

    def add(self, raw: _Raw) -> None:
        """Append a served request (thread-safe: a deque's append is atomic)."""
        self._raw.append(raw)

    def entries(self, start: date | None = None, end: date | None = None) -> list[AccessEntry]:
        """The entries of the local days *start* to *end* (both included; None = open)."""
        out = []
        for (when, client, host, service, auth, cookie, length, line, status, sent, latency,
             node) in list(self._raw):
            entry = AccessEntry(when, client, _user(auth, cookie), line, status, sent,
                                self._namespace(host, service), latency, node,
                                int(length) if length and length.isdigit() else 0,
                                "mapi" if service == "mapi" else "http")
            if (start is None or entry.day >= start) and (end is None or entry.day <= end):
                out.append(entry)
        return out

    def lines(self, kind: str, node: str, entries: Iterable[AccessEntry]) -> str:
        """The log text of service *kind* on *node* from *entries* (one line each)."""
        return "".join(format_line(e) + "\n" for e in entries
                       if e.kind == kind and e.node == node)

    def _namespace(self, host: str, service: str) -> str | None:
        if service == "mapi":
            return "-"
        host = host.rstrip(".")
        if host == self._default_host:
            return None
        if host.endswith(self._suffix):
            labels = host[: -len(self._suffix)].split(".")
            if len(labels) == 2:
                return ".".join(labels)
        return "-"


_logs: dict[int, AccessLog] = {}
_lock = threading.Lock()


def access_log(system: System) -> AccessLog:
    """The access log of *system* (made on first use, dropped with the system)."""
    with _lock:
        found = _logs.get(id(system))
        if found is None:
            found = _logs[id(system)] = AccessLog(system.domain)
            weakref.finalize(system, _logs.pop, id(system), None)
        return found


def _user(auth: str | None, cookie: str | None) -> str:
    headers = {k: v for k, v in (("authorization", auth), ("cookie", cookie)) if v is not None}
    cred = _token_of(headers)
    if cred is None:
        return "-"
    scheme, value = cred
    if scheme == "AD":
        return value.partition(":")[0] or "-"
    encoded = value.partition(":")[0]
    try:
        name = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "-"
    # a name with a space would split the line into one field too many
    return name.replace(" ", "%20") if name and name != "all_users" else "-"


class Recorder:
    """Wraps a request handler and logs every request it answers.

    :param system: the system whose :func:`access_log` gets the entries
    :param handler: ``handler(request) -> Reply | BlobReply``
    """

    def __init__(self, system: System, handler: Callable[[Request], Reply | BlobReply]) -> None:
        self._handler = handler
        self._log = access_log(system)

    def __call__(self, req: Request) -> Reply | BlobReply:
        """Answer *req* with the wrapped handler and log it."""
        when, started = time.time(), time.perf_counter()
        reply = self._handler(req)
        latency = int((time.perf_counter() - started) * 1000)
        if req.method == "HEAD" or reply.status in (204, 304):
            sent = 0
        else:
            sent = reply.length if isinstance(reply, BlobReply) else len(reply.body)
        target = f"{req.raw_path}?{req.raw_query}" if req.raw_query else req.raw_path
        get = req.headers.get
        self._log.add((when, self._client(req), req.host, req.service, get("authorization"),
                       get("cookie"), get("content-length"), f"{req.method} {target} {req.version}",
                       reply.status, sent, latency, req.address))
        return reply

    @staticmethod
    def _client(req: Request) -> str:
        # the address accept() gave: no system call per request
        return getattr(req._conn, "client", "-")
