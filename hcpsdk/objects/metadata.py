"""Changing an object's system metadata: retention, holds, shred, index, owner (one POST)."""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from .._check import bad_value, wrong_type
from ..connection import Connection
from ._wire import check_connection, metafile, send

__all__ = ["set_metadata", "metadata_params", "retention_param", "label_hold_param",
           "LABEL_HOLD_PARAM"]

#: The name of the labeled-hold parameter. HCP's documentation spells it ``label_hold``
#: (9.7) and ``label-hold`` (9.2); the newer spelling is sent, the emulator takes both.
LABEL_HOLD_PARAM = "label_hold"
_MAX_LABEL = 64


def retention_param(call: str, retention: Any) -> str:
    """The ``retention=`` value of ``retention``.

    :param retention: an HCP retention expression (``'A+10y'``, ``'C+TAX_DATA'``,
        ``'0'``, ``'-1'``...), an int (``0`` deletion allowed, ``-1`` prohibited, ``-2``
        initial unspecified, or the end in epoch seconds) or an aware datetime
    :raises HcpsdkTypeError: another type
    :raises HcpsdkArgumentError: an empty str, a naive datetime
    """
    if isinstance(retention, datetime):
        if retention.tzinfo is None:
            raise bad_value(call, "retention", "a timezone-aware datetime", retention)
        return retention.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    if isinstance(retention, int) and not isinstance(retention, bool):
        if retention < -2:
            raise bad_value(call, "retention", "0, -1, -2 or epoch seconds", retention)
        if retention > 0:
            return datetime.fromtimestamp(retention, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        return str(retention)
    if isinstance(retention, str):
        if not retention.strip() or any(ch in retention for ch in "\r\n"):
            raise bad_value(call, "retention", "an HCP retention expression like 'A+10y'",
                            retention)
        return retention.strip()
    raise wrong_type(call, "retention", "a str like 'A+10y', an int or a datetime", retention)


def label_hold_param(call: str, holds: Any) -> str:
    """The JSON array HCP takes for labeled holds: ``[{"id": ..., "hold": true}, ...]``.

    :param holds: a mapping of label id → ``True`` (set the hold) / ``False`` (release it)
    :raises HcpsdkTypeError: not a mapping of str to bool
    :raises HcpsdkArgumentError: an empty mapping, an id longer than 64 characters
    """
    if not isinstance(holds, Mapping):
        raise wrong_type(call, "labeled_holds", "a dict of label id: True/False", holds)
    if not holds:
        raise bad_value(call, "labeled_holds", "a non-empty dict", holds)
    items = []
    for label, hold in holds.items():
        if not isinstance(label, str) or not isinstance(hold, bool):
            raise wrong_type(call, "labeled_holds", "a dict of str: bool", {label: hold})
        if not label or len(label) > _MAX_LABEL:
            raise bad_value(call, "labeled_holds", "label ids of 1..64 characters", label)
        items.append({"id": label, "hold": hold})
    return json.dumps(items, separators=(",", ":"))


def _flag(call: str, name: str, value: Any) -> str:
    if not isinstance(value, bool):
        raise wrong_type(call, name, "True or False", value)
    return "true" if value else "false"


def metadata_params(call: str, *, retention: Any = None, hold: bool | None = None,
                    labeled_holds: Mapping[str, bool] | None = None,
                    shred: bool | None = None, index: bool | None = None) -> dict[str, str]:
    """The parameters for the system metadata that both PUT (at ingest) and POST set.

    :raises HcpsdkTypeError: a value of the wrong type
    :raises HcpsdkArgumentError: a bad value
    """
    params: dict[str, str] = {}
    if retention is not None:
        params["retention"] = retention_param(call, retention)
    if hold is not None:
        params["hold"] = _flag(call, "hold", hold)
    if labeled_holds is not None:
        params[LABEL_HOLD_PARAM] = label_hold_param(call, labeled_holds)
    if shred is not None:
        params["shred"] = _flag(call, "shred", shred)
    if index is not None:
        params["index"] = _flag(call, "index", index)
    return params


# What the Default Namespace can change: one metafile each, written with PUT.
_METAFILES = {"retention": "retention.txt", "shred": "shred.txt", "index": "index.txt"}


def _default_namespace(connection: Connection, path: str, form: dict[str, str]) -> None:
    """The Default Namespace's form of :func:`set_metadata`: PUT one metafile."""
    call = "set_metadata"
    if len(form) != 1 or next(iter(form)) not in _METAFILES:
        raise bad_value(call, "the keywords", "one of retention, shred, index in the Default "
                        "Namespace", ", ".join(form))
    key, value = next(iter(form.items()))
    if key != "retention":
        value = "1" if value == "true" else "0"
    send(connection, f"PUT {call}", str(metafile(path, _METAFILES[key])), body=value,
         ok=(200, 201))


def set_metadata(connection: Connection, path: str, *, retention: Any = None,
                 hold: bool | None = None, labeled_holds: Mapping[str, bool] | None = None,
                 shred: bool | None = None, index: bool | None = None,
                 owner: str | None = None, domain: str | None = None) -> None:
    """Change the system metadata of an object's current version.

    The request (only the given keywords are sent, as a form body)::

        POST /rest/<path>
        Content-Type: application/x-www-form-urlencoded

        retention=A%2B10y&hold=true&label_hold=[{"id":"CASE-7","hold":true}]
            &shred=true&index=false&owner=<user>&domain=<AD domain>

    In the Default Namespace (``/fcfs_data/...``) one of ``retention``, ``shred`` or
    ``index`` per call, written to the object's metafile::

        PUT /fcfs_metadata/<path>/retention.txt | shred.txt | index.txt

    HCP's rules apply, and a refusal raises :exc:`~hcpsdk.HcpsdkRefusedError` with HCP's
    reason in ``hcp_message``: retention can only be lengthened (a class only replaced
    by a class that is not shorter), not changed together with the hold nor while the
    object is on hold; shred cannot be switched off; holds need the *privileged*
    permission and an owner change the *change owner* permission (``403``).

    :param connection: the Connection to use
    :param path: the object, ``/rest/...`` (plain text)
    :param retention: an HCP retention expression (``'A+10y'``, ``'C+TAX_DATA'``, ``'-1'``),
        an int (``0``, ``-1``, ``-2`` or the end in epoch seconds) or an aware datetime
    :param hold: put on hold (``True``) or release (``False``)
    :param labeled_holds: label id → ``True`` to set, ``False`` to release that labeled hold
    :param shred: shred the object when it is deleted (can only be switched on)
    :param index: index the object for search
    :param owner: the new owner's user name (``''``: no owner)
    :param domain: the owner's Active Directory domain
    :raises HcpsdkArgumentError: nothing to change, or a bad value
    :raises HcpsdkTypeError: a value of the wrong type
    :raises HcpsdkNotFoundError: no such object
    :raises HcpsdkRefusedError: HCP refused the change (``400``, ``403``, ``409``)

    .. versionadded:: 1.0
    """
    call = "set_metadata"
    connection = check_connection(call, connection)
    form = metadata_params(call, retention=retention, hold=hold, labeled_holds=labeled_holds,
                           shred=shred, index=index)
    for name, value in (("owner", owner), ("domain", domain)):
        if value is not None:
            if not isinstance(value, str):
                raise wrong_type(call, name, "a str", value)
            form[name] = value
    if not form:
        raise bad_value(call, "the keywords", "at least one change", "none")
    if metafile(path, "") is not None:
        _default_namespace(connection, path, form)
        return
    send(connection, f"POST {call}", path, body=urlencode(form),
         headers={"Content-Type": "application/x-www-form-urlencoded"})
