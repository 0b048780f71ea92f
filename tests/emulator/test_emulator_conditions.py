"""The rules of conditional requests and ranges, checked without a socket.

The wire answers are in test_emulator_strict.py; these pin the corner cases of the two
functions that decide them.
"""
from __future__ import annotations

import pytest

from hcpsdk.emulator.conditions import parse_http_date, precondition, span
from hcpsdk.emulator.errors import RequestRefused

DATE = "Sun, 06 Nov 1994 08:49:37 GMT"
SECONDS = 784111777


@pytest.mark.parametrize("text", [DATE, "Sunday, 06-Nov-94 08:49:37 GMT",
                                  "Sun Nov  6 08:49:37 1994"])
def test_the_three_http_date_forms_parse_to_the_same_second(text):
    assert parse_http_date(text) == SECONDS


@pytest.mark.parametrize("text", ["", "yesterday", "Sun, 99 Nov 1994 08:49:37 GMT"])
def test_a_bad_date_is_none(text):
    assert parse_http_date(text) is None


@pytest.mark.parametrize("method, headers, expected", [
    ("PUT", {"if-none-match": "*"}, None),          # create-only on a missing object
    ("PUT", {"if-match": "*"}, 412),                # must exist
    ("GET", {"if-match": '"e"'}, 412),
    ("GET", {"if-none-match": '"e"'}, None),
    ("GET", {"if-unmodified-since": DATE}, None),   # nothing there to have changed
    ("GET", {"if-modified-since": DATE}, None),
])
def test_conditions_on_a_missing_object(method, headers, expected):
    assert precondition(headers, method, None, None) == expected


@pytest.mark.parametrize("method, headers, expected", [
    ("GET", {"if-match": '"a", "e"'}, None),
    ("GET", {"if-match": '"a"', "if-unmodified-since": "not a date"}, 412),
    ("GET", {"if-none-match": 'W/"e"'}, 304),
    ("PUT", {"if-none-match": '"e"'}, 412),
    ("PUT", {"if-modified-since": DATE}, None),     # only GET and HEAD are "not modified"
    ("HEAD", {"if-modified-since": DATE}, 304),
    ("HEAD", {"if-unmodified-since": DATE}, None),
])
def test_conditions_on_an_object_changed_at_date(method, headers, expected):
    assert precondition(headers, method, "e", SECONDS) == expected


@pytest.mark.parametrize("header, size, expected", [
    ("bytes=0-0", 10, (0, 1, 206, "bytes 0-0/10")),
    ("bytes=9-", 10, (9, 1, 206, "bytes 9-9/10")),
    ("bytes=-1", 10, (9, 1, 206, "bytes 9-9/10")),
    (" bytes=2-3 ", 10, (2, 2, 206, "bytes 2-3/10")),
    ("bytes=3-2", 10, (0, 10, 200, None)),
    ("BYTES=0-1", 10, (0, 10, 200, None)),
])
def test_span_of_a_get(header, size, expected):
    assert span({"range": header}, "GET", size) == expected


@pytest.mark.parametrize("header, size", [("bytes=0-", 0), ("bytes=-5", 0), ("bytes=10-11", 10),
                                          ("bytes=-0", 10)])
def test_unsatisfiable_spans_are_416(header, size):
    with pytest.raises(RequestRefused) as caught:
        span({"range": header}, "GET", size)
    assert caught.value.status == 416


def test_head_and_other_methods_ignore_range():
    assert span({"range": "bytes=-0"}, "HEAD", 10) == (0, 10, 200, None)
    assert span({}, "GET", 0) == (0, 0, 200, None)
