"""Working with objects: typed metadata, listings, copies, annotations, ACLs, transfers.

Every function takes a :class:`hcpsdk.Connection` and a path as plain text
(``'/rest/dir/résumé.pdf'``), sends one documented REST request (shown in its
docstring) and turns HCP's answer into Python values::

    from hcpsdk import objects

    info = objects.stat(connection, '/rest/hcpsdk/test1.txt')
    for entry in objects.listdir(connection, '/rest/hcpsdk'):
        print(entry.name, entry.size)

:func:`walk` and :func:`copy_tree` go through whole trees, their requests spread over
several Connections or the workers of a :class:`concurrent.futures.Executor`.

.. versionadded:: 1.0
"""
from __future__ import annotations

from .acl import Grant, delete_acl, get_acl, set_acl
from .annotations import (
    Annotation,
    delete_annotation,
    get_annotation,
    list_annotations,
    put_annotation,
)
from .copy import copy
from .copytree import CopyReport, CopyResult, copy_tree
from .data import get, get_whole, put, put_whole
from .delete import delete, delete_tree
from .info import ObjectInfo, Stored, stat
from .listing import Entry, listdir, versions
from .metadata import set_metadata
from .transfer import download_file, upload_file
from .walk import walk

__all__ = [
    "ObjectInfo", "Stored", "Entry", "Annotation", "Grant", "CopyResult", "CopyReport",
    "stat", "listdir", "versions", "walk",
    "get", "put", "get_whole", "put_whole", "copy", "copy_tree",
    "list_annotations", "get_annotation", "put_annotation", "delete_annotation",
    "get_acl", "set_acl", "delete_acl",
    "set_metadata",
    "delete", "delete_tree",
    "upload_file", "download_file",
]
