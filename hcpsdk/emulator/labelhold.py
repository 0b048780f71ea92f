"""Labeled holds: named holds on an object, set and released independently of the plain hold.

A request carries them as a JSON array in a ``label_hold`` parameter (HCP 9.7's
spelling; 9.2 documented ``label-hold``, accepted too), e.g.
``[{"id":"CASE-7","hold":true},{"id":"CASE-9","hold":false}]``: ``true`` sets the labeled
hold, ``false`` releases it. An object keeps at most 100 of them, ids of at most 64
characters. While any is set the object can be neither deleted nor changed (nor a new
version stored over it). HEAD answers ``X-HCP-LabelRetentionHold: true|false`` and, when
true, ``X-HCP-LabelRetentionHold-Labels`` with the ids in force as the same kind of array.
"""
from __future__ import annotations

import json
from typing import Any

from .store import StoreError

__all__ = ["PARAMS", "MAX_LABELS", "from_query", "apply", "headers"]

#: Both documented spellings of the parameter.
PARAMS = ("label_hold", "label-hold")
MAX_LABELS = 100
_MAX_ID = 64


def _parse(text: str) -> dict[str, bool]:
    try:
        items = json.loads(text)
    except ValueError:
        raise StoreError(400, "label_hold must be a JSON array") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not items:
        raise StoreError(400, "label_hold must be a non-empty JSON array")
    changes: dict[str, bool] = {}
    for item in items:
        label = item.get("id") if isinstance(item, dict) else None
        hold = item.get("hold", True) if isinstance(item, dict) else None
        if not isinstance(label, str) or not 0 < len(label) <= _MAX_ID:
            raise StoreError(400, f"invalid labeled hold id {label!r} (1..64 characters)")
        if not isinstance(hold, bool):
            raise StoreError(400, f"invalid hold value for labeled hold {label!r}")
        changes[label] = hold
    return changes


def from_query(query: dict[str, str]) -> dict[str, bool] | None:
    """The labeled-hold changes a request asks for (``None``: it asks for none).

    :raises StoreError: 400 for both spellings at once or a malformed value
    """
    given = [name for name in PARAMS if name in query]
    if not given:
        return None
    if len(given) > 1:
        raise StoreError(400, "label_hold and label-hold cannot be combined")
    return _parse(query[given[0]])


def apply(current: tuple[str, ...], changes: dict[str, bool]) -> tuple[str, ...]:
    """The labeled holds after ``changes`` (set or release; releasing an absent one is no error).

    :raises StoreError: 400 when more than 100 would be set
    """
    labels = dict.fromkeys(current)
    for label, hold in changes.items():
        if hold:
            labels[label] = None
        else:
            labels.pop(label, None)
    if len(labels) > MAX_LABELS:
        raise StoreError(400, f"an object can have at most {MAX_LABELS} labeled holds")
    return tuple(labels)


def headers(labels: Any) -> str:
    """The ``X-HCP-LabelRetentionHold`` header lines (CRLF-terminated) for ``labels``."""
    if not labels:
        return "X-HCP-LabelRetentionHold: false\r\n"
    doc = json.dumps([{"id": label, "hold": True} for label in labels], separators=(",", ":"))
    return f"X-HCP-LabelRetentionHold: true\r\nX-HCP-LabelRetentionHold-Labels: {doc}\r\n"
