"""hcpsdk.mapi.Chargeback against the emulator: formats, granularity, UTC offsets, errors."""
from __future__ import annotations

import csv
import datetime
import io
import json
import os
import time
import urllib.parse
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from hcpsdk.exceptions import HcpsdkPortError, HcpsdkStatusError
from hcpsdk.mapi import Chargeback, ChargebackArgumentError, ChargebackError, ChargebackStatusError

BERLIN = ZoneInfo("Europe/Berlin")
RECORD_KEYS = {"systemName", "tenantName", "namespaceName", "startTime", "endTime", "valid",
               "deleted", "bytesOut", "reads", "writes", "deletes", "tieredObjects", "tieredBytes",
               "metadataOnlyObjects", "metadataOnlyBytes", "bytesIn", "storageCapacityUsed",
               "ingestedVolume", "objectCount"}


@pytest.fixture
def chargeback(admin_target):
    with Chargeback(admin_target) as cb:
        yield cb


def last_query(hcp) -> dict[str, list[str]]:
    record = [r for r in hcp.requests if r.path.endswith("/chargebackReport")][-1]
    return urllib.parse.parse_qs(record.query)


def test_constants():
    assert Chargeback.CBG_ALL == ["day", "hour", "total"]
    assert Chargeback.CBM_ALL == ["text/csv", "application/json", "application/xml"]


def test_json_total_report(hcp, chargeback):
    end = datetime.datetime.now(datetime.UTC)
    report = chargeback.request("m", end - datetime.timedelta(days=2), end)
    assert isinstance(report, io.StringIO) and report.tell() == 0
    data = json.load(report)
    records = data["chargebackData"]
    assert [r.get("namespaceName") for r in records] == ["n1", "n2", None]
    for record in records:
        assert set(record) - {"namespaceName"} == RECORD_KEYS - {"namespaceName"}
        assert record["tenantName"] == "m" and record["systemName"] == hcp.domain
    query = last_query(hcp)
    assert query["granularity"] == ["total"] and query["prettyprint"] == ["true"]
    record = [r for r in hcp.requests if r.path.endswith("/chargebackReport")][-1]
    assert record.headers["accept"] == "application/json"


def test_xml_day_report(chargeback):
    end = datetime.datetime(2024, 3, 3, 12, tzinfo=datetime.UTC)
    report = chargeback.request("m", end - datetime.timedelta(days=2), end, Chargeback.CBG_DAY,
                                Chargeback.CBM_XML)
    root = ET.fromstring(report.getvalue())
    records = root.findall("chargebackData")
    assert records and {child.tag for child in records[0]} <= RECORD_KEYS
    # per namespace (n1, n2) and the tenant: 3 days each (partial first and last day)
    assert len(records) % 3 == 0 and len(records) >= 6


def test_csv_hour_report(chargeback):
    end = datetime.datetime(2024, 3, 3, 12, tzinfo=datetime.UTC)
    report = chargeback.request("m", end - datetime.timedelta(hours=3), end, Chargeback.CBG_HOUR,
                                Chargeback.CBM_CSV)
    rows = list(csv.DictReader(report))
    assert rows and set(rows[0]) >= {"systemName", "tenantName", "namespaceName", "startTime",
                                     "endTime", "objectCount", "valid"}
    assert len(rows) == 3 * 3  # n1, n2, tenant x 3 hours


def test_each_date_gets_its_own_utc_offset(hcp, chargeback):
    """A range across a DST change: +0100 in winter, +0200 in summer (not today's offset)."""
    start = datetime.datetime(2015, 1, 15, 8, 30, tzinfo=BERLIN)
    end = datetime.datetime(2015, 7, 15, 18, 45, 10, tzinfo=BERLIN)
    chargeback.request("m", start, end)
    query = last_query(hcp)
    assert query["start"] == ["2015-01-15T08:30:00+0100"]
    assert query["end"] == ["2015-07-15T18:45:10+0200"]


def test_naive_datetimes_are_local_time_with_that_dates_offset(hcp, chargeback):
    start, end = datetime.datetime(2015, 1, 15, 8), datetime.datetime(2015, 7, 15, 8)
    chargeback.request("m", start, end)
    query = last_query(hcp)
    for when, sent in ((start, query["start"][0]), (end, query["end"][0])):
        local = time.localtime(time.mktime(when.timetuple()))
        offset = local.tm_gmtoff
        sign = "+" if offset >= 0 else "-"
        expected = f"{when:%Y-%m-%dT%H:%M:%S}{sign}{abs(offset) // 3600:02d}{abs(offset) % 3600 // 60:02d}"
        assert sent == expected


def test_default_range_is_180_days_up_to_now(hcp, chargeback):
    chargeback.request("m")
    query = last_query(hcp)
    start = datetime.datetime.strptime(query["start"][0], "%Y-%m-%dT%H:%M:%S%z")
    end = datetime.datetime.strptime(query["end"][0], "%Y-%m-%dT%H:%M:%S%z")
    assert end - start == datetime.timedelta(days=180)
    assert abs(datetime.datetime.now(datetime.UTC) - end) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("kwargs, match", [
    ({}, "no tenant"),
    ({"tenant": "m", "start": datetime.date(2015, 1, 1)}, "datetime"),
    ({"tenant": "m", "end": "2015-01-01"}, "datetime"),
    ({"tenant": "m", "start": datetime.datetime(2015, 2, 1, tzinfo=BERLIN),
      "end": datetime.datetime(2015, 1, 1, tzinfo=BERLIN)}, "after"),
    ({"tenant": "m", "granularity": "week"}, "granularity"),
    ({"tenant": "m", "fmt": "text/html"}, "format"),
])
def test_bad_arguments_raise_before_any_request(hcp, chargeback, kwargs, match):
    before = len(hcp.requests)
    with pytest.raises(ChargebackArgumentError, match=match) as info:
        chargeback.request(**kwargs)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ChargebackError)
    assert len(hcp.requests) == before


def test_unknown_tenant_is_404(chargeback):
    with pytest.raises(ChargebackStatusError) as info:
        chargeback.request("nosuchtenant")
    err = info.value
    assert isinstance(err, ChargebackError) and isinstance(err, HcpsdkStatusError)
    assert err.status == 404 and "nosuchtenant" in err.reason and err.hcp_message in err.reason


def test_wrong_password_is_403(bad_admin_target):
    with Chargeback(bad_admin_target) as cb, pytest.raises(ChargebackError) as info:
        cb.request("m")
    assert info.value.status == 403 and "403" in info.value.reason


def test_wrong_port(hcp):
    with pytest.raises(HcpsdkPortError):
        Chargeback(hcp.target())


def test_naive_datetimes_across_dst_in_a_dst_time_zone():
    """In a process whose local zone is Europe/Berlin, naive January and July times get
    +0100 and +0200 — whatever the offset is today."""
    import subprocess
    import sys

    code = ("import datetime\n"
            "from hcpsdk.mapi.chargeback import _aware, _hcp_time\n"
            "for m in (1, 7):\n"
            "    print(_hcp_time(_aware(datetime.datetime(2015, m, 15, 8))))\n")
    env = {**os.environ, "TZ": "Europe/Berlin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    assert out == ["2015-01-15T08:00:00+0100", "2015-07-15T08:00:00+0200"]


def test_tenant_administrator_on_the_tenant_host(hcp):
    """A tenant's own administrator asks on ``<tenant>.<hcp>``: own tenant yes, others no."""
    hcp.system.add_tenant("other")
    with Chargeback(hcp.target(hcp.tenant_fqdn)) as cb:
        data = json.load(cb.request("m"))
        assert {r["tenantName"] for r in data["chargebackData"]} == {"m"}
        with pytest.raises(ChargebackStatusError) as info:
            cb.request("other")
    assert info.value.status == 403 and "other" in info.value.reason
