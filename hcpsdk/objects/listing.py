"""Directory listings and version lists, parsed while they arrive.

HCP answers ``GET /rest/<dir>`` with one XML document holding an ``<entry>`` per
child; a directory may have millions of them. The document is fed to an
``xml.etree.ElementTree.XMLPullParser`` block by block and every finished entry is
handed out and dropped at once, so memory stays bounded whatever the size.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from ..connection import Connection
from ..exceptions import HcpsdkArgumentError, HcpsdkError
from ._wire import check_connection, flag, from_ms, from_seconds, integer, send
from .info import parse_annotations

__all__ = ["Entry", "listdir", "versions", "parse_listing"]

log = logging.getLogger(__name__)

#: Bytes read from the socket per parser feed.
BLOCK = 1 << 16
# the Default Namespace's listing calls files "file" and carries a "." entry for itself
_FILE_TYPES = {"file": "object", "directory": "directory", "symlink": "symlink"}
_SELF = frozenset({".", ".."})


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a directory listing (:func:`listdir`) or a version list (:func:`versions`).

    The attribute names are the listing's, in snake_case; what the listing leaves out
    is ``None`` (directories have no size, the Default Namespace has no retention...).
    Times are timezone-aware UTC datetimes.

    .. versionadded:: 1.0
    """

    #: The name (decoded, ``utf8Name``).
    name: str
    #: The full path (decoded), ready for :func:`stat`, :func:`download_file`...
    path: str
    #: ``'object'``, ``'directory'`` or ``'symlink'``.
    type: str
    #: Size in bytes (objects).
    size: int | None = None
    #: ``SHA-256``... and the hash in upper-case hex.
    hash_scheme: str | None = None
    hash_value: str | None = None
    #: The ETag (unquoted, as listed) when HCP has computed one.
    etag: str | None = None
    #: Last change (``changeTimeMilliseconds``).
    change_time: datetime | None = None
    #: When stored (``ingestTime``).
    ingest_time: datetime | None = None
    #: The version id (``version``).
    version_id: int | None = None
    #: ``state="deleted"``: listed only with ``deleted=True``.
    deleted: bool = False
    #: Retention value, text and class (``retention``, ``retentionString``, ``retentionClass``).
    retention: int | None = None
    retention_text: str | None = None
    retention_class: str | None = None
    hold: bool = False
    shred: bool = False
    index: bool = False
    dpl: int | None = None
    replicated: bool = False
    owner: str | None = None
    domain: str | None = None
    has_acl: bool = False
    #: ``customMetadata`` and the names of ``customMetadataAnnotations``.
    has_annotations: bool = False
    annotation_names: tuple[str, ...] = ()
    #: Target of a symlink entry.
    symlink_target: str | None = None
    #: The name percent-encoded, as listed (``urlName``).
    url_name: str | None = None
    #: Default Namespace only: POSIX mode bits, owner ids, access and modification times.
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    access_time: datetime | None = None
    mod_time: datetime | None = None

    @property
    def is_dir(self) -> bool:
        """Whether the entry is a directory."""
        return self.type == "directory"


def _mode(text: str | None) -> int | None:
    try:
        return int(text, 8) if text else None
    except ValueError:
        return None


def make_entry(base: str, attrib: dict[str, str], join: bool = True) -> Entry | None:
    """The :class:`Entry` of one ``<entry>``'s attributes (``None`` for ``.``/``..``).

    :param base: the listed directory's path, or a version list's object path
    :param join: the entry's path is ``base/name`` (``False``: ``base`` itself, for versions)
    """
    get = attrib.get
    name = get("utf8Name") or get("urlName") or ""
    kind = get("type")
    if kind is None:
        if name in _SELF:
            return None
        kind = _FILE_TYPES.get(get("fileType", "file"), "object")
    path = f"{base}/{name}" if join else base
    if kind != "object":
        return Entry(name, path, kind, change_time=from_ms(get("changeTimeMilliseconds")),
                     deleted=get("state") == "deleted",
                     symlink_target=get("utf8SymlinkTarget") or get("symlinkTarget"),
                     url_name=get("urlName"), mode=_mode(get("mode")),
                     uid=integer(get("uid")), gid=integer(get("gid")),
                     access_time=from_seconds(get("accessTime")),
                     mod_time=from_seconds(get("modTime")))
    names = tuple(parse_annotations(get("customMetadataAnnotations")))
    return Entry(
        name, path, kind, size=integer(get("size")), hash_scheme=get("hashScheme"),
        hash_value=get("hash"), etag=get("etag"),
        change_time=from_ms(get("changeTimeMilliseconds")),
        ingest_time=from_seconds(get("ingestTime")), version_id=integer(get("version")),
        deleted=get("state") == "deleted", retention=integer(get("retention")),
        retention_text=get("retentionString"), retention_class=get("retentionClass"),
        hold=flag(get("hold")), shred=flag(get("shred")), index=flag(get("index")),
        dpl=integer(get("dpl")), replicated=flag(get("replicated")), owner=get("owner"),
        domain=get("domain"), has_acl=flag(get("hasAcl")),
        has_annotations=flag(get("customMetadata")) or bool(names), annotation_names=names,
        url_name=get("urlName"), mode=_mode(get("mode")), uid=integer(get("uid")),
        gid=integer(get("gid")), access_time=from_seconds(get("accessTime")),
        mod_time=from_seconds(get("modTime")))


def parse_listing(blocks: Iterator[bytes], base: str, what: str, join: bool = True
                  ) -> Iterator[Entry]:
    """The entries of a listing document that arrives as ``blocks`` of bytes.

    :param base: the path the entries are under (see :func:`make_entry`)
    :param join: see :func:`make_entry`
    :param what: names the request in an error message
    :raises HcpsdkError: the document is not well-formed XML or ends early
    """
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    root: Element | None = None
    depth = 0
    try:
        for block in blocks:
            parser.feed(block)
            # only "start"/"end" were asked for: every event is (name, Element)
            for event, element in cast("Iterator[tuple[str, Element]]", parser.read_events()):
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = element
                    continue
                depth -= 1
                if depth == 1 and element.tag == "entry":
                    entry = make_entry(base, element.attrib, join)
                    if entry is not None:
                        yield entry
            if root is not None:
                root.clear()  # the entries handed out: drop them from the tree
        parser.close()
    except ParseError as exc:
        raise HcpsdkError(f"{what}: the listing is not well-formed XML ({exc})") from exc


def _blocks(connection: Connection) -> Iterator[bytes]:
    while True:
        block = connection.read(BLOCK)
        if not block:
            return
        yield block


def _listing(connection: Connection, call: str, path: str, params: dict[str, str],
             base: str) -> Iterator[Entry]:
    response = send(connection, call, path, params=params or None, stream=True)
    kind = (response.getheader("X-HCP-Type") or "").strip()
    ctype = response.getheader("Content-Type") or ""
    listed = params.get("version") == "list"
    if not listed and (kind == "object" or (not kind and "xml" not in ctype)):
        connection.close()  # an object's data is on its way: not worth reading
        raise HcpsdkArgumentError(f"{call.partition(' ')[2]}: {path} is an object, not a directory")
    log.debug("%s %s: %s %s", call, path, response.status, response.reason)
    return parse_listing(_blocks(connection), base, f"{call} {path}", not listed)


def listdir(connection: Connection, path: str, *, deleted: bool = False,
            most_recent_dir_times: bool = False) -> Iterator[Entry]:
    """The entries of a directory, one by one as the listing arrives.

    The request::

        GET /rest/<dir>[?deleted=true][&mostRecentDirTimes=true]

    The request is sent (and its errors raised) at once; the entries are parsed while
    the caller iterates. Until the iterator is exhausted the Connection is busy with
    the listing: use another Connection for requests in the loop (or ``list()`` it first).
    Entries come in HCP's order. In the Default Namespace (``/fcfs_data/...``) the
    ``.`` entry is left out.

    :param connection: the Connection to use
    :param path: the directory, e.g. ``/rest/scans/2024`` (plain text)
    :param deleted: list deleted objects and directories too (namespaces with versioning)
    :param most_recent_dir_times: a subdirectory's change time is the latest change
        inside it (``mostRecentDirTimes``), not only its creation or deletion
    :returns: an iterator of :class:`Entry`
    :raises HcpsdkNotFoundError: no such directory
    :raises HcpsdkArgumentError: ``path`` is an object
    :raises HcpsdkStatusError: any other failure status (``403``: no browse permission)
    :raises HcpsdkError: the listing is not well-formed XML

    .. versionadded:: 1.0
    """
    connection = check_connection("listdir", connection)
    params = {}
    if deleted:
        params["deleted"] = "true"
    if most_recent_dir_times:
        params["mostRecentDirTimes"] = "true"
    base = path.rstrip("/") if isinstance(path, str) else path
    return _listing(connection, "GET listdir", base or path, params, base)


def versions(connection: Connection, path: str, *, deleted: bool = False) -> Iterator[Entry]:
    """The versions of an object, oldest first, one by one as the list arrives.

    The request::

        GET /rest/<object>?version=list[&deleted=true]

    :param connection: the Connection to use (busy until the iterator is exhausted)
    :param path: the object, e.g. ``/rest/ver/v.txt`` (plain text)
    :param deleted: include the delete markers (entries with ``deleted=True``)
    :returns: an iterator of :class:`Entry`; each has the object's path and its own
        :attr:`~Entry.version_id`
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkStatusError: ``400`` when the namespace has no versioning
    :raises HcpsdkError: the list is not well-formed XML

    .. versionadded:: 1.0
    """
    connection = check_connection("versions", connection)
    params = {"version": "list"}
    if deleted:
        params["deleted"] = "true"
    return _listing(connection, "GET versions", path, params, path)

