"""Local file names are literal text: a ``%XX`` in one is never taken as an escape."""
from __future__ import annotations

import uuid

import pytest

import hcpsdk
from hcpsdk.ingest import ingest
from hcpsdk.pathbuilder import PathBuilder


@pytest.fixture()
def folder(tmp_path):
    """Files whose names look like escapes, next to the names they would decode to."""
    contents = {"%41.txt": b"percent-41", "A.txt": b"plain A", "100%.txt": b"hundred",
                "%2F.txt": b"percent-2F", "a%20b.txt": b"percent-20"}
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path, contents


def test_ingest_stores_every_file_under_its_own_name(hcp, http_target, folder):
    directory, contents = folder
    destination = f"/rest/safety/{uuid.uuid4().hex}"
    files = [directory / name for name in contents]
    report = ingest(http_target, files, workers=2, destination=destination)
    assert [r.error for r in report] == [None] * len(files)
    for name, data in contents.items():
        assert hcp.get_object(f"{destination}/{name}") == data, name
    # the path in a result is what Connection's url takes for that object
    with hcpsdk.Connection(http_target) as c:
        for result, data in zip(report, contents.values(), strict=True):
            c.GET(result.path)
            assert c.read() == data


def test_ingest_takes_the_object_path_of_a_tuple_literally(hcp, http_target, folder):
    directory, contents = folder
    destination = f"/rest/safety/{uuid.uuid4().hex}"
    report = ingest(http_target, [(directory / "%41.txt", "sub/%41 copy.txt"),
                                  (directory / "A.txt", f"{destination}/abs%42.txt")],
                    destination=destination)
    assert [r.error for r in report] == [None, None]
    assert hcp.get_object(f"{destination}/sub/%41 copy.txt") == b"percent-41"
    assert hcp.get_object(f"{destination}/abs%42.txt") == b"plain A"
    assert hcp.get_object(f"{destination}/sub/A copy.txt") is None


def test_ingest_with_pathbuilder_annotates_the_literal_name(hcp, http_target, folder):
    directory, _ = folder
    builder = PathBuilder(f"/rest/safety/{uuid.uuid4().hex}", annotation=True)
    report = ingest(http_target, [directory / "%41.txt"], pathbuilder=builder)
    assert report[0].error is None
    assert hcp.get_object(report[0].path) == b"percent-41"


def test_connection_keeps_the_documented_url_rule(hcp, http_target, path):
    # an already-encoded %XX in a *url* stays: /rest/x%2541.txt is the object x%41.txt
    base = path.rsplit("/", 1)[0]
    with hcpsdk.Connection(http_target) as c:
        c.PUT(f"{base}/x%2541.txt", b"escaped")
        assert c.response_status == 201
    assert hcp.get_object(f"{base}/x%41.txt") == b"escaped"
