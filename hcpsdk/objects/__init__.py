"""Working with objects: typed metadata, listings, copies, annotations, ACLs, transfers.

Every function takes a :class:`hcpsdk.Connection` and a path as plain text
(``'/rest/dir/résumé.pdf'``), sends one documented REST request (shown in its
docstring) and turns HCP's answer into Python values::

    from hcpsdk import objects

    info = objects.stat(connection, '/rest/hcpsdk/test1.txt')
    for entry in objects.listdir(connection, '/rest/hcpsdk'):
        print(entry.name, entry.size)

.. versionadded:: 1.0
"""
from __future__ import annotations

from .copy import copy
from .info import ObjectInfo, Stored, stat
from .listing import Entry, listdir, versions
from .metadata import set_metadata

__all__ = [
    "ObjectInfo", "Stored", "Entry",
    "stat", "listdir", "versions", "copy", "set_metadata",
]
