"""Names with <, &, quotes, backslashes, spaces and non-ASCII characters survive the trip:
stored through REST, found by exact value, pattern and prefix, in JSON and in XML."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from query_support import DOMAIN

import hcpsdk
from hcpsdk.query import ChangeCursor, prop

NAMES = ['a<b>&c.txt', 'say "hi".txt', "it's.txt", "back\\slash.txt", "résumé – 履歴書.txt",
         "sp ace(1)[2]{3}.txt", "a*b?c.txt", "+plus -minus: colon.txt"]
IN_ESC = prop("namespace").eq("esc.m")


@pytest.fixture(scope="module", autouse=True)
def stored(mqe):
    with hcpsdk.Connection(mqe.target(f"esc.m.{DOMAIN}")) as con:
        for name in NAMES:
            con.PUT("/rest/dir/" + quote(name), body=name.encode())
            con.read()
            assert con.response_status == 201, (name, con.getheader("X-HCP-ErrorMessage"))


@pytest.mark.parametrize("name", NAMES)
def test_an_exact_name_finds_that_object_only(search, name):
    got = list(search.objects(IN_ESC & prop("utf8Name").eq(name), properties=["utf8Name"]))
    assert [r.utf8_name for r in got] == [name]
    assert got[0].url_name == f"https://esc.m.{DOMAIN}/rest/dir/{quote(name)}"


@pytest.mark.parametrize("name", NAMES)
def test_a_pattern_and_a_prefix_made_of_the_name_find_it(search, name):
    stem = name[:-4]
    like = list(search.objects(IN_ESC & prop("utf8Name").like(stem + "*"), properties=["utf8Name"]))
    assert name in [r.utf8_name for r in like]
    prefix = list(search.objects(IN_ESC & prop("objectPath").startswith(f"/dir/{stem}"),
                                 properties=["objectPath"]))
    assert [r.object_path for r in prefix] == [f"/dir/{name}"]


def test_wildcards_in_a_prefix_are_literal(search):
    got = [r.utf8_name for r in search.objects(IN_ESC & prop("utf8Name").startswith("a*"),
                                               properties=["utf8Name"])]
    assert got == ["a*b?c.txt"]


def test_the_change_feed_carries_the_names_back(search):
    got = {r.object_path for r in search.changes(ChangeCursor(namespaces=["esc.m"],
                                                              properties=["objectPath"]))}
    assert got == {f"/dir/{name}" for name in NAMES}


def test_text_utf8_cannot_carry_is_refused_before_sending(search, mqe):
    before = len(mqe.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="lone surrogate") as info:
        search.count(prop("utf8Name").eq("a\udcff"))
    assert not isinstance(info.value.__cause__, UnicodeError)
    assert len(mqe.requests) == before
