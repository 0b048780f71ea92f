"""The file objects of :class:`hcpsdk.fs.HcpFileSystem`: ranged reads, streamed writes.

Reading asks HCP for byte ranges (``Range: bytes=a-b``) through fsspec's caches
(read-ahead by default), so ``seek()`` and partial reads fetch only what they need.
Each range request carries the ETag the object had when it was opened (``If-Match``):
an object replaced meanwhile raises instead of mixing two contents. A large range (of
64 MiB or more) goes in parts side by side (:mod:`hcpsdk.fs._parts`).

Writing sends one PUT. A file that stays below one block goes out as a single
PUT of known length (which the Connection may resend after a network error). A
larger one is streamed: at the first full block a PUT with a chunked body starts
on its own thread and Connection, and every further block is handed to it
through a :class:`_Channel` that holds at most two blocks, so writing a file of
any size needs about three blocks of memory. HCP stores an object only when its
body is complete: a write that fails, or a ``with`` block left by an exception,
leaves no object behind.

A streamed write over an existing object goes to a temporary object beside it
first (``.<name>.<random>.hcpfs-part``), which replaces the object by a server-side
copy once it is complete: HCP refuses a PUT over an object in a namespace without
versions, and deleting the object before the stream would lose it whenever the
stream fails (a network error, an exception in the writing program). Until the new
content is stored in full, the old object stays untouched. The temporary object is
stored with ``retention=0``, so that it can go whatever retention the namespace gives
new objects; an object under retention or on hold, which HCP would not let go, is not
replaced, and nothing is sent. A small write (one PUT at close) that HCP refuses with
409 (a namespace without versions) replaces the object the same way
(:func:`replace_from`).

.. versionadded:: 1.0
"""
from __future__ import annotations

import collections
import errno
import logging
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

from fsspec.spec import AbstractBufferedFile  # type: ignore[import-untyped]

from .. import objects
from ..connection import Connection
from ..exceptions import HcpsdkError, HcpsdkStatusError
from ..objects._wire import send
from . import _wire

__all__ = ["HcpFile"]

log = logging.getLogger(__name__)

#: Blocks a streamed write may have queued for its PUT thread.
QUEUED_BLOCKS = 2


class _Channel:
    """A bounded hand-over of blocks from the writer to the PUT thread's body iterator."""

    def __init__(self, limit: int = QUEUED_BLOCKS) -> None:
        self._blocks: collections.deque[bytes] = collections.deque()
        self._limit = limit
        self._cond = threading.Condition()
        self._ended = False      # the writer has no more blocks
        #: the writer gave up: the body breaks off instead of ending
        self.aborted = False
        self._stopped = False    # the PUT no longer takes blocks (answered or failed)

    def put(self, block: bytes) -> bool:
        """Queue ``block``; ``False`` when the PUT has stopped taking blocks."""
        with self._cond:
            while len(self._blocks) >= self._limit and not self._stopped:
                self._cond.wait()
            if self._stopped:
                return False
            self._blocks.append(block)
            self._cond.notify_all()
            return True

    def end(self, aborted: bool = False) -> None:
        """No more blocks: the body ends (or, ``aborted``, breaks off)."""
        with self._cond:
            self._ended = True
            self.aborted = aborted
            self._cond.notify_all()

    def stop(self) -> None:
        """The PUT has finished: wake a writer waiting for room."""
        with self._cond:
            self._stopped = True
            self._blocks.clear()
            self._cond.notify_all()

    def body(self) -> Iterator[bytes]:
        """The PUT's body: blocks as they come, until :meth:`end`."""
        while True:
            with self._cond:
                while not self._blocks and not self._ended:
                    self._cond.wait()
                if self._blocks:
                    block = self._blocks.popleft()
                    self._cond.notify_all()
                elif self.aborted:
                    # an exception out of the body makes the Connection drop the socket
                    # mid-request: HCP never sees the end of the chunked body
                    raise HcpsdkError("the write was aborted")
                else:
                    return
            yield block


class _Upload:
    """A PUT with a streamed body, running on its own thread and Connection."""

    def __init__(self, fs: HcpFileSystem, path: str, exclusive: bool,
                 params: dict[str, str] | None = None) -> None:
        self.channel = _Channel()
        self._headers = EXCLUSIVE if exclusive else None
        self._params = params
        self.error: BaseException | None = None
        self._fs = fs
        self._path = path
        self._thread = threading.Thread(target=self._run, name=f"hcpsdk-fs-put {path}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with Connection(self._fs.target, **self._fs.connection_args) as con:
                send(con, "PUT hcp", self._path, body=self.channel.body(), ok=(200, 201),
                     headers=self._headers, params=self._params)
        except HcpsdkStatusError as exc:
            self.error = _wire.os_error(exc, self._path)
            self.error.__cause__ = exc
        except BaseException as exc:  # handed to the writer, which raises it
            self.error = exc
        finally:
            self.channel.stop()

    def finish(self, aborted: bool = False) -> None:
        """End the body and wait for HCP's answer."""
        self.channel.end(aborted)
        self._thread.join()


class HcpFile(AbstractBufferedFile):  # type: ignore[misc]
    """An object of an HCP namespace opened for reading (``rb``) or writing (``wb``, ``xb``).

    Made by :meth:`HcpFileSystem.open`; see the module description.
    """

    def __init__(self, fs: HcpFileSystem, path: str, mode: str = "rb", *,
                 etag: str | None = None, **kwargs: Any) -> None:
        super().__init__(fs, path, mode, **kwargs)
        self._etag = etag  # every range must come from the object that was opened
        self._upload: _Upload | None = None
        #: Where a streamed write goes: the path, or a temporary object beside an
        #: existing one (see the module description).
        self._stream_to = self.path

    # -- reading ------------------------------------------------------------------------

    def _fetch_range(self, start: int, end: int) -> bytes:
        if start >= end:
            return b""
        if self._etag:  # the parts of a large range can all be asked to be of this object
            data: bytes = self.fs._read_large(self.path, start, end, self._etag)
        else:
            data = self.fs._read_range(self.path, start, end)
        return data

    # -- writing ------------------------------------------------------------------------

    def _initiate_upload(self) -> None:
        """Nothing yet: a file that never fills a block is sent in one PUT at close."""

    def _upload_chunk(self, final: bool = False) -> bool:
        block = self.buffer.getvalue()
        if self._upload is None and final:
            self.fs._store(self.path, block, exclusive=self.mode == "xb")
            return True
        if self._upload is None:
            params = None
            # an object under retention or on hold raises here, before anything is sent
            if self.mode == "wb" and replaceable(self.fs, self.path):
                self._stream_to = _part_name(self.path)
                # deletable whatever the namespace's default retention: it is removed
                # once it has replaced the object
                params = {"retention": "0"}
            self._upload = _Upload(self.fs, self._stream_to, exclusive=self.mode == "xb",
                                   params=params)
        if block and not self._upload.channel.put(block):
            self._finish(stopped=True)
        if final:
            self._finish()
        return True

    def _finish(self, stopped: bool = False) -> None:
        """End the body, wait for HCP's answer and raise what went wrong; a complete
        temporary object then replaces the existing one."""
        upload = self._upload
        assert upload is not None
        upload.finish()
        if upload.error is not None:
            raise upload.error
        if stopped:
            raise HcpsdkError(f"PUT {self._stream_to}: HCP answered before the whole body "
                              f"was sent")
        if self._stream_to != self.path:
            replace_from(self.fs, self.path, self._stream_to)

    def _abort(self) -> None:
        """Break off a streamed PUT so that HCP stores nothing."""
        if self._upload is not None:
            self._upload.finish(aborted=True)
        self.closed = True

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None and self.writable() and not self.closed:
            self._abort()
            return
        self.close()


def _part_name(path: str) -> str:
    """A new name beside ``path`` for the temporary object of a write that replaces it."""
    parent, _, name = path.rpartition("/")
    return f"{parent}/.{name}.{secrets.token_hex(8)}.hcpfs-part"


def replaceable(fs: HcpFileSystem, path: str) -> bool:
    """Whether an object is at ``path`` (one ``HEAD``), to be replaced.

    :raises PermissionError: it is under retention or on hold: HCP would refuse to
        delete it
    """
    try:
        info = fs.info(path)
    except FileNotFoundError:
        return False
    if info["type"] != "file":
        return False
    # -1 deletion prohibited, -2 initial unspecified, else the epoch second retention
    # ends: a point in wall-clock time, so compared with the wall clock
    retention = info.get("retention") or 0
    if (info.get("hold") or info.get("labeled_holds") or retention in (-1, -2)
            or retention > time.time()):
        raise PermissionError(errno.EACCES, "the object is under retention or on hold "
                              "and can't be replaced", path)
    return True


def replace_from(fs: HcpFileSystem, path: str, part: str, versions: bool = True) -> None:
    """Replace the object at ``path`` by the complete temporary object ``part``, which
    then goes.

    :param versions: the namespace may keep versions: the copy over the object is tried
        first (a new version); ``False`` (HCP refused a PUT over it with 409): the
        object is deleted, then copied to
    """
    try:
        if versions:
            fs.cp_file(part, path)
        else:
            fs._discard(path)
            fs._hcp(objects.copy, part, path)
    except Exception as exc:  # the new content is complete at ``part``: say so
        exc.add_note(f"hcpfs: the new content of {path} is stored at {part}")
        raise
    try:
        fs.rm_file(part)
    except Exception as exc:  # the object is replaced; only the leftover remains
        log.warning("hcpfs: %s is replaced, but its temporary object %s could not be "
                    "deleted: %s", path, part, exc)


# the filesystem module imports this one; importing it last closes the circle
from ._filesystem import EXCLUSIVE, HcpFileSystem  # noqa: E402
