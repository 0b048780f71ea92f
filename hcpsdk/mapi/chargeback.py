"""Chargeback reports through the management API (MAPI)."""
from __future__ import annotations

import datetime
import io
import logging

import hcpsdk
from hcpsdk._session import Session
from hcpsdk.exceptions import ChargebackError
from hcpsdk.mapi._call import quote_name
from hcpsdk.mapi._errors import ChargebackArgumentError, ChargebackStatusError

__all__ = ["Chargeback", "ChargebackError"]

log = logging.getLogger(__name__)

_DEFAULT_RANGE = datetime.timedelta(days=180)


def _aware(when: datetime.datetime) -> datetime.datetime:
    """*when* with its UTC offset; a naive datetime is local time, with the offset valid
    on that date (not today's: a report across a DST change has two different ones)."""
    return when.astimezone() if when.utcoffset() is None else when


def _hcp_time(when: datetime.datetime) -> str:
    """Format an aware datetime as HCP wants it: ``2015-11-04T15:27:29+0100``."""
    if (when.utcoffset() or datetime.timedelta()) % datetime.timedelta(minutes=1):
        # HCP's ±hhmm can't express seconds: say the same instant in UTC
        when = when.astimezone(datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S%z")


class Chargeback(Session):
    """Request chargeback reports of a tenant.

    :param target: an :class:`hcpsdk.Target` for ``admin.<hcp>`` (or ``<tenant>.<hcp>``)
        on the MAPI port (9090)
    :param timeout: the Connection's timeout (large reports take a while)
    :param debuglevel: 0..9 (used in ``http.client``)
    :raises HcpsdkPortError: if the Target is not on the MAPI port

    .. versionadded:: 0.9.5
    """

    CBG_DAY = "day"  #: one record per day
    CBG_HOUR = "hour"  #: one record per hour
    CBG_TOTAL = "total"  #: one record for the whole time range
    CBG_ALL = [CBG_DAY, CBG_HOUR, CBG_TOTAL]  #: all granularities

    CBM_CSV = "text/csv"  #: report as CSV
    CBM_JSON = "application/json"  #: report as JSON
    CBM_XML = "application/xml"  #: report as XML
    CBM_ALL = [CBM_CSV, CBM_JSON, CBM_XML]  #: all formats

    def __init__(self, target: hcpsdk.Target, timeout: float = 600, debuglevel: int = 0) -> None:
        super().__init__(target, timeout=timeout, debuglevel=debuglevel, port=hcpsdk.P_MAPI)

    def request(self, tenant: str | None = None, start: datetime.datetime | None = None,
                end: datetime.datetime | None = None, granularity: str = CBG_TOTAL,
                fmt: str = CBM_JSON) -> io.StringIO:
        """Request a chargeback report for *tenant*.

        :param tenant: the tenant's name
        :param start: start of the time range (default: 180 days before *end*); a naive
            datetime is local time
        :param end: end of the time range (default: now)
        :param granularity: one of :attr:`CBG_ALL`
        :param fmt: one of :attr:`CBM_ALL`
        :returns: the report as HCP sent it, positioned at its start
        :raises ChargebackArgumentError: (also a ValueError) for a missing tenant, times
            that are not datetimes, a start after the end, or an unknown granularity/format
        :raises ChargebackStatusError: if HCP refuses (e.g. HTTP 404 for an unknown tenant)
        """
        if not tenant:
            raise ChargebackArgumentError("request: no tenant given")
        end = datetime.datetime.now().astimezone() if end is None else end
        start = end - _DEFAULT_RANGE if start is None and isinstance(end, datetime.datetime) else start
        if not isinstance(start, datetime.datetime) or not isinstance(end, datetime.datetime):
            raise ChargebackArgumentError(f"request: start and end must be datetime.datetime objects,"
                                          f" not {type(start).__name__} / {type(end).__name__}")
        start, end = _aware(start), _aware(end)
        if start > end:
            raise ChargebackArgumentError(f"request: start {start} is after end {end}")
        if granularity not in self.CBG_ALL:
            raise ChargebackArgumentError(f"request: unknown granularity {granularity!r}"
                                          f" (use one of {self.CBG_ALL})")
        if fmt not in self.CBM_ALL:
            raise ChargebackArgumentError(f"request: unknown format {fmt!r} (use one of {self.CBM_ALL})")
        data = self._fetch(f"chargeback request for tenant {tenant!r}", "GET",
                           f"/mapi/tenants/{quote_name(tenant)}/chargebackReport",
                           params={"start": _hcp_time(start), "end": _hcp_time(end),
                                   "granularity": granularity, "prettyprint": "true"},
                           headers={"Accept": fmt}, error=ChargebackStatusError)
        try:
            return io.StringIO(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ChargebackError(f"chargeback request for tenant {tenant!r}: the report is not"
                                  f" UTF-8 ({exc})") from exc
