"""The Default Namespace's directory listings, metafiles and PUT parameters, over raw HTTP."""
from __future__ import annotations

import hashlib
import time
from xml.etree import ElementTree

import pytest
from emulator_support import Client


@pytest.fixture
def fcfs(hcp):
    with Client(hcp, host=f"default.default.{hcp.domain}") as c:
        yield c


@pytest.fixture
def base(request):
    return "/fcfs_data/fcfs_tests/" + request.node.name.replace("[", "_").rstrip("]")


def test_listing_has_the_posix_attributes_of_files_and_directories(fcfs, base):
    before = int(time.time())
    assert fcfs.PUT(f"{base}/sub/a.txt", b"0123456789").status == 201
    assert fcfs.PUT(f"{base}/b%20b.bin", b"xyz").status == 201
    answer = fcfs.GET(base)
    assert answer.status == 200 and answer.header("Content-Type") == "text/xml"
    root = ElementTree.fromstring(answer.body)
    assert root.tag == "directory"
    assert root.get("utf8Path") == base and root.get("path") == base
    entries = {e.get("utf8Name"): e.attrib for e in root.findall("entry")}
    assert list(entries) == [".", "b b.bin", "sub"]     # no "..": clients recurse on entries
    assert entries["."]["fileType"] == "directory"
    sub, obj = entries["sub"], entries["b b.bin"]
    assert (sub["fileType"], sub["mode"], sub["modeString"]) == ("directory", "040755",
                                                                  "drwxr-xr-x")
    assert "size" not in sub
    assert (obj["fileType"], obj["size"], obj["mode"], obj["modeString"], obj["uid"],
            obj["gid"]) == ("file", "3", "0100400", "-r--------", "0", "0")
    assert obj["urlName"] == "b%20b.bin"
    for entry in (sub, obj):
        assert before - 1 <= int(entry["modTime"]) <= time.time() + 1
        assert int(entry["accessTime"]) == int(entry["modTime"])
        expected = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(int(entry["modTime"])))
        assert entry["modTimeString"] == entry["accessTimeString"] == expected
    nested = ElementTree.fromstring(fcfs.GET(f"{base}/sub").body)
    assert [e.get("utf8Name") for e in nested.findall("entry")] == [".", "a.txt"]
    head = fcfs.HEAD(base)
    assert (head.status, head.body) == (200, b"")


def test_put_takes_the_parameters_hcp_accepts(fcfs, base):
    answer = fcfs.PUT(f"{base}/o?index=false&shred=true&retention=A%2B1d", b"data")
    assert answer.status == 201
    meta = base.replace("fcfs_data", "fcfs_metadata", 1) + "/o"
    assert fcfs.GET(meta + "/index.txt").body == b"0\n"
    assert fcfs.GET(meta + "/shred.txt").body == b"1\n"
    value, text = fcfs.GET(meta + "/retention.txt").body.decode().splitlines()
    assert abs(int(value) - (time.time() + 86400)) < 5
    assert text == time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(int(value)))
    assert fcfs.PUT(f"{base}/p?index=maybe", b"x").status == 400
    assert fcfs.PUT(f"{base}/p?hold=true", b"x").status == 400     # no privileged user here
    assert fcfs.PUT(f"{base}/p?retention=bogus", b"x").status == 400


def test_metafiles_show_the_system_metadata(fcfs, base, hcp):
    data = b"metafile data"
    assert fcfs.PUT(f"{base}/m.txt", data).status == 201
    meta = base.replace("fcfs_data", "fcfs_metadata", 1) + "/m.txt"
    assert fcfs.GET(meta + "/retention.txt").body == b"0\nDeletion Allowed\n"
    assert fcfs.GET(meta + "/hash.txt").body.decode() == \
        f"SHA-256 {hashlib.sha256(data).hexdigest().upper()}\n"
    dpl = hcp.system.default_namespace().dpl
    assert fcfs.GET(meta + "/dpl.txt").body == fcfs.GET(meta + "/tpof.txt").body == f"{dpl}\n".encode()
    seconds, iso = fcfs.GET(meta + "/created.txt").body.decode().splitlines()
    assert iso == time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(int(seconds)))
    assert fcfs.GET(meta + "/replication.txt").body == b"false\n"
    assert fcfs.GET(meta + "/index.txt").status == 200
    assert fcfs.GET(meta + "/hold.txt").status == 404           # hold shows in retention.txt
    assert fcfs.GET(meta.replace("m.txt", "missing") + "/retention.txt").status == 404
    hcp.system.default_namespace().store.set_metadata(base[11:] + "/m.txt", {"hold": True})
    assert fcfs.GET(meta + "/retention.txt").body == b"0\nDeletion Allowed\nHold\n"
    hcp.system.default_namespace().store.set_metadata(base[11:] + "/m.txt", {"hold": False})


def test_metafiles_change_metadata_where_hcp_allows(fcfs, base):
    assert fcfs.PUT(f"{base}/w.txt", b"w").status == 201
    meta = base.replace("fcfs_data", "fcfs_metadata", 1) + "/w.txt"
    # hcpt sends the retention expression without a newline
    assert fcfs.PUT(meta + "/retention.txt", b"-1").status == 200
    assert fcfs.GET(meta + "/retention.txt").body == b"-1\nDeletion Prohibited\n"
    assert fcfs.PUT(meta + "/retention.txt", b"0").status == 400     # never shortened
    assert fcfs.DELETE(f"{base}/w.txt").status == 403
    assert fcfs.PUT(meta + "/shred.txt", b"1\n").status == 200
    assert fcfs.GET(meta + "/shred.txt").body == b"1\n"
    assert fcfs.PUT(meta + "/shred.txt", b"0").status == 400         # 1 -> 0 is refused
    assert fcfs.PUT(meta + "/index.txt", b"0").status == 200
    assert fcfs.GET(meta + "/index.txt").body == b"0\n"
    assert fcfs.PUT(meta + "/index.txt", b"yes").status == 400
    for name in ("dpl.txt", "hash.txt", "created.txt", "tpof.txt", "replication.txt"):
        answer = fcfs.PUT(f"{meta}/{name}", b"1")
        assert answer.status == 403 and answer.header("X-HCP-ErrorMessage")
    assert fcfs.HEAD(meta + "/custom-metadata.xml").status == 404    # hcpt: 200 = has one
    assert fcfs.PUT(meta + "/custom-metadata.xml", b"<a/>").status == 201
    assert fcfs.HEAD(meta + "/custom-metadata.xml").status == 200
