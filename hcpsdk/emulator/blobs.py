"""Stored bodies: immutable blobs in memory or in files, and the writers that hash them.

A storage (:class:`MemoryStorage`, :class:`DiskStorage`) makes a writer per upload; the
writer hashes the body on the way (MD5 for the ETag and the namespace's scheme for
``X-HCP-Hash``) and turns into a :class:`Blob` when committed. File blobs are streamed in
blocks, so large objects need bounded memory.
"""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator

__all__ = ["BLOCK", "Blob", "MemoryStorage", "DiskStorage", "hasher", "in_memory"]

BLOCK = 1 << 20
_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
           "SHA-512": "sha512", "RIPEMD-160": "ripemd160"}


def _constructor(name: str) -> Callable[[], hashlib._Hash]:
    # hashlib.sha256() is cheaper than hashlib.new("sha256") (no lookup by name per upload)
    return getattr(hashlib, name, None) or functools.partial(hashlib.new, name)


_CONSTRUCTORS = {scheme: _constructor(name) for scheme, name in _HASHES.items()}


def hasher(scheme: str) -> hashlib._Hash:
    """A new hashlib object for an HCP hash scheme name (``SHA-256`` ...).

    :raises ValueError: for an unknown scheme
    """
    try:
        return _CONSTRUCTORS[scheme.upper()]()
    except (KeyError, ValueError):
        raise ValueError(f"unsupported hash scheme {scheme!r}") from None


class Blob:
    """An immutable stored body."""

    size: int

    def chunks(self, start: int = 0, end: int | None = None, block: int = BLOCK) -> Iterator[bytes]:
        """The bytes ``[start, end)`` in pieces of at most *block* bytes."""
        raise NotImplementedError

    def read(self) -> bytes:
        """The whole body (for tests and small bodies)."""
        return b"".join(self.chunks())

    def discard(self) -> None:
        """Release the storage (the blob is no longer referenced)."""


class _MemoryBlob(Blob):
    __slots__ = ("data", "size")

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = data
        self.size = len(data)

    def chunks(self, start: int = 0, end: int | None = None, block: int = BLOCK) -> Iterator[bytes]:
        end = self.size if end is None else end
        if start == 0 and end == self.size and end <= block and isinstance(self.data, bytes):
            yield self.data
            return
        view = memoryview(self.data)
        for pos in range(start, end, block):
            yield bytes(view[pos:min(end, pos + block)])

    def read(self) -> bytes:
        return bytes(self.data) if isinstance(self.data, bytearray) else self.data


def in_memory(data: bytes) -> Blob:
    """A blob holding *data* (for an answer made of several stored parts)."""
    return _MemoryBlob(data)


class _FileBlob(Blob):
    __slots__ = ("path", "size")

    def __init__(self, path: str, size: int) -> None:
        self.path = path
        self.size = size

    def chunks(self, start: int = 0, end: int | None = None, block: int = BLOCK) -> Iterator[bytes]:
        end = self.size if end is None else end
        with open(self.path, "rb") as f:
            f.seek(start)
            left = end - start
            while left > 0:
                data = f.read(min(block, left))
                if not data:
                    return
                left -= len(data)
                yield data

    def discard(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class _Writer:
    """Collects a body, hashing it on the way (MD5 for the ETag plus the namespace scheme)."""

    def __init__(self, scheme: str) -> None:
        self.md5 = hashlib.md5()
        self.hash = hasher(scheme)
        self.size = 0

    def write(self, data: bytes) -> None:
        """Add a piece of the body."""
        self.md5.update(data)
        self.hash.update(data)
        self.size += len(data)
        self._store(data)

    def _store(self, data: bytes) -> None:
        raise NotImplementedError

    def commit(self) -> Blob:
        """Finish and return the blob."""
        raise NotImplementedError

    def abort(self) -> None:
        """Throw the partial body away."""


class _MemoryWriter(_Writer):
    # One received piece is kept as it is; more pieces are appended to one bytearray, so
    # a body is never held twice (no join at the end).
    def __init__(self, scheme: str) -> None:
        super().__init__(scheme)
        self._data: bytes | bytearray = b""

    def _store(self, data: bytes) -> None:
        if not self._data:
            self._data = data
        else:
            if not isinstance(self._data, bytearray):
                self._data = bytearray(self._data)
            self._data += data

    def commit(self) -> Blob:
        data, self._data = self._data, b""
        return _MemoryBlob(data)


class _FileWriter(_Writer):
    def __init__(self, scheme: str, directory: str) -> None:
        super().__init__(scheme)
        fd, self._path = tempfile.mkstemp(dir=directory, suffix=".part")
        self._file = os.fdopen(fd, "wb")

    def _store(self, data: bytes) -> None:
        self._file.write(data)

    def commit(self) -> Blob:
        # durable before the metadata that refers to it (and the answer): data, then name
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path[: -len(".part")]
        os.replace(self._path, final)
        directory = os.open(os.path.dirname(final) or ".", os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return _FileBlob(final, self.size)

    def abort(self) -> None:
        self._file.close()
        try:
            os.unlink(self._path)
        except FileNotFoundError:
            pass


class MemoryStorage:
    """Bodies kept in memory (the default)."""

    def writer(self, scheme: str) -> _Writer:
        """A writer for a new body hashed with *scheme*."""
        return _MemoryWriter(scheme)

    def adopt(self, blob: Blob) -> Blob:
        """A blob of this storage with the content of *blob* (from another system)."""
        if isinstance(blob, _MemoryBlob):
            return blob
        return _MemoryBlob(blob.read())


class DiskStorage:
    """Bodies kept as files in *directory*, streamed in bounded memory."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    def writer(self, scheme: str) -> _Writer:
        """A writer for a new body hashed with *scheme*."""
        return _FileWriter(scheme, self.directory)

    def blob(self, name: str) -> Blob:
        """The stored blob file *name* (used when reloading an index)."""
        path = os.path.join(self.directory, name)
        return _FileBlob(path, os.path.getsize(path))

    def adopt(self, blob: Blob) -> Blob:
        """A blob of this storage with the content of *blob*."""
        w = _FileWriter("MD5", self.directory)
        for chunk in blob.chunks():
            w._store(chunk)
        w.size = blob.size
        return w.commit()
