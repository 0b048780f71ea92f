"""objects.upload_file / download_file: streaming, progress, hash check, resume, temp file."""
from __future__ import annotations

import hashlib
import os
import random

import pytest

import hcpsdk
from hcpsdk import objects


def _data(size, seed=7):
    return random.Random(seed).randbytes(size)


def test_upload_and_download_round_trip_with_progress(connection, tree, tmp_path):
    data = _data(3 * (1 << 20) + 123)
    local = tmp_path / "in.bin"
    local.write_bytes(data)
    sent = []
    stored = objects.upload_file(connection, local, f"{tree}/big.bin",
                                 callback=lambda done, total: sent.append((done, total)))
    assert stored.hash_value == hashlib.sha256(data).hexdigest().upper()
    assert sent[-1] == (len(data), len(data))
    assert [d for d, _ in sent] == sorted(d for d, _ in sent)
    got = []
    out = tmp_path / "out.bin"
    info = objects.download_file(connection, f"{tree}/big.bin", out, block_size=1 << 20,
                                 callback=lambda done, total: got.append((done, total)))
    assert out.read_bytes() == data
    assert info.size == len(data) and info.hash_value == stored.hash_value
    assert got[-1] == (len(data), len(data)) and len(got) == 4
    assert sorted(os.listdir(tmp_path)) == ["in.bin", "out.bin"]


def test_upload_with_ingest_metadata(connection, tree, tmp_path):
    local = tmp_path / "f"
    local.write_bytes(b"abc")
    objects.upload_file(connection, str(local), f"{tree}/f", index=False, shred=True)
    info = objects.stat(connection, f"{tree}/f")
    assert not info.index and info.shred


def test_upload_create_only(n1, tree, tmp_path):
    local = tmp_path / "f"
    local.write_bytes(b"abc")
    objects.upload_file(n1, local, f"{tree}/f")
    with pytest.raises(hcpsdk.HcpsdkStatusError):
        objects.upload_file(n1, local, f"{tree}/f", if_none_match="*")


def test_upload_with_another_hash_scheme_reads_the_file_again(connection, tree, tmp_path):
    local = tmp_path / "f"
    local.write_bytes(b"abc" * 1000)
    stored = objects.upload_file(connection, local, f"{tree}/f", hash_scheme="MD5")
    assert stored.hash_scheme == "SHA-256"


def test_upload_retried_after_a_reset_counts_again(hcp_emulator, connection, tree, tmp_path):
    data = _data(2 << 20)
    local = tmp_path / "f"
    local.write_bytes(data)
    objects.put(connection, f"{tree}/first", b"x")  # the Connection's node is known now
    hcp_emulator.faults.reset_upload(connection.address, 1 << 20)
    sent = []
    stored = objects.upload_file(connection, local, f"{tree}/f",
                                 callback=lambda done, total: sent.append(done))
    assert stored.hash_value == hashlib.sha256(data).hexdigest().upper()
    assert sent[-1] == len(data) and sent != sorted(sent)  # the count started again
    assert objects.get(connection, f"{tree}/f") == data


def test_download_resumes_after_a_broken_connection(hcp_emulator, connection, tree, tmp_path):
    data = _data(3 << 20)
    objects.put(connection, f"{tree}/f", data)
    hcp_emulator.faults.close_after(connection.address, 1 << 20)
    out = tmp_path / "out"
    objects.download_file(connection, f"{tree}/f", out)
    assert out.read_bytes() == data
    assert connection.retries_done == 1
    ranges = [r.headers.get("range") for r in hcp_emulator.requests[-2:]]
    assert ranges[0] is None and ranges[1].startswith("bytes=")


def test_download_that_cannot_complete_leaves_no_file(hcp_emulator, connect, tree, tmp_path):
    c = connect(retries=0)
    objects.put(c, f"{tree}/f", _data(2 << 20))
    hcp_emulator.faults.close_after(None, 1 << 20)
    out = tmp_path / "out"
    out.write_bytes(b"previous content")
    with pytest.raises(hcpsdk.HcpsdkError):
        objects.download_file(c, f"{tree}/f", out)
    assert out.read_bytes() == b"previous content"
    assert os.listdir(tmp_path) == ["out"]


@pytest.mark.parametrize("verify, message", [
    (False, "the bytes have SHA-256 .*, X-HCP-Hash says 0{64}"),
    # the Connection checks the hash itself; download_file leaves it to it
    (True, "differs from X-HCP-Hash"),
])
def test_download_detects_a_hash_mismatch(hcp_emulator, connection, tree, tmp_path, verify,
                                          message):
    objects.put(connection, f"{tree}/f", b"original")
    version = hcp_emulator.system.namespace("m", "n2").store.current(f"{tree[6:]}/f")
    version.hash = "SHA-256 " + "0" * 64   # what a corrupted copy would show
    version.cache = None
    out = tmp_path / "out"
    with hcpsdk.Connection(connection.target, verify=verify) as con:
        assert con.verify is verify
        with pytest.raises(hcpsdk.HcpsdkIntegrityError, match=message):
            objects.download_file(con, f"{tree}/f", out)
    assert not out.exists() and os.listdir(tmp_path) == []


def test_download_of_a_missing_object(connection, tree, tmp_path):
    with pytest.raises(hcpsdk.HcpsdkNotFoundError):
        objects.download_file(connection, f"{tree}/none", tmp_path / "x")
    assert os.listdir(tmp_path) == []


def test_download_of_an_old_version(connection, tree, tmp_path):
    first = objects.put(connection, f"{tree}/f", b"one").version_id
    objects.put(connection, f"{tree}/f", b"two")
    objects.download_file(connection, f"{tree}/f", tmp_path / "x", version=first)
    assert (tmp_path / "x").read_bytes() == b"one"


@pytest.mark.parametrize("kwargs, error", [
    ({"callback": 5}, hcpsdk.HcpsdkTypeError),
    ({"block_size": 0}, hcpsdk.HcpsdkArgumentError),
])
def test_download_arguments(connection, tmp_path, kwargs, error):
    with pytest.raises(error):
        objects.download_file(connection, "/rest/x", tmp_path / "x", **kwargs)


def test_upload_arguments(connection, tmp_path):
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="hash_scheme"):
        objects.upload_file(connection, tmp_path / "x", "/rest/x", hash_scheme="CRC")
    with pytest.raises(FileNotFoundError):
        objects.upload_file(connection, tmp_path / "missing", "/rest/x")
