"""Writing a local file so that a failure leaves the old one as it was.

A download opened straight onto its local file (``open(local, 'wb')``) empties that
file first: if the download then fails — a network error, a hash that does not match,
Ctrl-C — the caller's old file is gone and a partial one is in its place.
:func:`replacing` writes into a new file beside it instead, and puts it in the old
one's place (one ``os.replace``, atomic on POSIX) only when everything went well.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

__all__ = ["replacing"]

# open()'s mode for a new file: the process's umask takes away from it
_NEW_FILE_MODE = 0o666


@contextlib.contextmanager
def replacing(local: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A new file beside ``local``, open for writing, that replaces ``local`` when the
    ``with`` block ends without an exception; on any exception it is removed and
    ``local`` is left as it was.

    The new file is named ``.<name>.<random>.part``. It gets the permissions of the file
    it replaces, or, where there is none, those ``open(local, 'wb')`` would give (0o666
    less the umask): a private file never becomes readable to others by a download. A
    symbolic link is followed, as ``open()`` follows it: the file it points to is
    replaced, and the link stays.

    :raises OSError: the directory can't be written
    """
    directory, name = os.path.split(os.path.realpath(local))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(temporary, flags, _NEW_FILE_MODE)
            break
        except FileExistsError:  # a name another writer took: draw another
            continue
    try:
        with open(fd, "wb") as out:
            yield out
        replaced = os.path.join(directory, name)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, os.stat(replaced).st_mode & 0o7777)
        os.replace(temporary, replaced)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
