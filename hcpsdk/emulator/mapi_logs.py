"""MAPI log handling: mark, prepare, status, download (a real zip) and cancel.

The flow HCP defines (and the 0.9.5 client's ``mapi.Logs`` follows)::

    POST /mapi/logs?mark=<text>        write a marker line into the logs
    POST /mapi/logs/prepare            <logPrepare> with MM/DD/YYYY dates; 400 while one runs
    GET  /mapi/logs                    <logDownloadStatus> (ready once preparation finished)
    POST /mapi/logs/download           <logDownload> -> application/zip attachment
    POST /mapi/logs?cancel=            forget the preparation

A preparation finishes :data:`PREPARE_SECONDS` after it started (0 = at once); change it
for one system with :func:`configure`. The zip is laid out as HCP's log packages are
(:mod:`hcpsdk.emulator.mapi_log_package`); its access logs hold the requests the emulator
served in the prepared date range.
"""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from . import mapi_log_package as package
from .mapi_format import MapiError, query_value, render, request_fields
from .model import Reply, System

__all__ = ["CONTENT_TYPES", "PREPARE_SECONDS", "configure", "status", "mark_or_cancel",
           "prepare", "download"]

#: The log content types, in HCP's order.
CONTENT_TYPES = ("ACCESS", "SYSTEM", "SERVICE", "APPLICATION")

#: Seconds a log preparation takes by default.
PREPARE_SECONDS = 0.0


@dataclass
class _LogState:
    prepare_seconds: float = PREPARE_SECONDS
    started_at: float | None = None     # monotonic time of the running preparation
    start: date | None = None
    end: date | None = None
    snodes: list[str] = field(default_factory=list)
    streaming: bool = False
    marks: list[tuple[datetime, str]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return (self.started_at is not None
                and time.monotonic() - self.started_at >= self.prepare_seconds)


_states: dict[int, _LogState] = {}
_lock = threading.Lock()


def _state(system: System) -> _LogState:
    with _lock:
        found = _states.get(id(system))
        if found is None:
            found = _states[id(system)] = _LogState()
            weakref.finalize(system, _states.pop, id(system), None)
        return found


def configure(system: System, *, prepare_seconds: float) -> None:
    """Make log preparations on *system* take *prepare_seconds* (0 = finish at once)."""
    _state(system).prepare_seconds = prepare_seconds


def _addresses(system: System, req: Any) -> list[str]:
    """The node addresses: the emulator handle tells the system its node addresses; a bare
    system knows only the node that serves the request."""
    return getattr(system, "addresses", None) or [getattr(req, "address", "127.0.0.2")]


def _number(address: str) -> str:
    """The node number HCP names a node by (the last octet of its address)."""
    return address.rsplit(".", 1)[-1]


def _nodes(system: System, req: Any) -> list[str]:
    """Node numbers as HCP names them."""
    return [_number(a) for a in _addresses(system, req)]


def status(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/logs``: the ``<logDownloadStatus>``."""
    caller.require_system()
    st = _state(system)
    with _lock:
        data = {"readyForStreaming": st.ready, "streamingInProgress": st.streaming,
                "started": st.started_at is not None, "error": False,
                "content": ",".join(CONTENT_TYPES)}
    return render(req, "logDownloadStatus", data)


def mark_or_cancel(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``POST /mapi/logs?mark=<text>`` or ``POST /mapi/logs?cancel``."""
    caller.require_system()
    st = _state(system)
    message = query_value(req.query, "mark")
    if message is not None:
        if not message.strip():
            raise MapiError(400, "mark needs a message")
        with _lock:
            st.marks.append((datetime.now().astimezone(), message))
        return Reply(200)
    if query_value(req.query, "cancel") is not None:
        with _lock:
            st.started_at = st.start = st.end = None
            st.snodes = []
        return Reply(200)
    raise MapiError(400, "POST /mapi/logs needs the mark or cancel parameter")


def _date(fields: dict[str, str], key: str) -> date:
    value = fields.get(key)
    if not value:
        raise MapiError(400, f"{key} is required (MM/DD/YYYY)")
    try:
        return datetime.strptime(value, "%m/%d/%Y").date()
    except ValueError:
        raise MapiError(400, f"{key} {value!r} is not a date in MM/DD/YYYY form") from None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def prepare(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``POST /mapi/logs/prepare``: start preparing the logs of a date range."""
    caller.require_system()
    fields = request_fields(req, "logPrepare")
    start, end = _date(fields, "startDate"), _date(fields, "endDate")
    if start > end:
        raise MapiError(400, "startDate is after endDate")
    st = _state(system)
    with _lock:
        if st.started_at is not None and not st.ready:
            raise MapiError(400, "a log preparation is already in progress")
        st.started_at, st.start, st.end = time.monotonic(), start, end
        st.snodes = _split(fields.get("snodes"))
    return Reply(200)


def download(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``POST /mapi/logs/download``: the prepared logs as a zip attachment."""
    caller.require_system()
    fields = request_fields(req, "logDownload")
    st = _state(system)
    known = _nodes(system, req)
    nodes = _split(fields.get("nodes")) or known
    bad = [n for n in nodes if n not in known]
    if bad:
        raise MapiError(400, f"unknown node {bad[0]}; nodes are {', '.join(known)}")
    content = [c.upper() for c in _split(fields.get("content"))] or list(CONTENT_TYPES)
    bad = [c for c in content if c not in CONTENT_TYPES]
    if bad:
        raise MapiError(400, f"unknown log content {bad[0]}; use {', '.join(CONTENT_TYPES)}")
    with _lock:
        if not st.ready or st.start is None or st.end is None:
            raise MapiError(400, "no logs are prepared for download")
        st.streaming = True
        start, end, marks = st.start, st.end, list(st.marks)
    try:
        by_number = {_number(a): a for a in _addresses(system, req)}
        name, body = package.build(system, [by_number[n] for n in nodes], content, start, end,
                                   marks)
    finally:
        with _lock:
            st.streaming = False
    return Reply(200, [("Content-Type", "application/zip"),
                       ("Content-Disposition", f"attachment; filename={name}.zip")], body)

