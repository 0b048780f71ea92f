"""hcpupd 0.2.5: its ``Uploader`` thread, fed from a queue (no inotify), in both layouts.

A small driver run by the venv's Python builds the configuration keys the uploader reads
and the ``hcpsdk.Target`` exactly as hcpupd's ``createtarget`` does, queues the files the
way its directory crawler does (``(priority, path)``) and ends the thread with hcpupd's own
exit item.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from xml.etree import ElementTree

DRIVER = r'''
import json, queue, sys
import hcpsdk
from hcpup.up import Uploader

conf, fqdn, files = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])

class Queues:
    queue = queue.PriorityQueue()

for path in files:
    Queues.queue.put((1, path))
Queues.queue.put((9, "!**exit**!"))
target = hcpsdk.Target(fqdn, hcpsdk.NativeAuthorization("n", "n01"), port=443, dnscache=False)
uploader = Uploader(conf, target, Queues, name="uploader-00")
uploader.start()
uploader.join()
'''

#: File names with umlauts, accents, a space, a euro sign and CJK characters.
NAMES = ("Grüße/naïve résumé.txt", "Grüße/€ 100.csv", "日本/ファイル.bin", "plain.txt")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _watchdir(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    watch = tmp_path / "watch"
    content = {}
    for i, name in enumerate(NAMES):
        path = watch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content[str(path)] = os.urandom(100 + i * 517)
        path.write_bytes(content[str(path)])
    return watch, content


def _upload(run, hcp, tmp_path: Path, top: str, obfuscate: bool,
            files: dict[str, bytes], watch: Path) -> None:
    conf = {"obfuscate": obfuscate, "path": top, "watchdir": str(watch),
            "annotation": "hcpupd", "tag_timestamp": True, "tag_note": "uploaded by hcpupd",
            "log uploaded files": False, "delete after upload": False,
            "remove empty folders after upload": False}
    run(["python", "-c", DRIVER, json.dumps(conf), hcp.fqdn, json.dumps(sorted(files))],
        cwd=tmp_path)


def test_plain_layout_keeps_the_names(run, hcp, tmp_path):
    watch, files = _watchdir(tmp_path)
    _upload(run, hcp, tmp_path, "hcpupd_plain", False, files, watch)
    store = hcp.system.namespace("m", "n1").store
    stored = {p: vs[-1] for p, vs in store.objects.items() if p.startswith("hcpupd_plain/")}
    assert set(stored) == {f"hcpupd_plain/{n}" for n in NAMES}
    for name in NAMES:
        v = stored[f"hcpupd_plain/{name}"]
        assert v.blob.read() == files[str(watch / name)]
        assert not v.annotations


def test_obfuscated_layout_stores_uuid_names_with_the_annotation(run, hcp, tmp_path):
    watch, files = _watchdir(tmp_path)
    started = int(time.time())
    _upload(run, hcp, tmp_path, "hcpupd_obf", True, files, watch)
    store = hcp.system.namespace("m", "n1").store
    stored = {p: vs[-1] for p, vs in store.objects.items() if p.startswith("hcpupd_obf/")}
    assert len(stored) == len(NAMES)
    by_source = {}
    for path, v in stored.items():
        top, b4, b3, name = path.split("/")
        assert UUID.fullmatch(name) and (b4, b3) == (name[6:8], name[4:6])
        assert set(v.annotations) == {"hcpupd"}
        note = ElementTree.fromstring(v.annotations["hcpupd"].data)
        assert note.tag == "hcpsdk_fileobject"
        assert (note.get("uuid"), note.get("path")) == (name, f"/rest/{top}/{b4}/{b3}")
        assert note.get("note") == "uploaded by hcpupd"
        assert started - 5 <= int(note.get("timestamp")) <= time.time() + 1
        by_source[note.get("filename")] = v.blob.read()
    assert by_source == files         # every file, with its non-ASCII name, and its bytes
