"""Pure format rules of the emulated MAPI: XML/JSON rendering, chargeback times and periods.

Everything that travels over HTTP is tested in ``test_mapi_http.py``; this file pins the
rules that are easier to state directly (offset parsing, period alignment, compact XML).
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from hcpsdk.emulator.mapi_chargeback import _periods, parse_time
from hcpsdk.emulator.mapi_format import MapiError, json_text, wants, xml_text

UTC = UTC


@pytest.mark.parametrize("text, expected", [
    ("2015-11-04T15:27:29+0000", datetime(2015, 11, 4, 15, 27, 29, tzinfo=UTC)),
    ("2015-11-04T15:27:29+0130", datetime(2015, 11, 4, 15, 27, 29,
                                          tzinfo=timezone(timedelta(hours=1, minutes=30)))),
    ("2015-11-04T15:27:29-0500", datetime(2015, 11, 4, 15, 27, 29,
                                          tzinfo=timezone(timedelta(hours=-5)))),
    ("2015-11-04T15:27:29+01:00", datetime(2015, 11, 4, 15, 27, 29,
                                           tzinfo=timezone(timedelta(hours=1)))),
    # an unencoded '+' arrives as a blank after query decoding
    ("2015-11-04T15:27:29 0200", datetime(2015, 11, 4, 15, 27, 29,
                                          tzinfo=timezone(timedelta(hours=2)))),
    ("2015-11-04T15:27:29Z", datetime(2015, 11, 4, 15, 27, 29, tzinfo=UTC)),
    ("2015-11-04", datetime(2015, 11, 4, tzinfo=UTC)),
])
def test_chargeback_time_offsets(text, expected):
    parsed = parse_time(text, UTC)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["2015-13-04T15:27:29+0000", "yesterday",
                                  "2015-11-04T15:27:29+2500", "2015-11-04 15:27:29", ""])
def test_chargeback_time_rejects(text):
    with pytest.raises(ValueError):
        parse_time(text, UTC)


def test_hour_periods_are_aligned_in_the_start_offset():
    tz = timezone(timedelta(hours=2))
    start = datetime(2020, 1, 1, 10, 30, tzinfo=tz)
    periods = _periods(start, start + timedelta(hours=2), "hour")
    assert [p[0].hour for p in periods] == [10, 11, 12]
    assert all(p[0].utcoffset() == timedelta(hours=2) for p in periods)
    assert all(hi - lo == timedelta(hours=1) for lo, hi in periods)


def test_day_periods_and_total():
    start = datetime(2020, 1, 1, 10, 30, tzinfo=UTC)
    end = datetime(2020, 1, 3, 0, 0, 1, tzinfo=UTC)
    assert len(_periods(start, end, "day")) == 3
    # the end second is part of the report: the total period ends after it
    assert _periods(start, end, "total") == [(start, end + timedelta(seconds=1))]


def test_too_many_periods_is_refused():
    start = datetime(2000, 1, 1, tzinfo=UTC)
    with pytest.raises(MapiError) as info:
        _periods(start, start + timedelta(days=3650), "hour")
    assert info.value.status == 400


def test_compact_xml_has_no_whitespace_text():
    body = xml_text("link", {"a": True, "b": {"c": 1, "d": "x<y"}, "n": ["p", "q"]})
    assert b"\n" not in body and b"> <" not in body
    root = ElementTree.fromstring(body)
    assert root.find("b").text is None          # the 0.9.5 client relies on this
    assert [e.text for e in root.findall("n")] == ["p", "q"]
    assert root.findtext("a") == "true" and root.findtext("b/d") == "x<y"


def test_pretty_xml_is_indented_and_equivalent():
    data = {"a": "1", "b": {"c": "2"}}
    pretty = xml_text("r", data, pretty=True)
    assert b"\n    <a>1</a>" in pretty and b"\n        <c>2</c>" in pretty
    compact = ElementTree.fromstring(xml_text("r", data))
    assert ElementTree.fromstring(pretty).findtext("b/c") == compact.findtext("b/c") == "2"


def test_pretty_json_uses_two_spaces_and_spaced_colons():
    text = json_text({"chargebackData": [{"valid": True}]}, pretty=True).decode()
    assert '\n  "chargebackData" : [' in text and '"valid" : true' in text
    assert json.loads(text) == {"chargebackData": [{"valid": True}]}
    assert json_text({"a": 1}) == b'{"a":1}'


@pytest.mark.parametrize("accept, expected", [
    (None, "application/xml"),
    ("*/*", "application/xml"),
    ("application/json", "application/json"),
    ("text/csv;q=0.9, application/json", "text/csv"),
    ("TEXT/CSV", "text/csv"),
])
def test_accept_negotiation(accept, expected):
    headers = {} if accept is None else {"accept": accept}
    assert wants(headers, "application/xml", "application/json", "text/csv") == expected
