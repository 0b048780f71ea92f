"""hcpsdk.pathbuilder: documented layout, annotation XML, errors, spread over the folders."""
from __future__ import annotations

import collections
import itertools
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from hcpsdk.exceptions import HcpsdkError
from hcpsdk.pathbuilder import PathBuilder, PathBuilderError

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"


def expected_annotation(filename: str, path: str, name: str) -> str:
    """What ElementTree writes for the element: an independent oracle for the escaping."""
    element = ET.Element("hcpsdk_fileobject", {"filename": filename, "path": path, "uuid": name})
    return ET.tostring(element, encoding="utf-8", xml_declaration=True).decode("utf-8")


def chi_square(counts: collections.Counter, cells: int, total: int) -> float:
    expected = total / cells
    observed = list(counts.values()) + [0] * (cells - len(counts))
    return sum((o - expected) ** 2 / expected for o in observed)


def chi_square_bound(cells: int, total: int, sigmas: float = 5.0) -> float:
    """Upper bound for the chi-square statistic of *total* names spread at random.

    With Poisson cell counts of mean E the statistic has mean df and variance
    df * (2 + 1/E) (the 1/E term matters when E is small, as with 65,536 folders);
    *sigmas* standard deviations above the mean fails a truly uniform spread
    less than once in a million runs.
    """
    df = cells - 1
    return df + sigmas * math.sqrt(df * (2 + cells / total))


# ---------------------------------------------------------------- documented example


def test_documented_example_getunique_with_annotation():
    p = PathBuilder(initialpath="/rest/mypath", annotation=True)
    o = p.getunique("testfile.txt")
    assert isinstance(o, tuple) and len(o) == 3
    path, name, xml = o
    assert UUID_RE.fullmatch(name)
    assert uuid.UUID(name).version == 1
    # ('/rest/mypath/b4/ec', '8ac8ecb4-...'): byte 4, then byte 3 of the name
    assert path == f"/rest/mypath/{name[6:8]}/{name[4:6]}"
    assert xml == (f"{DECLARATION}\n<hcpsdk_fileobject filename=\"testfile.txt\""
                   f" path=\"{path}\" uuid=\"{name}\" />")
    element = ET.fromstring(xml.encode("utf-8"))
    assert element.attrib == {"filename": "testfile.txt", "path": path, "uuid": name}


def test_documented_example_getpath():
    p = PathBuilder(initialpath="/rest/mypath", annotation=True)
    assert p.getpath("8ac8ecb4-9f1e-11e4-a524-98fe94437d8c") == \
        "/rest/mypath/b4/ec/8ac8ecb4-9f1e-11e4-a524-98fe94437d8c"


def test_defaults_give_two_tuple_under_rest_hcpsdk():
    p = PathBuilder()
    assert (p.initialpath, p.leadingpath, p.annotation) == ("/rest/hcpsdk", "/rest/hcpsdk", False)
    o = p.getunique("a.txt")
    assert len(o) == 2
    assert o[0] == f"/rest/hcpsdk/{o[1][6:8]}/{o[1][4:6]}"
    assert repr(p) == "PathBuilder(initialpath='/rest/hcpsdk', annotation=False)"


@pytest.mark.parametrize("initialpath, expected", [("/rest/x/", "/rest/x"), ("/", "/"),
                                                   ("/rest/a b", "/rest/a b")])
def test_initialpath_normalized(initialpath, expected):
    p = PathBuilder(initialpath)
    name = p.getunique("f")[1]
    assert p.getpath(name) == f"{expected.rstrip('/')}/{name[6:8]}/{name[4:6]}/{name}"


@pytest.mark.parametrize("filename", ['a "quoted" <name> & more', "tab\tnew\nline\rcr", "x'y",
                                      "Ünïcødé ☃.txt", ""])
def test_annotation_attributes_are_escaped_like_elementtree(filename):
    path, name, xml = PathBuilder(annotation=True).getunique(filename)
    assert xml == expected_annotation(filename, path, name)
    assert ET.fromstring(xml.encode("utf-8")).get("filename") == filename


def test_getpath_round_trips_getunique():
    p = PathBuilder("/rest/roundtrip")
    for _ in range(1000):
        path, name = p.getunique("f")
        assert p.getpath(name) == f"{path}/{name}"


def test_names_are_unique_across_threads():
    p = PathBuilder()
    results: list[list[str]] = [[] for _ in range(4)]

    def work(out: list[str]) -> None:
        out.extend(p.getunique("f")[1] for _ in range(5000))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    names = [n for out in results for n in out]
    assert len(set(names)) == len(names) == 20000
    # strictly increasing timestamps inside one thread
    for out in results:
        times = [uuid.UUID(n).time for n in out]
        assert times == sorted(set(times))


FORK_CODE = """
import os
from hcpsdk.pathbuilder import PathBuilder
p = PathBuilder()
p.getunique("warm up")
r, w = os.pipe()
pid = os.fork()
names = [p.getunique("f")[1] for _ in range(2000)]
if pid == 0:
    os.write(w, " ".join(names).encode())
    os._exit(0)
os.close(w)
child = b""
while chunk := os.read(r, 65536):
    child += chunk
os.waitpid(pid, 0)
print(" ".join(names))
print(child.decode())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_makes_other_names_than_its_parent():
    """Parent and child run the same clock: a fresh clock sequence in the child keeps them apart."""
    out = subprocess.run([sys.executable, "-c", FORK_CODE], capture_output=True, text=True,
                         check=True, timeout=60).stdout.splitlines()
    parent, child = out[0].split(), out[1].split()
    assert len(parent) == len(child) == 2000
    assert not set(parent) & set(child)
    assert {n[19:23] for n in parent} != {n[19:23] for n in child}  # clock_seq


def test_clock_set_back_changes_the_clock_sequence_not_the_folders():
    from hcpsdk.pathbuilder import _Uuid1Source

    source = _Uuid1Source()
    first = uuid.UUID(source())
    source._last = first.time + 36_000_000_000  # as if the clock had said: one hour later
    after = uuid.UUID(source())
    assert after.clock_seq == (first.clock_seq + 1) & 0x3FFF
    assert 0 <= after.time - first.time < 10_000_000  # follows the clock: within a second
    # a clock that is merely not advancing (same tick) keeps the sequence and counts up
    nxt = uuid.UUID(source())
    assert nxt.clock_seq == after.clock_seq and nxt.time > after.time


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("objectname", ["testfile.txt", "", "8ac8ecb4-9f1e-11e4-a524",
                                        "8ac8ecb4-9f1e-11e4-a524-98fe94437d8cX",
                                        "8ac8ecb49f1e11e4a52498fe94437d8c",
                                        "zac8ecb4-9f1e-11e4-a524-98fe94437d8c", None, 42])
def test_getpath_refuses_non_uuid(objectname):
    with pytest.raises(PathBuilderError) as info:
        PathBuilder().getpath(objectname)
    assert isinstance(info.value, HcpsdkError) and isinstance(info.value, ValueError)
    assert repr(objectname) in info.value.reason


@pytest.mark.parametrize("initialpath", ["rest/hcpsdk", "", "/rest?x", "/rest#f", None, b"/rest",
                                         "/rest/\x00"])
def test_bad_initialpath(initialpath):
    with pytest.raises(PathBuilderError, match="initialpath"):
        PathBuilder(initialpath)


@pytest.mark.parametrize("filename", [None, 7, b"bytes", "ctrl\x01char"])
def test_getunique_refuses_what_xml_cannot_carry(filename):
    with pytest.raises(PathBuilderError, match="filename"):
        PathBuilder(annotation=True).getunique(filename)


def test_exception_is_documented_name():
    import hcpsdk.pathbuilder as pb
    assert pb.PathBuilderError.__module__ == "hcpsdk.pathbuilder"
    assert str(pb.PathBuilderError("why")) == "why" == pb.PathBuilderError("why").reason


# ---------------------------------------------------------------- spread over the folders
#
# The folder is byte 4 / byte 3 of time_low: the low 16 bits of the UUID's 100-ns clock,
# one full turn every 6.5536 ms, so the moment a name is made decides its folder. The
# chi-square bound holds for names placed independently at random; names made in a
# tight loop on the wall clock are not: such a loop keeps a pace steady to a few ticks,
# and a steady pace is a lattice (6.4 µs a name visits 4 of the 256 first-level folders
# while it lasts), so the statistic of a wall-clock loop swings far beyond the bound
# from time to time. The moments are therefore drawn from seeded generators and fed in
# through the source's clock; the folder of each name comes from the public getpath().

START_NS = 1_700_000_000 * 10**9
UUID_EPOCH_OFFSET = 0x01B21DD213814000  # 100-ns ticks from 1582-10-15 to 1970-01-01


def names_made_at(moments_ns: list[int]) -> list[str]:
    from hcpsdk.pathbuilder import _Uuid1Source

    moments = iter(moments_ns)
    source = _Uuid1Source(clock=lambda: next(moments))
    return [source() for _ in moments_ns]


def folders_of(names: list[str]) -> list[str]:
    p = PathBuilder()
    return [p.getpath(name).rsplit("/", 1)[0] for name in names]


def unrelated_moments(count: int, seed: int) -> list[int]:
    """One name per file of an ingest: moments anywhere in a day."""
    rng = random.Random(seed)
    return sorted(rng.randrange(START_NS, START_NS + 86_400 * 10**9) for _ in range(count))


def tight_loop_moments(count: int, seed: int) -> list[int]:
    """A loop making names 1-6 µs apart (as measured here), now and then descheduled."""
    rng = random.Random(seed)
    moments, now = [], START_NS
    for _ in range(count):
        now += rng.randrange(1_000, 6_000)
        if rng.random() < 0.001:
            now += rng.randrange(1_000_000, 20_000_000)
        moments.append(now)
    return moments


def assert_spread_over_all_folders(folders: list[str]) -> None:
    total = len(folders)
    leaf = collections.Counter(folders)
    assert chi_square(leaf, 65536, total) < chi_square_bound(65536, total)
    assert max(leaf.values()) <= 16  # mean 1.5: no folder gets a pile
    # every first-level folder (byte 4) is used about as often: the odd ones too
    first = collections.Counter(folder.split("/")[3] for folder in folders)
    assert len(first) == 256
    assert chi_square(first, 256, total) < chi_square_bound(256, total)


@pytest.fixture(scope="module")
def tight_loop_names() -> list[str]:
    return names_made_at(tight_loop_moments(100_000, seed=11))


@pytest.fixture(scope="module")
def tight_loop_folders(tight_loop_names) -> list[str]:
    return folders_of(tight_loop_names)


def test_names_made_at_unrelated_moments_spread_over_all_65536_folders():
    assert_spread_over_all_folders(folders_of(names_made_at(unrelated_moments(100_000, seed=7))))


def test_tight_loop_spreads_over_all_65536_folders(tight_loop_folders):
    assert_spread_over_all_folders(tight_loop_folders)


def test_consecutive_names_go_to_different_folders(tight_loop_folders):
    same = sum(a == b for a, b in zip(tight_loop_folders, tight_loop_folders[1:], strict=False))
    assert same < len(tight_loop_folders) / 100


def test_a_clock_that_does_not_advance_visits_every_folder_in_turn():
    """A coarse clock: every name of one reading takes the next tick, so the next folder."""
    folders = folders_of(names_made_at([START_NS] * 65536))
    assert len(set(folders)) == len(folders) == 65536


def test_names_made_microseconds_apart_use_odd_first_level_folders_too():
    """The clock counts 100 ns: names made more than 1 µs apart still have odd low bytes.
    (libuuid's clock, microseconds times ten, would leave every odd first-level folder
    empty: the folder spread of ``uuid.uuid1()`` on Linux.)"""
    rng = random.Random(3)
    moments = list(itertools.accumulate(rng.randrange(2_000, 3_000) for _ in range(3000)))
    moments = [START_NS + m for m in moments]
    names = names_made_at(moments)
    assert [uuid.UUID(n).time for n in names] == [m // 100 + UUID_EPOCH_OFFSET for m in moments]
    odd = sum(int(n[6:8], 16) % 2 for n in names) / len(names)
    assert 0.4 < odd < 0.6
    first = collections.Counter(n[6:8] for n in names)
    assert chi_square(first, 256, len(names)) < chi_square_bound(256, len(names))
    # the same moments at microsecond resolution: the test would see the odd folders empty
    coarse = names_made_at([m // 1000 * 1000 for m in moments])
    assert not any(int(n[6:8], 16) % 2 for n in coarse)


def test_spread_test_detects_a_slow_changing_folder_choice(tight_loop_names):
    """The same statistic rejects folders made from time_mid (a layout that piles up)."""
    names = tight_loop_names[:20_000]
    piled = collections.Counter(f"{n[9:11]}/{n[11:13]}" for n in names)
    assert chi_square(piled, 65536, len(names)) > 10 * chi_square_bound(65536, len(names))


def test_spread_test_detects_a_steady_pace():
    """Why a wall-clock loop is no input for the bound: names exactly 6.4 µs apart use
    4 first-level folders, which the statistic rejects by far."""
    names = names_made_at([START_NS + i * 6_400 for i in range(3000)])
    first = collections.Counter(n[6:8] for n in names)
    assert len(first) == 4
    assert chi_square(first, 256, len(names)) > 10 * chi_square_bound(256, len(names))


def test_the_system_clock_makes_the_timestamp():
    from hcpsdk.pathbuilder import _uuid1, _Uuid1Source

    assert _uuid1._clock is time.time_ns
    source = _Uuid1Source()
    before = time.time_ns() // 100
    stamp = uuid.UUID(source()).time - UUID_EPOCH_OFFSET
    after = time.time_ns() // 100
    assert before <= stamp <= after


# ---------------------------------------------------------------- with the emulator


def test_store_object_and_annotation_at_built_path(data_connection, hcp):
    p = PathBuilder(initialpath="/rest/pathbuilder", annotation=True)
    path, name, xml = p.getunique("my file <1>.txt")
    full = p.getpath(name)
    data_connection.PUT(full, body=b"content of my file")
    assert data_connection.response_status == 201
    data_connection.PUT(full, body=xml.encode("utf-8"),
                        params={"type": "custom-metadata", "annotation": "hcpsdk"},
                        headers={"Content-Type": "text/xml"})
    assert data_connection.response_status == 201
    data_connection.GET(full)
    assert data_connection.read() == b"content of my file"
    data_connection.GET(full, params={"type": "custom-metadata", "annotation": "hcpsdk"})
    assert data_connection.response_status == 200
    stored = data_connection.read().decode("utf-8")
    assert stored == xml
    assert ET.fromstring(stored.encode("utf-8")).attrib == {
        "filename": "my file <1>.txt", "path": path, "uuid": name}
