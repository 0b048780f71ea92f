"""Locks that a forked child gets anew.

``fork()`` copies a lock in the state it had at that instant. When another thread
of the parent held it (a Connection of another thread asking a shared Target's
address pool for a node, say), the copy stays locked forever in the child: that
thread does not exist there to release it. Every lock made by :func:`fork_safe_lock`
is replaced by a fresh one in the child (``os.register_at_fork``), so a Target
shared by threads keeps working in a child process as a Connection does.

The data such a lock guards is copied as it was: a thread of the parent may have
left it half-updated. Every holder here only swaps whole values under its lock
(a list, a dict entry, a counter), so what the child sees is one state or the other.

.. versionadded:: 1.0
"""
from __future__ import annotations

import os
import weakref
from _thread import LockType, allocate_lock

__all__ = ["fork_safe_lock"]

# (owner, attribute name) of every lock to renew; owners are weakly held, so a
# registered object is not kept alive by this module
_owners: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
_guard = allocate_lock()


def fork_safe_lock(owner: object, name: str = "_lock") -> LockType:
    """A new lock, stored by the caller as ``owner.<name>`` and renewed after ``fork()``.

    :param owner: the object (or module) holding the lock; it must take weak references
    :param name: the attribute the lock is kept in
    :returns: the lock
    """
    with _guard:
        _owners.setdefault(owner, set()).add(name)
    return allocate_lock()


def _renew_after_fork() -> None:
    global _guard
    _guard = allocate_lock()  # may have been held by a thread of the parent as well
    for owner, names in list(_owners.items()):
        for name in names:
            setattr(owner, name, allocate_lock())


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_after_fork)
