"""hcpt 1.0.20: ``hcpt load`` and ``hcpt list`` through its own command line.

Every check reads the emulator's store (or its listing through hcpt's own CSV) and compares
it with what was sent: bytes, hashes, sizes, retention, versions, annotations, deletions.
"""
from __future__ import annotations

import csv
import hashlib
import random
from pathlib import Path

import pytest

DATA = random.Random(13).randbytes(3000)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";", quotechar="'"))


@pytest.fixture
def ingestfile(tmp_path: Path) -> Path:
    path = tmp_path / "ingest.bin"
    path.write_bytes(DATA)
    return path


def _hcpt(run, tmp_path: Path, *args: str) -> None:
    run(["hcpt", "-u", "n", "-p", "n01", "-t", "3", "-i", "1", "-l", str(tmp_path / "hcpt.log"),
         *args], cwd=tmp_path)


def _expected_paths(top: str, matrix: tuple[int, ...], name: str) -> set[str]:
    paths = {top}
    for i in range(matrix[0]):
        if len(matrix) > 1:
            paths |= _expected_paths(f"{top}/{i:04}", matrix[1:], name)
        else:
            paths.add(f"{top}/{i:04}.{name}")
    return paths


@pytest.mark.parametrize("kind", ["rest", "fcfs_data"])
def test_load_stores_every_object_with_its_bytes_and_hash(run, hcp, tmp_path, ingestfile, kind):
    host = hcp.fqdn if kind == "rest" else f"default.default.{hcp.domain}"
    _hcpt(run, tmp_path, "load", "-c", host, "-d", f"/{kind}/hcpt_load", "-f", str(ingestfile),
          "--structure", "2", "3")
    ns = hcp.system.namespace("m", "n1") if kind == "rest" else hcp.system.default_namespace()
    stored = {p: v for p, vs in ns.store.objects.items() if p.startswith("hcpt_load/")
              for v in vs[-1:] if not v.deleted}
    assert set(stored) == {p for p in _expected_paths("hcpt_load", (2, 3), "ingest.bin")
                           if p.endswith(".bin")}
    digest = hashlib.sha256(DATA).hexdigest().upper()
    for v in stored.values():
        assert v.blob.read() == DATA
        assert v.hash == f"SHA-256 {digest}"
        assert v.retention == 0                 # hcpt sends retention=0 with every PUT


def test_list_rest_shows_versions_deletions_and_annotations(run, hcp, tmp_path):
    ns = hcp.system.namespace("m", "n2")             # versioning enabled
    store, top = ns.store, "hcpt_list"
    for i in range(3):
        store.put_bytes(f"{top}/multi.txt", b"v" * (i + 1), owner="n")
    store.put_bytes(f"{top}/sub/annotated.xml", b"<a/>", owner="n")
    store.put_annotation(f"{top}/sub/annotated.xml", "default", b"<note>x</note>")
    store.put_bytes(f"{top}/gone.txt", b"gone", owner="n")
    store.delete(f"{top}/gone.txt")
    out = tmp_path / "rest.csv"
    _hcpt(run, tmp_path, "list", "-c", f"n2.m.{hcp.domain}", "-d", f"/rest/{top}", "--all",
          "--fatDB", "--out", "csv", "--outfile", str(out))
    rows = {r["urlName"]: r for r in _csv(out)}
    assert set(rows) == {f"/rest/{top}", f"/rest/{top}/sub", f"/rest/{top}/multi.txt",
                         f"/rest/{top}/sub/annotated.xml", f"/rest/{top}/gone.txt"}
    multi = rows[f"/rest/{top}/multi.txt"]
    current = store.current(f"{top}/multi.txt")
    assert (multi["type"], multi["size"], multi["version"], multi["state"]) == (
        "object", "3", str(current.version_id), "created")
    assert multi["hash"] == hashlib.sha256(b"vvv").hexdigest().upper()
    annotated = rows[f"/rest/{top}/sub/annotated.xml"]
    assert (annotated["customMetadata"], annotated["size"]) == ("true", "4")
    assert multi["customMetadata"] == "false"
    assert rows[f"/rest/{top}/gone.txt"]["state"] == "deleted"
    assert rows[f"/rest/{top}/sub"]["type"] == "directory"

    without = tmp_path / "rest-current.csv"
    _hcpt(run, tmp_path, "list", "-c", f"n2.m.{hcp.domain}", "-d", f"/rest/{top}",
          "--out", "csv", "--outfile", str(without))
    assert f"/rest/{top}/gone.txt" not in {r["urlName"] for r in _csv(without)}


def test_list_fcfs_data_reads_listings_and_metafiles(run, hcp, tmp_path):
    store, top = hcp.system.default_namespace().store, "hcpt_fcfs_list"
    store.put_bytes(f"{top}/a/one.txt", b"one", owner="")
    store.put_bytes(f"{top}/two.txt", b"second object", owner="")
    store.put_annotation(f"{top}/two.txt", "default", b"<two/>")
    store.set_metadata(f"{top}/two.txt", {"retention": "-1"})
    out = tmp_path / "fcfs.csv"
    _hcpt(run, tmp_path, "list", "-c", f"default.default.{hcp.domain}", "-d", f"/fcfs_data/{top}",
          "--fatDB", "--out", "csv", "--outfile", str(out))
    rows = {r["urlName"]: r for r in _csv(out)}
    base = f"/fcfs_data/{top}"
    assert set(rows) == {base, f"{base}/a", f"{base}/a/one.txt", f"{base}/two.txt"}
    one, two = rows[f"{base}/a/one.txt"], rows[f"{base}/two.txt"]
    assert (one["type"], one["size"], one["mode"], one["uid"]) == ("file", "3", "0100400", "0")
    assert (one["retention"], one["retentionString"], one["customMetadata"]) == (
        "0", "Deletion Allowed", "false")
    assert (two["size"], two["retention"], two["retentionString"], two["customMetadata"]) == (
        "13", "-1", "Deletion Prohibited", "true")
    assert int(two["modTime"]) == store.current(f"{top}/two.txt").ingest_time
    assert rows[f"{base}/a"]["type"] == "directory"
