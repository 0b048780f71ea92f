"""The fsspec filesystem of an HCP namespace (protocol ``hcp``).

Every call goes through the :class:`hcpsdk.Connection` of the calling thread (one per
thread, made from the filesystem's :class:`hcpsdk.Target`), so node round-robin,
retries and the replica strategy are the Target's; a large read of an opened file also
uses spare Connections for its other parts (:mod:`hcpsdk.fs._parts`). The filesystem
keeps no open socket in its pickle: a Dask worker or a forked child builds its own.

.. versionadded:: 1.0
"""
from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

from fsspec.callbacks import DEFAULT_CALLBACK, NoOpCallback  # type: ignore[import-untyped]
from fsspec.spec import AbstractFileSystem, _Cached  # type: ignore[import-untyped]
from fsspec.utils import isfilelike, stringify_path  # type: ignore[import-untyped]

from .. import objects
from .._check import bad_value, integer, of_type
from .._constants import BLOCKSIZE
from .._localfile import replacing
from ..connection import Connection
from ..exceptions import (
    HcpsdkArgumentError,
    HcpsdkPreconditionFailedError,
    HcpsdkStatusError,
)
from ..objects._wire import send
from ..target import Target
from . import _parts, _wire
from ._file import HcpFile, _part_name, replace_from, replaceable
from ._options import PROTOCOL, split_url, target_from_options

__all__ = ["HcpFileSystem", "DEFAULT_BLOCK_SIZE", "MAX_READ_CONCURRENCY", "EXCLUSIVE"]

#: Bytes a read fetches ahead, a streamed write sends per block, a download writes at once.
DEFAULT_BLOCK_SIZE = 8 << 20
#: The most range requests one large read of an opened file sends side by side by default.
MAX_READ_CONCURRENCY = 4
_OK = (200, 201)
# the end of a range read "to the end of the object", whatever its size
_OPEN_END = 1 << 62
_T = TypeVar("_T")
#: The header of a PUT that must not replace anything: HCP answers 412 (or 409) instead.
EXCLUSIVE = {"If-None-Match": "*"}
# the options target_from_options() understands, and those fsspec hands every filesystem
_OPTIONS = frozenset({"host", "user", "password", "port", "tls", "cafile", "nameserver",
                      "dnscache", "replica_host", "replica_strategy"})
_FSSPEC_OPTIONS = frozenset({"use_listings_cache", "listings_expiry_time", "max_paths",
                             "skip_instance_cache", "asynchronous", "loop"})


def _cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Instances(_Cached):  # type: ignore[misc]
    """fsspec's instance cache, bypassed for filesystems made from a Target object.

    fsspec keys its cache by the arguments' ``repr``; two Targets for one FQDN may
    differ in what their ``repr`` hides (password, resolver), so they must not share
    a filesystem.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("target") is not None or (args and isinstance(args[0], Target)):
            kwargs["skip_instance_cache"] = True
        return super().__call__(*args, **kwargs)


class HcpFileSystem(AbstractFileSystem, metaclass=_Instances):  # type: ignore[misc]
    """An HCP namespace as an fsspec filesystem.

    Paths are REST paths (``/rest/dir/name``, the leading ``/`` optional) or
    ``hcp://<namespace FQDN>/rest/dir/name`` URLs; names are the stored names
    (a ``%`` is a ``%``). Directories are HCP directories: they exist when
    created, empty or not.

    .. code-block:: python

        fs = fsspec.filesystem("hcp", target=target)
        fs.pipe_file("/rest/demo/a.txt", b"hello")
        fs.ls("/rest/demo", detail=False)          # ['/rest/demo/a.txt']

        df = pandas.read_csv("hcp://n1.m.hcp1.example.com/rest/t.csv",
                             storage_options={"user": "n", "password": "n01"})

    :param target: the Target to use; without it, one is built from ``options``
    :param connection_args: keyword arguments for each thread's
        :class:`hcpsdk.Connection` (``timeout``, ``retries``, ...)
    :param block_size: bytes per read-ahead, per streamed write block and per download
        write (default 8 MiB)
    :param read_concurrency: how many range requests a large read of an opened file
        (64 MiB or more) sends side by side, each on a Connection of its own and so to
        the next node; 1: one request per read. Default: as many as this process may
        use CPUs, at most 4 (receiving into fresh memory keeps a CPU busy per request)
    :param options: without ``target``: ``host``, ``user``, ``password``, ``port``,
        ``tls``, ``cafile``, ``nameserver``, ``dnscache``, ``replica_host``,
        ``replica_strategy`` (see :func:`hcpsdk.fs.target_from_options`; ``HCP_*``
        environment variables fill in what is missing)
    :raises HcpsdkTypeError: ``target`` is no Target, ``block_size`` or
        ``read_concurrency`` no int
    :raises HcpsdkArgumentError: ``block_size`` or ``read_concurrency`` below 1, an
        unknown option, options besides a ``target``, or what
        :func:`~hcpsdk.fs.target_from_options` refuses

    .. versionadded:: 1.0
    """

    protocol = PROTOCOL
    root_marker = "/"

    def __init__(self, target: Target | None = None, *,
                 connection_args: dict[str, Any] | None = None,
                 block_size: int | None = None,
                 read_concurrency: int | None = None, **options: Any) -> None:
        of_type("HcpFileSystem", "target", target, Target, "an hcpsdk.Target")
        unknown = set(options) - _OPTIONS - _FSSPEC_OPTIONS
        if unknown:
            raise HcpsdkArgumentError(f"HcpFileSystem: unknown option(s) {sorted(unknown)} "
                                      f"(known: {sorted(_OPTIONS)})")
        of_type("HcpFileSystem", "block_size", block_size, int, "None or an int")
        if block_size is not None and block_size < 1:
            raise bad_value("HcpFileSystem", "block_size", "at least 1", block_size)
        if read_concurrency is not None:
            integer("HcpFileSystem", "read_concurrency", read_concurrency, 1)
        given = {k: v for k, v in options.items() if k in _OPTIONS and v is not None}
        if target is not None and set(given) - {"host"}:
            raise HcpsdkArgumentError("HcpFileSystem: give either a target or the options "
                                      f"to build one, not both ({sorted(given)})")
        if target is not None and given.get("host", target.fqdn).lower() != target.fqdn.lower():
            raise HcpsdkArgumentError(f"HcpFileSystem: the URL's host {given['host']!r} is not "
                                      f"the target's {target.fqdn!r}")
        super().__init__(target=target, connection_args=connection_args,
                         block_size=block_size, read_concurrency=read_concurrency, **options)
        self.target: Target = target if target is not None else target_from_options(given)
        self.connection_args: dict[str, Any] = dict(connection_args or {})
        self.blocksize = block_size or DEFAULT_BLOCK_SIZE
        #: Range requests a large read sends side by side (decided where the filesystem
        #: is made: a Dask worker unpickling it decides by its own CPUs).
        self.read_concurrency: int = read_concurrency or min(MAX_READ_CONCURRENCY, _cpus())
        self._local = threading.local()
        self._spares = _parts.Spares(self._new_connection)

    # -- paths --------------------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = stringify_path(path)
        if path.startswith(f"{PROTOCOL}://"):
            # the host is a storage option; the rest, '?' included, is the object's name
            rest = path[len(PROTOCOL) + 3:]
            path = rest[rest.find("/"):] if "/" in rest else "/"
        elif path.startswith(f"{PROTOCOL}::"):
            path = path[len(PROTOCOL) + 2:]
        return "/" + path.strip("/")

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> dict[str, Any]:
        if isinstance(path, str) and path.startswith(f"{PROTOCOL}://"):
            return split_url(path)[0]
        return {}

    def unstrip_protocol(self, name: str) -> str:
        if name.startswith(f"{PROTOCOL}://"):
            return name
        return f"{PROTOCOL}://{self.target.fqdn}{self._strip_protocol(name)}"

    # -- the calling thread's Connection ------------------------------------------------

    def _connection(self) -> Connection:
        con: Connection | None = getattr(self._local, "connection", None)
        if con is None:
            con = self._local.connection = self._new_connection()
        return con

    def _new_connection(self) -> Connection:
        return Connection(self.target, **self.connection_args)

    def _call(self, method: str, path: str, body: Any = None, *, params: Any = None,
              headers: dict[str, str] | None = None, ok: tuple[int, ...] = _OK,
              connection: Connection | None = None) -> Any:
        """Send a request on ``connection`` (default: this thread's); a status not in
        ``ok`` raises.

        :returns: the response, its body left for the caller
        :raises OSError: ``FileNotFoundError`` ... for HCP's refusals (see :mod:`._wire`)
        """
        return self._hcp(send, path, call=f"{method} {PROTOCOL}", params=params,
                         headers=headers, body=body, ok=ok, stream=True,
                         connection=connection)

    def _hcp(self, function: Callable[..., _T], path: str, *args: Any, call: str = "",
             connection: Connection | None = None, **kwargs: Any) -> _T:
        """``function(connection, [call,] path, ...)`` with HCP's refusals as OSErrors."""
        con = connection or self._connection()
        try:
            if call:
                return function(con, call, path, *args, **kwargs)
            return function(con, path, *args, **kwargs)
        except HcpsdkStatusError as exc:
            raise _wire.os_error(exc, path) from exc

    # -- reading ------------------------------------------------------------------------

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """The facts of ``path`` from HCP's HEAD answer (:func:`hcpsdk.objects.stat`).

        :returns: fsspec's ``name``, ``size`` and ``type`` (``'file'``, ``'directory'`` or
            ``'other'`` for a symlink), and every field of
            :class:`~hcpsdk.objects.ObjectInfo` (``hash_scheme``, ``hash_value``,
            ``version_id``, ``change_time``, ``ingest_time``, retention ...) with HCP's
            own type as ``hcp_type``
        :raises FileNotFoundError: there is nothing at ``path``
        """
        path = self._strip_protocol(path)
        if path == "/":
            return {"name": "/", "size": 0, "type": "directory"}
        return _wire.as_info(path, self._hcp(objects.stat, path))

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        """The entries of directory ``path`` (or ``[info]`` of an object).

        :raises FileNotFoundError: there is nothing at ``path``
        """
        path = self._strip_protocol(path)
        if path == "/":
            entries = [{"name": "/rest", "size": 0, "type": "directory"}]
        else:
            try:
                entries = [_wire.as_info(e.path, e) for e in self._hcp(objects.listdir, path)]
            except HcpsdkArgumentError:  # an object, not a directory
                entries = [self.info(path)]
        return entries if detail else [entry["name"] for entry in entries]

    def _read_range(self, path: str, start: int, end: int, etag: str | None = None) -> bytes:
        """Bytes ``[start, end)`` of object ``path`` (fewer at its end).

        :param etag: the object's ETag when the reading began: a replaced object is not
            mixed into what was read of the old one
        :raises HcpsdkPreconditionFailedError: the object changed since (``etag``)
        """
        self._send_range(self._connection(), path, start, end, etag)
        return self._range_body(start, end)

    def _read_large(self, path: str, start: int, end: int, etag: str) -> bytes:
        """Bytes ``[start, end)`` of the object ``path`` that had ``etag`` when it was
        opened, ``end`` at most its size: a large range goes in parts, side by side
        (:mod:`hcpsdk.fs._parts`)."""
        parts = _parts.count(end - start, self.read_concurrency)
        if parts == 1:
            return self._read_range(path, start, end, etag)
        data = _parts.read(self._connection(), self._spares,
                           lambda con, low, high: self._send_range(con, path, low, high, etag),
                           path, start, end, parts)
        # None: HCP did not answer the first part with just its range, read as it came
        return data if data is not None else self._range_body(start, end)

    def _send_range(self, con: Connection, path: str, start: int, end: int,
                    etag: str | None) -> None:
        """Ask for bytes ``[start, end)`` of ``path`` on ``con``: the answer (``200``,
        ``206`` or ``416``) waits there for its body to be read.

        :raises HcpsdkPreconditionFailedError: ``412``, the object is no longer ``etag``
        """
        headers = {"Range": f"bytes={start}-{end - 1}"}
        if etag:
            headers["If-Match"] = etag
        response = self._call("GET", path, headers=headers, ok=(200, 206, 412, 416),
                              connection=con)
        if response.status == 412:
            con.read()
            raise HcpsdkPreconditionFailedError(
                f"GET {path}: the object was replaced while it was being read", 412,
                response.reason, response.getheader("X-HCP-ErrorMessage") or "")

    def _range_body(self, start: int, end: int) -> bytes:
        """Read the answer :meth:`_send_range` left on this thread's Connection."""
        con = self._connection()
        status = con.response_status
        if status == 206:
            # at most the range: read into one buffer of its size (where the answer
            # announces less, as at the end of the object, in blocks as they arrive)
            data: bytes = con.read(end - start)
            con.read()  # the end of the body (nothing, when it kept the range)
            return data
        data = con.read()
        if status == 416:
            return b""
        return data[start:end]  # 200: the whole object, HCP ignored the range

    def cat_file(self, path: str, start: int | None = None, end: int | None = None,
                 **kwargs: Any) -> bytes:
        """The content of object ``path``, or its bytes ``[start, end)``.

        Negative ``start``/``end`` count from the end, as in slices. Only the asked
        range travels (``Range`` request).

        :raises FileNotFoundError: no object at ``path``
        :raises IsADirectoryError: ``path`` is a directory
        """
        path = self._strip_protocol(path)
        if start is None and end is None:
            response = self._call("GET", path, ok=(200,))
            data: bytes = self._connection().read()
            if response.getheader("X-HCP-Type") == "directory":
                raise IsADirectoryError(path)
            return data
        begin = start or 0
        if end is None and begin < 0:
            return self._suffix(path, -begin)
        if end is None:
            return self._read_range(path, begin, _OPEN_END)
        if begin < 0 or end < 0:
            size = self.size(path)
            begin = max(size + begin, 0) if begin < 0 else begin
            end = max(size + end, 0) if end < 0 else end
        return self._read_range(path, begin, end) if end > begin else b""

    def _suffix(self, path: str, count: int) -> bytes:
        if count == 0:
            return b""
        self._call("GET", path, headers={"Range": f"bytes=-{count}"}, ok=(200, 206))
        data: bytes = self._connection().read()
        return data[-count:]

    def _open(self, path: str, mode: str = "rb", block_size: int | None = None,
              autocommit: bool = True, cache_options: dict[str, Any] | None = None,
              **kwargs: Any) -> HcpFile:
        path = self._strip_protocol(path)
        if mode not in ("rb", "wb", "xb"):
            raise bad_value("HcpFileSystem.open", "mode", "'rb', 'wb' or 'xb' (HCP objects "
                            "can't be appended to)", mode)
        if mode == "xb" and self.exists(path):
            raise FileExistsError(path)
        if mode == "rb" and kwargs.get("size") is None:
            details = self.info(path)
            if details["type"] != "file":
                raise IsADirectoryError(path)
            kwargs["size"] = details["size"]
            kwargs["etag"] = details.get("etag")
        return HcpFile(self, path, mode, block_size=block_size or self.blocksize,
                       autocommit=autocommit, cache_options=cache_options, **kwargs)

    def get_file(self, rpath: str, lpath: Any, callback: Any = DEFAULT_CALLBACK,
                 outfile: BinaryIO | None = None, **kwargs: Any) -> None:
        """Download object ``rpath`` into the local file ``lpath`` (a directory: create it).

        The body goes in blocks, as it arrives, to a new file beside ``lpath`` that
        replaces it once the download is complete: a download that fails leaves a file
        at ``lpath`` as it was. ``callback`` hears of each block.
        """
        rpath = self._strip_protocol(rpath)
        if outfile is None and isfilelike(lpath):
            outfile = lpath
        response = self._call("GET", rpath, ok=(200,))
        con = self._connection()
        if response.getheader("X-HCP-Type") == "directory":
            con.read()
            if outfile is None:
                os.makedirs(lpath, exist_ok=True)
            return
        callback.set_size(response.length)
        if outfile is not None:
            self._receive(con, outfile, callback)
            return
        os.makedirs(os.path.dirname(os.path.abspath(lpath)), exist_ok=True)
        with replacing(lpath) as target:
            self._receive(con, target, callback)

    @staticmethod
    def _receive(con: Connection, target: BinaryIO, callback: Any) -> None:
        """The rest of the current answer's body into ``target``, block by block."""
        # the transport's block size, not the filesystem's 8 MiB blocks: each larger
        # read would gather a fresh buffer of its own (measured: 0.71x of a plain
        # Connection stream into a file with 8 MiB reads, 0.92x with these)
        while data := con.read(BLOCKSIZE):
            target.write(data)
            callback.relative_update(len(data))

    # -- writing ------------------------------------------------------------------------

    def _store(self, path: str, body: Any, exclusive: bool) -> None:
        """PUT ``body`` (bytes or a seekable file) to ``path``, replacing an object there.

        HCP refuses a PUT over an existing object (409) unless the namespace keeps
        versions; replacing means deleting first. So that a failure never leaves neither
        the old content nor the new, the new content is stored beside the object first
        (a temporary object, deletable whatever the namespace's default retention),
        which replaces it by a server-side copy once stored. ``exclusive``: only if there
        is no object (``If-None-Match: *`` makes a namespace with versions refuse, too).

        :raises FileExistsError: ``exclusive`` and an object is there
        :raises PermissionError: the object to replace is under retention or on hold
        """
        con = self._connection()
        if exclusive:
            self._call("PUT", path, body, headers=EXCLUSIVE)
            con.read()
            return
        response = self._call("PUT", path, body, ok=(201, 200, 409))
        con.read()
        if response.status != 409:
            return
        if not isinstance(body, (bytes, bytearray, memoryview)):
            body.seek(0)
        if not replaceable(self, path):  # gone meanwhile, or a directory: as HCP answers
            self._call("PUT", path, body)
            con.read()
            return
        part = _part_name(path)
        self._call("PUT", part, body, params={"retention": "0"})
        con.read()
        replace_from(self, path, part, versions=False)

    def _discard(self, path: str) -> None:
        """Delete the object at ``path`` if there is one."""
        self._call("DELETE", path, ok=(200, 204, 404))
        self._connection().read()

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any
                  ) -> None:
        """Store ``value`` as object ``path`` (``mode='create'``: only if there is none).

        :raises FileExistsError: ``mode='create'`` and the object exists
        """
        self._store(self._strip_protocol(path), bytes(value), mode == "create")

    def put_file(self, lpath: Any, rpath: str, callback: Any = DEFAULT_CALLBACK,
                 mode: str = "overwrite", **kwargs: Any) -> None:
        """Upload the local file ``lpath`` as object ``rpath`` (a directory: create it).

        The file is sent straight from disk (with ``sendfile`` where it can), and sent
        again from its start if a node fails; ``callback`` hears of every block read.
        """
        rpath = self._strip_protocol(rpath)
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        with open(lpath, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            callback.set_size(size)
            if isinstance(callback, NoOpCallback):
                self._store(rpath, f, mode == "create")
                return
            self._store(rpath, _Reporting(f, callback), mode == "create")

    def touch(self, path: str, truncate: bool = True, **kwargs: Any) -> None:
        """Create an empty object (``truncate=False``: only if there is none)."""
        path = self._strip_protocol(path)
        if truncate or not self.exists(path):
            self._store(path, b"", False)

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Copy object ``path1`` to ``path2`` inside HCP (:func:`hcpsdk.objects.copy`: no
        byte passes through the client), replacing an object there. HCP copies a
        directory as an empty one; onto an existing directory that is nothing to do."""
        path1, path2 = self._strip_protocol(path1), self._strip_protocol(path2)
        try:
            self._hcp(objects.copy, path1, path2)
        except FileExistsError:
            if self.isdir(path2) and self.isdir(path1):
                return
            self._discard(path2)
            self._hcp(objects.copy, path1, path2)

    # -- directories and deleting -------------------------------------------------------

    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        """Create the HCP directory ``path``.

        :raises FileExistsError: something exists at ``path``
        :raises FileNotFoundError: ``create_parents=False`` and the parent is missing
        """
        path = self._strip_protocol(path)
        if not create_parents and not self.isdir(self._parent(path)):
            raise FileNotFoundError(self._parent(path))
        self._call("PUT", path, params={"type": "directory"})
        self._connection().read()

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        """Create the HCP directory ``path`` and its missing parents.

        :raises FileExistsError: it exists (and ``exist_ok`` is false), or an object is there
        """
        path = self._strip_protocol(path)
        try:
            self.mkdir(path)
        except FileExistsError:
            if not exist_ok or not self.isdir(path):
                raise

    def rm_file(self, path: str) -> None:
        """Delete the object (or empty directory) ``path``.

        :raises FileNotFoundError: nothing at ``path``
        :raises PermissionError: HCP refused (retention, hold, a non-empty directory)
        """
        path = self._strip_protocol(path)
        self._call("DELETE", path, ok=(200, 204))
        self._connection().read()

    _rm = rm_file

    def rmdir(self, path: str) -> None:
        """Delete the empty directory ``path`` — never an object (that is :meth:`rm_file`).

        HCP refuses to delete a directory that holds anything with the ``403`` it also
        gives for a missing permission; a refused delete looks into the directory to
        tell the two apart.

        :raises FileNotFoundError: nothing at ``path``
        :raises NotADirectoryError: ``path`` is an object (nothing is deleted)
        :raises OSError: ``errno.ENOTEMPTY``: the directory holds objects or directories
        :raises PermissionError: HCP refused for another reason
        """
        path = self._strip_protocol(path)
        if self.info(path)["type"] != "directory":
            raise NotADirectoryError(errno.ENOTDIR, "rmdir: not a directory", path)
        try:
            self.rm_file(path)
        except PermissionError as exc:
            if self.ls(path, detail=False):
                raise OSError(errno.ENOTEMPTY, "rmdir: the directory is not empty",
                              path) from exc
            raise

    # -- facts --------------------------------------------------------------------------

    def checksum(self, path: str) -> int:
        """HCP's content hash of object ``path`` as an int (unchanged while the content is)."""
        return int(self.info(path)["hash_value"] or "0", 16)

    def ukey(self, path: str) -> str:
        """HCP's hash and version of ``path``: changes whenever the object is replaced."""
        info = self.info(path)
        return f"{info['hash_scheme']} {info['hash_value']} {info['version_id']}"

    def modified(self, path: str) -> datetime:
        """When ``path`` last changed (HCP's change time)."""
        when: datetime = self.info(path)["change_time"]
        return when

    def created(self, path: str) -> datetime:
        """When object ``path`` was stored (HCP's ingest time)."""
        info = self.info(path)
        when: datetime = info.get("ingest_time") or info["change_time"]
        return when


class _Reporting:
    """A seekable file that tells a callback how many bytes were read from it."""

    def __init__(self, f: BinaryIO, callback: Any) -> None:
        self._f = f
        self._callback = callback

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self._callback.relative_update(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._f.seek(offset, whence)
        if whence == 0 and offset == 0:
            self._callback.absolute_update(0)  # a resend starts counting again
        return position

    def tell(self) -> int:
        return self._f.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True
