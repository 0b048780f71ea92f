"""Directory listings and version lists, parsed while they arrive.

HCP answers ``GET /rest/<dir>`` with one XML document holding an ``<entry>`` per
child; a directory may have millions of them. The document is fed block by block to an
``xml.etree.ElementTree.XMLParser`` whose target makes an :class:`Entry` of each
``<entry>`` start tag (no element tree is built); the entries of a block are handed out
before the next block is read, so memory stays bounded whatever the size.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import ParseError, XMLParser

from ..connection import Connection
from ..exceptions import HcpsdkArgumentError, HcpsdkError
from ._wire import check_connection, flag, from_ms, from_seconds, integer, send
from .info import parse_annotations

__all__ = ["Entry", "listdir", "versions", "parse_listing"]

log = logging.getLogger(__name__)

#: Bytes read from the socket per parser feed.
BLOCK = 1 << 18
# the Default Namespace's listing calls files "file" and carries a "." entry for itself
_FILE_TYPES = {"file": "object", "directory": "directory", "symlink": "symlink"}
_SELF = frozenset({".", ".."})


def _mode(text: str | None) -> int | None:
    try:
        return int(text, 8) if text else None
    except ValueError:
        return None


@dataclass(slots=True, repr=False)
class Entry:
    """One entry of a directory listing (:func:`listdir`) or a version list (:func:`versions`).

    An entry keeps the listing's attributes as HCP sent them (:attr:`attributes`) and
    converts one when it is asked for: a listing of a million entries costs little more
    than reading it. The properties have the listing's names in snake_case; what the
    listing leaves out is ``None`` (directories have no size, the Default Namespace has
    no retention...). Times are timezone-aware UTC datetimes.

    .. versionadded:: 1.0
    """

    #: The name (decoded, ``utf8Name``).
    name: str
    #: The full path (decoded), ready for :func:`stat`, :func:`download_file`...
    path: str
    #: ``'object'``, ``'directory'`` or ``'symlink'``.
    type: str
    #: The ``<entry>``'s XML attributes as listed (``{'size': '5120', 'hold': 'false', ...}``).
    attributes: dict[str, str] = field(default_factory=dict, compare=False)

    def __repr__(self) -> str:
        return (f"Entry(name={self.name!r}, path={self.path!r}, type={self.type!r}, "
                f"size={self.size!r}, version_id={self.version_id!r}, deleted={self.deleted!r})")

    @property
    def is_dir(self) -> bool:
        """Whether the entry is a directory."""
        return self.type == "directory"

    @property
    def size(self) -> int | None:
        """Size in bytes (objects)."""
        return integer(self.attributes.get("size"))

    @property
    def hash_scheme(self) -> str | None:
        """``SHA-256``, ``MD5``... (``hashScheme``)."""
        return self.attributes.get("hashScheme")

    @property
    def hash_value(self) -> str | None:
        """The hash in upper-case hex (``hash``)."""
        return self.attributes.get("hash")

    @property
    def etag(self) -> str | None:
        """The ETag (unquoted, as listed) when HCP has computed one."""
        return self.attributes.get("etag")

    @property
    def change_time(self) -> datetime | None:
        """Last change (``changeTimeMilliseconds``)."""
        return from_ms(self.attributes.get("changeTimeMilliseconds"))

    @property
    def ingest_time(self) -> datetime | None:
        """When stored (``ingestTime``)."""
        return from_seconds(self.attributes.get("ingestTime"))

    @property
    def version_id(self) -> int | None:
        """The version id (``version``)."""
        return integer(self.attributes.get("version"))

    @property
    def deleted(self) -> bool:
        """``state="deleted"``: listed only with ``deleted=True``."""
        return self.attributes.get("state") == "deleted"

    @property
    def retention(self) -> int | None:
        """Retention value: end in epoch seconds, ``0``, ``-1`` or ``-2`` (``retention``)."""
        return integer(self.attributes.get("retention"))

    @property
    def retention_text(self) -> str | None:
        """Retention as text, e.g. ``Deletion Allowed`` (``retentionString``)."""
        return self.attributes.get("retentionString")

    @property
    def retention_class(self) -> str | None:
        """Retention class name, ``''`` for none (``retentionClass``)."""
        return self.attributes.get("retentionClass")

    @property
    def hold(self) -> bool:
        """On hold (``hold``)."""
        return flag(self.attributes.get("hold"))

    @property
    def shred(self) -> bool:
        """Shredded on delete (``shred``)."""
        return flag(self.attributes.get("shred"))

    @property
    def index(self) -> bool:
        """Indexed for search (``index``)."""
        return flag(self.attributes.get("index"))

    @property
    def dpl(self) -> int | None:
        """Data protection level (``dpl``)."""
        return integer(self.attributes.get("dpl"))

    @property
    def replicated(self) -> bool:
        """Replicated (``replicated``)."""
        return flag(self.attributes.get("replicated"))

    @property
    def owner(self) -> str | None:
        """Owner (``owner``)."""
        return self.attributes.get("owner")

    @property
    def domain(self) -> str | None:
        """The owner's AD domain (``domain``)."""
        return self.attributes.get("domain")

    @property
    def has_acl(self) -> bool:
        """Has an ACL (``hasAcl``)."""
        return flag(self.attributes.get("hasAcl"))

    @property
    def annotation_names(self) -> tuple[str, ...]:
        """Names of the annotations (``customMetadataAnnotations``)."""
        return tuple(parse_annotations(self.attributes.get("customMetadataAnnotations")))

    @property
    def has_annotations(self) -> bool:
        """Has annotations (``customMetadata``)."""
        return flag(self.attributes.get("customMetadata")) or bool(self.annotation_names)

    @property
    def symlink_target(self) -> str | None:
        """Target of a symlink entry (``utf8SymlinkTarget``)."""
        return self.attributes.get("utf8SymlinkTarget") or self.attributes.get("symlinkTarget")

    @property
    def url_name(self) -> str | None:
        """The name percent-encoded, as listed (``urlName``)."""
        return self.attributes.get("urlName")

    @property
    def mode(self) -> int | None:
        """Default Namespace: the POSIX mode bits (``mode``, octal)."""
        return _mode(self.attributes.get("mode"))

    @property
    def uid(self) -> int | None:
        """Default Namespace: the owner's user id."""
        return integer(self.attributes.get("uid"))

    @property
    def gid(self) -> int | None:
        """Default Namespace: the group id."""
        return integer(self.attributes.get("gid"))

    @property
    def access_time(self) -> datetime | None:
        """Default Namespace: last access (``accessTime``)."""
        return from_seconds(self.attributes.get("accessTime"))

    @property
    def mod_time(self) -> datetime | None:
        """Default Namespace: last modification (``modTime``)."""
        return from_seconds(self.attributes.get("modTime"))


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
    return Entry(name, f"{base}/{name}" if join else base, kind, attrib)


class _Entries:
    """The parser's target: an :class:`Entry` for each ``<entry>`` start tag.

    The parser calls ``start`` for every element; no element tree is built at all (an
    ``<entry>`` has its attributes complete at its start tag, and no children). ``start``
    is a closure, not a method: it runs once per entry, a million times for a large
    directory, and the closure saves the attribute look-ups.
    """

    __slots__ = ("found", "start")

    def __init__(self, base: str, join: bool) -> None:
        self.found: list[Entry] = []

        def start(tag: str, attrib: dict[str, str]) -> None:
            if tag != "entry":
                return
            kind = attrib.get("type")
            if kind is None:  # the Default Namespace's shape (fileType), or no type at all
                entry = make_entry(base, attrib, join)
                if entry is not None:
                    self.found.append(entry)
                return
            name = attrib.get("utf8Name") or attrib.get("urlName") or ""
            self.found.append(Entry(name, f"{base}/{name}" if join else base, kind, attrib))

        self.start = start

    def close(self) -> None:
        return None


def parse_listing(blocks: Iterator[bytes], base: str, what: str, join: bool = True
                  ) -> Iterator[Entry]:
    """The entries of a listing document that arrives as ``blocks`` of bytes.

    At most one block's entries are held at a time.

    :param base: the path the entries are under (see :func:`make_entry`)
    :param what: names the request in an error message
    :param join: see :func:`make_entry`
    :raises HcpsdkError: the document is not well-formed XML or ends early
    """
    target = _Entries(base, join)
    parser = XMLParser(target=target)
    try:
        for block in blocks:
            parser.feed(block)
            if target.found:
                found, target.found = target.found, []
                yield from found
        parser.close()
    except ParseError as exc:
        raise HcpsdkError(f"{what}: the listing is not well-formed XML ({exc})") from exc
    yield from target.found


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

