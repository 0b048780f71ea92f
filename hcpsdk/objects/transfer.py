"""``upload_file`` and ``download_file``: a local file to an object and back, in one call.

Both stream in blocks (memory stays bounded whatever the size), report progress to
an optional callback ``callback(bytes_so_far, total)``, and hash the bytes while they
pass, checking the result against the ``X-HCP-Hash`` HCP reports: no second pass
over the data. A download is written to a temporary file beside the target and renamed
to the target only when it is complete and verified.
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from typing import Any, BinaryIO

from .._check import bad_value, integer, wrong_type
from .._constants import BLOCKSIZE
from .._download import HASH_NAMES, checks_hash
from .._localfile import replacing
from ..connection import Connection
from ..exceptions import HcpsdkIntegrityError
from ._wire import check_connection, send, version_param
from .data import put_params
from .info import ObjectInfo, Stored

__all__ = ["upload_file", "download_file", "Progress", "BLOCK_SIZE"]

log = logging.getLogger(__name__)

#: Bytes read from the network or the file at a time.
BLOCK_SIZE = BLOCKSIZE
#: ``callback(bytes_so_far, total)``; ``total`` is ``None`` when unknown.
Progress = Callable[[int, "int | None"], Any]


def _hasher(call: str, scheme: str) -> hashlib._Hash:
    name = HASH_NAMES.get(scheme.upper())
    if name is None:
        raise bad_value(call, "hash_scheme", f"one of {', '.join(HASH_NAMES)}", scheme)
    return hashlib.new(name)


def _check_callback(call: str, callback: Any) -> None:
    if callback is not None and not callable(callback):
        raise wrong_type(call, "callback", "None or a callable(bytes_so_far, total)", callback)


class _Source:
    """The local file as a PUT body: hashed and reported while http.client reads it.

    It has no ``fileno()`` on purpose: a body with one would go out by ``sendfile``,
    bypassing :meth:`read`, and so the hash. A retry rewinds it (``seek``), which starts
    the hash and the count again.
    """

    def __init__(self, file: BinaryIO, scheme: str, total: int,
                 callback: Progress | None) -> None:
        self._file = file
        self._scheme = scheme
        self._total = total
        self._callback = callback
        self.hasher = _hasher("upload_file", scheme)
        self.sent = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._file.seek(offset, whence)
        if whence == os.SEEK_SET:
            self.hasher = _hasher("upload_file", self._scheme)
            self.sent = position
        return position

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if data:
            self.hasher.update(data)
            self.sent += len(data)
            if self._callback is not None:
                self._callback(self.sent, self._total)
        return data


def _rehash(local: str, scheme: str) -> str:
    """The file's hash in ``scheme`` (a second pass, only when HCP hashes differently)."""
    hasher = _hasher("upload_file", scheme)
    with open(local, "rb") as f:
        while block := f.read(BLOCK_SIZE):
            hasher.update(block)
    return hasher.hexdigest().upper()


def upload_file(connection: Connection, local: str | os.PathLike[str], path: str, *,
                callback: Progress | None = None, hash_scheme: str = "SHA-256",
                retention: Any = None, index: bool | None = None, shred: bool | None = None,
                acl: str | None = None, if_none_match: str | None = None) -> Stored:
    """Store a local file as an object, streamed, with progress and a hash check.

    The request::

        PUT /rest/<path>[?retention=...&index=...&shred=...&acl=...]
        Content-Length: <file size>

    The file is read in blocks while it is sent, and hashed on the way with
    ``hash_scheme`` (the namespace's scheme, SHA-256 unless it was configured
    otherwise); the result must equal the ``X-HCP-Hash`` HCP answers. If HCP uses
    another scheme, the file is read once more to compute that one. A retried request
    (see :doc:`retries`) starts the count and the hash again.

    :param connection: the Connection to use
    :param local: the file to upload
    :param path: the object, ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param callback: called as ``callback(bytes_sent, total)`` after each block
    :param hash_scheme: the hash to compute while sending: ``SHA-256``, ``MD5``...
    :param retention: see :func:`set_metadata`
    :param index: index the object for search
    :param shred: shred it when it is deleted
    :param acl: ``'all_read'`` or ``'auth_read'``
    :param if_none_match: ``'*'``: store only if the object does not exist yet
    :returns: a :class:`Stored`
    :raises HcpsdkIntegrityError: HCP's hash of what it stored differs from the file's
        (the object stays stored as HCP received it)
    :raises HcpsdkRefusedError: HCP refused (the object exists, ...)
    :raises OSError: the local file cannot be read

    .. versionadded:: 1.0
    """
    call = "upload_file"
    connection = check_connection(call, connection)
    _check_callback(call, callback)
    _hasher(call, hash_scheme)
    params = put_params(call, retention=retention, index=index, shred=shred, acl=acl)
    headers = {"If-None-Match": if_none_match} if if_none_match is not None else None
    local = os.fspath(local)
    with open(local, "rb") as f:
        total = os.fstat(f.fileno()).st_size
        source = _Source(f, hash_scheme, total, callback)
        response = send(connection, f"PUT {call}", path, params=params or None, body=source,
                        headers=headers, ok=(200, 201))
    stored = Stored.from_headers(path, response.headers)
    if stored.hash_value is None:
        log.debug("%s %s: HCP reported no hash, nothing to compare", call, path)
        return stored
    if source.sent != total:
        raise HcpsdkIntegrityError(f"PUT {call} {path}: {source.sent} of {total} bytes were sent")
    scheme = stored.hash_scheme or hash_scheme
    mine = (source.hasher.hexdigest().upper() if scheme.upper() == hash_scheme.upper()
            else _rehash(local, scheme))
    if mine != stored.hash_value.upper():
        raise HcpsdkIntegrityError(f"PUT {call} {path}: HCP stored {scheme} {stored.hash_value}"
                                   f", the file {local} has {mine}")
    return stored


def download_file(connection: Connection, path: str, local: str | os.PathLike[str], *,
                  callback: Progress | None = None, version: int | None = None,
                  block_size: int = BLOCK_SIZE) -> ObjectInfo:
    """Save an object to a local file, streamed, with progress and a hash check.

    The request::

        GET /rest/<path>[?version=<id>]

    and, when the connection breaks during the body, ``GET`` with
    ``Range: bytes=<received>-`` and ``If-Match: <ETag>`` on another node (the
    Connection's retries), continuing where it broke off. The bytes are hashed while
    they arrive and must match ``X-HCP-Hash`` (objects of the Default Namespace have
    none: there the size is checked). They go to a temporary file in ``local``'s
    directory, which replaces ``local`` only when it is complete and verified; on any
    failure it is removed and ``local`` is left as it was.

    :param connection: the Connection to use
    :param path: the object, ``/rest/...`` (or ``/fcfs_data/...``), plain text
    :param local: the file to write
    :param callback: called as ``callback(bytes_received, total)`` after each block
    :param version: a version id
    :param block_size: bytes read and written at a time
    :returns: the :class:`ObjectInfo` of the object (from the GET's headers)
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkIntegrityError: the bytes do not match ``X-HCP-Hash`` or the size
    :raises HcpsdkError: the download broke off and could not be resumed
    :raises OSError: the local file cannot be written

    .. versionadded:: 1.0
    """
    call = "download_file"
    connection = check_connection(call, connection)
    _check_callback(call, callback)
    integer(call, "block_size", block_size, 1)
    params = None if version is None else {"version": version_param(call, version)}
    local = os.fspath(local)
    response = send(connection, f"GET {call}", path, params=params, stream=True)
    info = ObjectInfo.from_headers(path, response.headers)
    total = info.size if info.size is not None else None
    hasher = None
    # a Connection made with verify=True checks the body itself (and raises at its last
    # read): hashing here too would do the work twice
    checked = checks_hash(response, connection.verify)
    if (not checked and info.hash_scheme and info.hash_value
            and info.hash_scheme.upper() in HASH_NAMES):
        hasher = hashlib.new(HASH_NAMES[info.hash_scheme.upper()])
    with replacing(local) as out:
        received = 0
        while block := connection.read(block_size):
            out.write(block)
            if hasher is not None:
                hasher.update(block)
            received += len(block)
            if callback is not None:
                callback(received, total)
        _verify(call, path, received, total, hasher, info)
    return info


def _verify(call: str, path: str, received: int, total: int | None, hasher: Any,
            info: ObjectInfo) -> None:
    if total is not None and received != total:
        raise HcpsdkIntegrityError(f"GET {call} {path}: {received} of {total} bytes arrived")
    if hasher is not None and info.hash_value is not None:
        mine = hasher.hexdigest().upper()
        if mine != info.hash_value.upper():
            raise HcpsdkIntegrityError(f"GET {call} {path}: the bytes have {info.hash_scheme} "
                                       f"{mine}, X-HCP-Hash says {info.hash_value}")

