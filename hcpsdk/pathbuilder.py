"""hcpsdk.pathbuilder — unique object names and the folders to store them in.

HCP ingests fastest when parallel writes go to different folders. A
:class:`PathBuilder` turns a file name into a unique object name (an RFC 4122
version 1 UUID) plus a folder derived from it, and maps such a name back to its
full path later::

    >>> from hcpsdk.pathbuilder import PathBuilder
    >>> p = PathBuilder(initialpath='/rest/mypath', annotation=True)
    >>> path, name, xml = p.getunique('testfile.txt')
    >>> p.getpath(name) == path + '/' + name
    True

The folder is ``initialpath/<byte 4>/<byte 3>`` of the UUID's ``time_low`` field,
i.e. the low 16 bits of its 100-nanosecond timestamp: 65,536 folders, visited in
turn as time passes.
"""
from __future__ import annotations

import logging
import os
import posixpath
import re
import secrets
import threading
import time
import uuid
import xml.sax.saxutils
from collections.abc import Callable

from hcpsdk.exceptions import PathBuilderError

__all__ = ["PathBuilder", "PathBuilderError"]

#: The spelling of :class:`PathBuilderError` in the 0.9 documentation (chapter 8.1).
pathbuilderError = PathBuilderError

log = logging.getLogger(__name__)

#: The default leading part of the paths built.
DEFAULT_INITIALPATH = "/rest/hcpsdk"

# 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000
# A clock this far (1 s) behind the last timestamp was set back, not just coarse.
_CLOCK_STEP_BACK = 10_000_000

_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# Characters XML 1.0 can't carry even escaped; an annotation holding one would be refused by HCP.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"
# Escapes as ElementTree writes attributes: whitespace kept as character references.
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}


def _quoteattr(value: str) -> str:
    return '"' + xml.sax.saxutils.escape(value, _ATTR_ENTITIES) + '"'


class _Uuid1Source:
    """Version 1 UUIDs with a true 100-ns clock, unique within this process.

    ``uuid.uuid1()`` on Linux goes through libuuid, whose clock counts microseconds
    times ten: names made more than 1 µs apart all have an even lowest byte, so half
    of the first-level folders would never be used. Here the timestamp comes from
    ``time.time_ns()``, bumped under a lock so that it strictly increases (no two
    threads get the same one), and the clock sequence is random per process and
    drawn anew in a forked child (RFC 4122, 4.1.5), which keeps parent and child apart.

    The folders come from the low 16 bits of the timestamp, so they are as even as the
    moments the names are made at: names made at unrelated moments land in any folder
    alike, while a caller that makes names at a steady pace steps through the folders in
    a regular pattern (a pace of 6.4 µs uses only 4 of the 256 first-level folders for
    as long as it lasts). *clock* lets a caller choose those moments, e.g. to reproduce
    a layout; :class:`PathBuilder` always uses the system clock.

    :param clock: the time source, in nanoseconds since the Unix epoch
    """

    def __init__(self, clock: Callable[[], int] = time.time_ns) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last = 0
        self._node = uuid.getnode()
        self._clock_seq = secrets.randbits(14)

    def _reseed(self) -> None:
        """In a forked child: a clock sequence other than the parent's."""
        self._lock = threading.Lock()  # the parent's may have been held by another thread
        self._clock_seq = (self._clock_seq + 1 + secrets.randbelow(0x3FFF)) & 0x3FFF

    def __call__(self) -> str:
        """Return the next UUID in its canonical string form."""
        with self._lock:
            timestamp = self._clock() // 100 + _UUID_EPOCH_OFFSET
            if timestamp <= self._last - _CLOCK_STEP_BACK:
                # the system clock was set back: a new clock sequence keeps names unique
                # (RFC 4122, 4.1.5) and lets the folders follow the clock again
                self._clock_seq = (self._clock_seq + 1) & 0x3FFF
            elif timestamp <= self._last:
                timestamp = self._last + 1
            self._last = timestamp
            clock_seq = self._clock_seq
        # RFC 4122 layout: time_low-time_mid-version|time_hi-variant|clock_seq-node
        time_low = timestamp & 0xFFFFFFFF
        time_mid = (timestamp >> 32) & 0xFFFF
        time_hi_version = 0x1000 | (timestamp >> 48) & 0x0FFF
        variant_seq = 0x8000 | clock_seq
        return f"{time_low:08x}-{time_mid:04x}-{time_hi_version:04x}-{variant_seq:04x}-{self._node:012x}"


_uuid1 = _Uuid1Source()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_uuid1._reseed)


class PathBuilder:
    """Conversion of a filename into a unique object name and a proper path for HCP's
    needs; re-conversion of a unique object name to the path where it can be found.

    :param initialpath: the leading part of the path (absolute, e.g. ``/rest/hcpsdk``)
    :param annotation: if True, :meth:`getunique` also returns an XML structure to be
        used as custom metadata annotation, holding the original filename
    :raises PathBuilderError: if *initialpath* is not an absolute path without
        query or fragment characters
    """

    def __init__(self, initialpath: str = DEFAULT_INITIALPATH, annotation: bool = False) -> None:
        if (not isinstance(initialpath, str) or not initialpath.startswith("/")
                or any(c in initialpath for c in "?#") or _XML_INVALID_RE.search(initialpath)):
            raise PathBuilderError(f"initialpath must be an absolute path like {DEFAULT_INITIALPATH!r},"
                                   f" not {initialpath!r}")
        self._initialpath = initialpath.rstrip("/") or "/"
        self._annotation = bool(annotation)

    @property
    def initialpath(self) -> str:
        """The leading part of every path built."""
        return self._initialpath

    @property
    def leadingpath(self) -> str:
        """The 0.9.5 name of :attr:`initialpath`."""
        return self._initialpath

    @property
    def annotation(self) -> bool:
        """True if :meth:`getunique` returns an annotation XML string, too."""
        return self._annotation

    def __repr__(self) -> str:
        return f"PathBuilder(initialpath={self._initialpath!r}, annotation={self._annotation!r})"

    def _folder(self, objectname: str) -> str:
        # byte 4, then byte 3 of time_low: the fastest-changing bits of the timestamp
        return posixpath.join(self._initialpath, objectname[6:8], objectname[4:6])

    def getunique(self, filename: str) -> tuple[str, str] | tuple[str, str, str]:
        """Build a unique path / object name scheme.

        The path is built from *initialpath* plus byte 4 and 3 of the UUID in
        hexadecimal. If *annotation* was True at instantiation, a third element holds
        the annotation XML::

            <?xml version='1.0' encoding='utf-8'?>
            <hcpsdk_fileobject filename="testfile.txt" path="/rest/mypath/b4/ec" uuid="8ac8ecb4-..." />

        :param filename: the filename to be transformed
        :returns: ``(path, objectname)`` or ``(path, objectname, annotation_xml)``
        :raises PathBuilderError: if *filename* is not a string XML can carry
        """
        if not isinstance(filename, str) or _XML_INVALID_RE.search(filename):
            raise PathBuilderError(f"filename must be a string of XML characters, not {filename!r}")
        objectname = _uuid1()
        path = self._folder(objectname)
        if not self._annotation:
            return path, objectname
        return path, objectname, (f"{_XML_DECLARATION}\n<hcpsdk_fileobject filename={_quoteattr(filename)}"
                                  f" path={_quoteattr(path)} uuid={_quoteattr(objectname)} />")

    def getpath(self, objectname: str) -> str:
        """From a unique object name, retrieve the path in which the object was stored.

        :param objectname: a unique object name as returned by :meth:`getunique`
        :returns: the full path to the object (including its name)
        :raises PathBuilderError: if *objectname* is not a UUID in its canonical form
        """
        if not isinstance(objectname, str) or not _UUID_RE.fullmatch(objectname):
            raise PathBuilderError(f"not a unique object name (a UUID like"
                                   f" '8ac8ecb4-9f1e-11e4-a524-98fe94437d8c'): {objectname!r}")
        return posixpath.join(self._folder(objectname), objectname)
