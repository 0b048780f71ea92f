"""MAPI chargeback reports of a tenant (or one namespace) in JSON, XML or CSV.

``GET /mapi/tenants/<t>/chargebackReport?start=&end=&granularity=hour|day|total``
(also ``/mapi/tenants/<t>/namespaces/<ns>/chargebackReport``). Times are
``yyyy-MM-ddThh:mm:ss±hhmm``; the report uses the offset of ``start``. ``end`` names the
report's last second: it is included whole (an object ingested at ``end`` + 0.4 s counts).

One record per namespace and period (namespaces sorted by name, periods ascending), then
the tenant's totals per period. ``objectCount``, ``ingestedVolume`` and
``storageCapacityUsed`` (data plus annotations) count the object versions ingested before
the period's end that still exist; ``reads``, ``writes``, ``deletes``, ``bytesIn`` and
``bytesOut`` come from the namespace's hourly data-access counters
(:attr:`~hcpsdk.emulator.model.Namespace.activity`), so replicated objects are not counted
as writes. A period that has not ended yet is ``valid: false``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from .errors import RequestRefused
from .mapi_format import (
    CSV,
    JSON,
    XML,
    is_pretty,
    json_text,
    query_value,
    wants,
    xml_text,
)
from .mapi_tenants import find_tenant
from .model import Namespace, Reply, System

__all__ = ["GRANULARITIES", "FIELDS", "CSV_FIELDS", "MAX_PERIODS", "parse_time", "report"]

GRANULARITIES = ("hour", "day", "total")

#: Record keys in the order of HCP's JSON and XML.
FIELDS = ("systemName", "tenantName", "namespaceName", "startTime", "endTime", "valid",
          "deleted", "bytesOut", "reads", "writes", "deletes", "tieredObjects", "tieredBytes",
          "metadataOnlyObjects", "metadataOnlyBytes", "bytesIn", "storageCapacityUsed",
          "ingestedVolume", "objectCount")

#: Column order of the CSV form.
CSV_FIELDS = ("systemName", "tenantName", "namespaceName", "startTime", "endTime", "objectCount",
              "ingestedVolume", "storageCapacityUsed", "bytesIn", "bytesOut", "reads", "writes",
              "deletes", "tieredObjects", "tieredBytes", "metadataOnlyObjects",
              "metadataOnlyBytes", "deleted", "valid")

#: The most periods one report may hold per namespace.
MAX_PERIODS = 10000

_SUMMED = ("bytesOut", "reads", "writes", "deletes", "tieredObjects", "tieredBytes",
           "metadataOnlyObjects", "metadataOnlyBytes", "bytesIn", "storageCapacityUsed",
           "ingestedVolume", "objectCount")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?"
                   r"(?:([+\- ])(\d{2}):?(\d{2})|Z)?")
_STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
_ONE_SECOND = timedelta(seconds=1)


def parse_time(text: str, default_tz: tzinfo | None) -> datetime:
    """A chargeback time ``yyyy-MM-dd[Thh:mm[:ss]][±hh[:]mm|Z]`` as an aware datetime.

    A blank where the sign should be is taken as ``+`` (an unencoded ``+`` in a query
    string arrives as a blank).

    :raises ValueError: for any other text
    """
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a time like 2015-11-04T15:27:29+0000")
    year, month, day, hour, minute, second, sign, oh, om = m.groups()
    tz = default_tz
    if sign is not None:
        offset = timedelta(hours=int(oh), minutes=int(om))
        if offset >= timedelta(hours=24):
            raise ValueError(f"bad UTC offset in {text!r}")
        tz = timezone(-offset if sign == "-" else offset)
    elif text.strip().endswith("Z"):
        tz = UTC
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                    int(second or 0), tzinfo=tz)


def _format(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S%z")


def _periods(start: datetime, end: datetime, granularity: str) -> list[tuple[datetime, datetime]]:
    """[from, to) periods covering start..end, aligned to hours or days in start's zone."""
    if granularity == "total":
        # HCP's times have whole seconds and ``end`` names the report's last second: an
        # object ingested at end + 0.4 s belongs to the report.
        return [(start, end + _ONE_SECOND)]
    step = _STEP[granularity]
    first = start.replace(minute=0, second=0, microsecond=0)
    if granularity == "day":
        first = first.replace(hour=0)
    count = -(-(end - first) // step) or 1
    if count > MAX_PERIODS:
        raise RequestRefused(400, f"the report would have {count} {granularity} periods; at most"
                             f" {MAX_PERIODS} are allowed")
    return [(first + i * step, first + (i + 1) * step) for i in range(count)]


def _hour_in(hour: int, lo: float, hi: float, whole: bool) -> bool:
    """Whether the hourly activity bucket starting at *hour* belongs to the period [lo, hi).

    A report of one whole period takes every hour it touches; hour and day periods take
    the hour whose middle they contain, so each hour lands in exactly one period even
    where the report's UTC offset is not a whole number of hours.
    """
    if whole:
        return hour < hi and hour + 3600 > lo
    return lo <= hour + 1800 < hi


def _usage(ns: Namespace, lo: datetime, hi: datetime, now: datetime,
           whole: bool) -> dict[str, Any]:
    hi_ms = int(hi.timestamp() * 1000)
    count = ingested = annotations = 0
    store = ns.store
    with store.lock:
        for versions in store.objects.values():
            for v in versions:
                if not v.deleted and (v.ingest_ms or v.ingest_time * 1000) < hi_ms:
                    count += 1
                    ingested += v.size
                    annotations += sum(len(a.data) for a in v.annotations.values())
    counters = dict.fromkeys(("reads", "writes", "deletes", "bytesIn", "bytesOut"), 0)
    for hour, values in list(ns.activity.items()):
        if _hour_in(hour, lo.timestamp(), hi.timestamp(), whole):
            for key in counters:
                counters[key] += int(values.get(key, 0))
    return {"valid": hi <= now, "deleted": "false", "bytesOut": counters["bytesOut"],
            "reads": counters["reads"], "writes": counters["writes"],
            "deletes": counters["deletes"], "tieredObjects": 0, "tieredBytes": 0,
            "metadataOnlyObjects": 0, "metadataOnlyBytes": 0, "bytesIn": counters["bytesIn"],
            "storageCapacityUsed": ingested + annotations, "ingestedVolume": ingested,
            "objectCount": count}


def _records(system: System, tenant_name: str, namespaces: Iterable[Namespace],
             periods: list[tuple[datetime, datetime]], granularity: str,
             with_total: bool) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    records, totals = [], [dict.fromkeys(_SUMMED, 0) for _ in periods]
    for ns in sorted(namespaces, key=lambda n: n.name):
        for (lo, hi), total in zip(periods, totals, strict=True):
            usage = _usage(ns, lo, hi, now, granularity == "total")
            records.append({"systemName": system.domain, "tenantName": tenant_name,
                            "namespaceName": ns.name, "startTime": _format(lo),
                            "endTime": _format(hi - _ONE_SECOND), **usage})
            for key in _SUMMED:
                total[key] += usage[key]
    if with_total:
        for (lo, hi), total in zip(periods, totals, strict=True):
            records.append({"systemName": system.domain, "tenantName": tenant_name,
                            "startTime": _format(lo), "endTime": _format(hi - _ONE_SECOND),
                            "valid": hi <= now, "deleted": "false", **total})
    return [{k: r[k] for k in FIELDS if k in r} for r in records]


def _csv(records: list[dict[str, Any]]) -> bytes:
    def cell(value: Any) -> str:
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return f'"{text}"' if any(c in text for c in ',"\n') else text
    lines = [",".join(CSV_FIELDS)]
    lines += [",".join(cell(r.get(k, "")) for k in CSV_FIELDS) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


def report(system: System, caller: Any, req: Any, args: dict[str, str]) -> Reply:
    """``GET /mapi/tenants/<t>[/namespaces/<ns>]/chargebackReport``."""
    tenant = find_tenant(system, caller, args["tenant"])
    namespaces = list(tenant.namespaces.values())
    if args.get("namespace") is not None:
        ns = tenant.namespaces.get(args["namespace"].lower())
        if ns is None:
            raise RequestRefused(404, f"namespace {args['namespace']} does not exist in tenant"
                                 f" {tenant.name}")
        namespaces = [ns]
    granularity = (query_value(req.query, "granularity") or "total").lower()
    if granularity not in GRANULARITIES:
        raise RequestRefused(400, f"granularity must be one of {', '.join(GRANULARITIES)}")
    local = datetime.now().astimezone().tzinfo
    try:
        end_text, start_text = query_value(req.query, "end"), query_value(req.query, "start")
        end = (parse_time(end_text, local) if end_text
               else datetime.now(local).replace(microsecond=0))
        start = (parse_time(start_text, local) if start_text
                 else end.replace(hour=0, minute=0, second=0, microsecond=0))
    except ValueError as exc:
        raise RequestRefused(400, f"bad start or end: {exc}") from None
    if start > end:
        raise RequestRefused(400, "start is after end")
    end = end.astimezone(start.tzinfo)
    records = _records(system, tenant.name, namespaces, _periods(start, end, granularity),
                       granularity, with_total=args.get("namespace") is None)
    media = wants(req.headers, XML, JSON, CSV)
    pretty = is_pretty(req.query)
    if media == CSV:
        body = _csv(records)
    elif media == JSON:
        body = json_text({"chargebackData": records}, pretty)
    else:
        body = xml_text("chargebackReport", {"chargebackData": records}, pretty)
    return Reply(200, [("Content-Type", f"{media};charset=UTF-8")], body)
