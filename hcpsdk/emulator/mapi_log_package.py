"""The zip that ``POST /mapi/logs/download`` answers, laid out as HCP's log packages are.

Log tools find the package by its top folder and walk it down to the log files::

    HCPLogs-<admin host>-<kind>-<YYYYMMDD>-<HHMM>/      the one top folder
        manifest.csv                                     node table: address, archive, size
        <node>.tar.bz2                                   one per node (last address octet)
    <node>.tar.bz2
        <NNN>/var/ris/retired/access-logs-<ts>.tar.bz2   NNN: the node number, 3 digits
                              system-logs-<ts>.tar.bz2   (one per other content type)
    access-logs-<ts>.tar.bz2
        <ts>/http_gateway_request.log.0                  data access (REST, Default Namespace)
             mapi_gateway_request.log.0                  management API
             admin_request.log.0                         console (empty: not emulated)

Every file in ``var/ris/retired`` is a bzip2 tar (tools unpack them all as such) with one
folder level; log file names have three dot-separated parts. The access logs hold one line
per request the node served on the prepared days (:mod:`hcpsdk.emulator.accesslog`); the
other content types a header line and the marks made on those days.

.. versionadded:: 1.0
"""
from __future__ import annotations

import io
import tarfile
import time
import zipfile
from datetime import date, datetime

from .accesslog import LOG_FILES, access_log
from .model import System

__all__ = ["build", "package_name", "unpack"]


def package_name(system: System, content: list[str], when: float) -> str:
    """The top folder (and file) name of a package made at *when*.

    HCP tags a package of access logs only with ``acc``; the emulator tags every other mix
    with ``all``.
    """
    kind = "acc" if content == ["ACCESS"] else "all"
    return f"HCPLogs-admin.{system.domain}-{kind}-{time.strftime('%Y%m%d-%H%M', time.localtime(when))}"


def _number(address: str) -> int:
    """The node number (the last octet of the node's address)."""
    return int(address.rsplit(".", 1)[-1])


def _tar(members: dict[str, bytes]) -> bytes:
    """A bzip2 tar holding *members* (name: content), readable by every member's owner."""
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), int(now), 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _node_archive(system: System, address: str, content: list[str], start: date, end: date,
                  marks: list[tuple[datetime, str]], stamp: str) -> bytes:
    number = _number(address)
    retired = f"{number:03}/var/ris/retired"
    log = access_log(system)
    members: dict[str, bytes] = {}
    for kind in content:
        if kind == "ACCESS":
            entries = log.entries(start, end)
            logs = {f"{stamp}/{LOG_FILES[k]}.0": log.lines(k, address, entries).encode()
                    for k in ("http", "mapi", "admin")}
        else:
            lines = [f"# {system.name} ({system.domain}) node {number} {kind} log"
                     f" {start:%m/%d/%Y} - {end:%m/%d/%Y}"]
            lines += [f"{when:%Y-%m-%dT%H:%M:%S%z} node {number} MARK {text}"
                      for when, text in marks if start <= when.date() <= end]
            logs = {f"{stamp}/{kind.lower()}.log.0": ("\n".join(lines) + "\n").encode()}
        members[f"{retired}/{kind.lower()}-logs-{stamp}.tar.bz2"] = _tar(logs)
    return _tar(members)


def build(system: System, addresses: list[str], content: list[str], start: date, end: date,
          marks: list[tuple[datetime, str]]) -> tuple[str, bytes]:
    """The log package of *addresses* with *content* for the days *start* to *end*.

    :param system: the emulated system
    :param addresses: the nodes to include, by address
    :param content: content types (``ACCESS``, ``SYSTEM``, ``SERVICE``, ``APPLICATION``)
    :param start: first day
    :param end: last day
    :param marks: ``(time, text)`` of the marks written into the logs
    :returns: ``(package name, zip bytes)``
    """
    now = time.time()
    name = package_name(system, content, now)
    stamp = time.strftime("%Y%m%d-%H%M", time.localtime(now))
    buffer = io.BytesIO()
    rows = []
    # The node archives are bzip2 already: stored, not compressed again.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for address in addresses:
            data = _node_archive(system, address, content, start, end, marks, stamp)
            member = f"{name}/{_number(address)}.tar.bz2"
            archive.writestr(member, data)
            rows.append(f"{address},{member},{len(data)}")
        # Tools read the node table from the line starting with the quoted "Node IP" to the
        # first empty line, and need a column after the archive path.
        manifest = ['"HCP Log Package"', f'"System","admin.{system.domain}"', "",
                    '"Node IP","Archive","Size"', *rows, ""]
        archive.writestr(f"{name}/manifest.csv", "\n".join(manifest) + "\n")
    return name, buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:bz2") as archive:
        out = {}
        for info in archive.getmembers():
            f = archive.extractfile(info)
            if f is not None:
                out[info.name] = f.read()
        return out


def unpack(data: bytes) -> dict[str, dict[str, bytes]]:
    """The log files of a package, following its manifest as log tools do.

    :param data: the zip bytes
    :returns: ``{node number: {log file name: content}}``, e.g.
        ``{"2": {"http_gateway_request.log.0": b"...", "system.log.0": b"..."}}``
    """
    out: dict[str, dict[str, bytes]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        top = {n.split("/", 1)[0] for n in archive.namelist()}
        (name,) = top
        rows = archive.read(f"{name}/manifest.csv").decode().split('"Node IP"', 1)[1]
        for row in rows.splitlines()[1:]:
            if not row.strip():
                break
            member = row.split(",")[1]
            files = out.setdefault(member.rsplit("/", 1)[1].split(".")[0], {})
            for inner in _members(archive.read(member)).values():
                files.update({k.rsplit("/", 1)[1]: v for k, v in _members(inner).items()})
    return out
