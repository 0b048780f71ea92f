"""HcpFileSystem beyond fsspec's abstract suite: ranges, streamed writes, facts, errors."""
from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import tracemalloc

import fsspec
import pytest

import hcpsdk
from hcpsdk.emulator import Emulator
from hcpsdk.fs import HcpFile, HcpFileSystem

DATA = bytes(range(256)) * 40  # 10 KiB


@pytest.fixture
def stored(fs, folder):
    path = f"{folder}/data.bin"
    fs.pipe_file(path, DATA)
    return path


@pytest.mark.parametrize(("start", "end"), [(0, 10), (100, 5000), (None, 7), (-300, None),
                                            (5000, None), (-10, -2), (9000, 20000), (11000, None),
                                            (30, 30), (40, 20)])
def test_cat_file_ranges_match_slices(fs, stored, start, end):
    assert fs.cat_file(stored, start, end) == DATA[start:end]


def test_cat_file_sends_a_range_request(fs, stored, hcp_emulator):
    before = len(hcp_emulator.requests)
    assert fs.cat_file(stored, 100, 200) == DATA[100:200]
    record = hcp_emulator.requests[before]
    assert record.method == "GET" and record.status == 206


def test_open_read_seeks_and_reads_ahead(fs, stored, hcp_emulator):
    with fs.open(stored, block_size=1024) as f:
        f.seek(5000)
        assert f.read(10) == DATA[5000:5010]
        requests = len(hcp_emulator.requests)
        assert f.read(500) == DATA[5010:5510]  # served from the read-ahead block
        assert len(hcp_emulator.requests) == requests
        f.seek(-20, 2)
        assert f.read() == DATA[-20:]


def test_directories_exist_empty_and_list(fs, folder):
    fs.mkdir(f"{folder}/empty")
    fs.pipe_file(f"{folder}/sub/a.txt", b"a")
    assert fs.isdir(f"{folder}/empty") and fs.ls(f"{folder}/empty") == []
    assert fs.ls(folder, detail=False) == [f"{folder}/empty", f"{folder}/sub"]
    assert fs.find(folder) == [f"{folder}/sub/a.txt"]
    assert fs.glob(f"{folder}/*/a.*") == [f"{folder}/sub/a.txt"]
    with pytest.raises(FileExistsError):
        fs.mkdir(f"{folder}/empty")
    fs.makedirs(f"{folder}/empty", exist_ok=True)


def test_info_carries_hcp_hash_version_and_times(fs, stored):
    info = fs.info(stored)
    assert info["type"] == "file" and info["size"] == len(DATA)
    assert info["hash_scheme"] == "SHA-256"
    assert info["hash_value"] == hashlib.sha256(DATA).hexdigest().upper()
    assert fs.checksum(stored) == int(hashlib.sha256(DATA).hexdigest(), 16)
    assert fs.modified(stored).tzinfo is not None and info["version_id"]


def test_ukey_changes_when_the_object_is_replaced(fs, stored):
    before = fs.ukey(stored)
    fs.pipe_file(stored, DATA)  # same content, a new object
    assert fs.ukey(stored) != before
    assert fs.checksum(stored) == int(hashlib.sha256(DATA).hexdigest(), 16)


def test_missing_paths_raise_file_not_found(fs, folder):
    for call in (fs.info, fs.cat_file, fs.ls, fs.rm_file, fs.open):
        with pytest.raises(FileNotFoundError):
            call(f"{folder}/nothing")
    assert not fs.exists(f"{folder}/nothing")


def test_rm_recursive_removes_the_tree(fs, folder):
    fs.pipe({f"{folder}/a/b/c.txt": b"1", f"{folder}/a/d.txt": b"2"})
    fs.mkdir(f"{folder}/a/e")
    with pytest.raises(PermissionError):  # HCP keeps a non-empty directory
        fs.rm_file(f"{folder}/a")
    fs.rm(f"{folder}/a", recursive=True)
    assert not fs.exists(f"{folder}/a")


def test_rmdir_deletes_an_empty_directory_and_nothing_else(fs, folder, stored):
    fs.mkdir(f"{folder}/empty")
    fs.pipe_file(f"{folder}/full/a.txt", b"a")
    with pytest.raises(NotADirectoryError):
        fs.rmdir(stored)
    assert fs.cat_file(stored) == DATA  # an object is never deleted by rmdir
    with pytest.raises(OSError) as refused:  # HCP's 403, told from a missing permission
        fs.rmdir(f"{folder}/full")
    assert refused.value.errno == errno.ENOTEMPTY and not isinstance(refused.value,
                                                                      PermissionError)
    assert fs.cat_file(f"{folder}/full/a.txt") == b"a"
    with pytest.raises(FileNotFoundError):
        fs.rmdir(f"{folder}/nothing")
    fs.rmdir(f"{folder}/empty")
    assert not fs.exists(f"{folder}/empty")


@pytest.mark.parametrize("how", ["cat_file", "open"])
def test_a_range_read_broken_on_every_node_continues_within_its_range(hcp_emulator, folder,
                                                                      how):
    # every node cuts its next answer after 100 kB: each break is continued on the next
    # node with the rest of the range, so the reader gets exactly its bytes
    data = os.urandom(1 << 20)
    fs = HcpFileSystem(hcp_emulator.target(), connection_args={"retry": hcpsdk.Retry(
        4, backoff_factor=0.001, backoff_max=0.01)})  # millisecond back-off: a fast test
    path = f"{folder}/big.bin"
    fs.pipe_file(path, data)
    hcp_emulator.faults.close_after(None, 100000)
    if how == "cat_file":
        got = fs.cat_file(path, 1000, 900000)
        last = 899999
    else:
        with fs.open(path, block_size=1 << 16) as f:
            f.seek(1000)
            got = f.read(899000)
        last = 900000 + (1 << 16) - 1  # the read-ahead asks for one block more
    assert got == data[1000:900000]
    resumed = [r for r in hcp_emulator.requests if r.path == path and r.method == "GET"][-4:]
    assert [r.headers["Range"] for r in resumed] == [
        f"bytes={1000 + n * 100000}-{last}" for n in range(1, 5)]


def _overwrite(fs, path, data, fail=False):
    """Write ``data`` to ``path`` in a streamed write (blocks of 1 MiB); ``fail``: the
    writing program raises after the second block."""
    with fs.open(path, "wb", block_size=1 << 20) as f:
        for i in range(0, len(data), 1 << 20):
            f.write(data[i:i + (1 << 20)])
            if fail and i:
                raise RuntimeError("the writing program failed")


def test_a_failed_streamed_overwrite_keeps_the_old_object(fs, folder, hcp_emulator):
    path = f"{folder}/keep.bin"
    fs.pipe_file(path, b"precious")
    with pytest.raises(RuntimeError, match="writing program"):
        _overwrite(fs, path, os.urandom(3 << 20), fail=True)
    assert fs.cat_file(path) == b"precious"
    # a network failure: every node resets the upload once, more often than retries
    hcp_emulator.faults.reset_upload(None, 1 << 20)
    with pytest.raises(hcpsdk.HcpsdkError):
        _overwrite(fs, path, os.urandom(3 << 20))
    hcp_emulator.faults.clear()
    assert fs.cat_file(path) == b"precious"
    assert fs.ls(folder, detail=False) == [path]  # no temporary object left behind


@pytest.mark.parametrize("params", [{"hold": "true"}, {"retention": "A+1d"}])
def test_an_object_under_retention_or_on_hold_is_not_replaced_and_nothing_is_sent(
        fs, folder, hcp_emulator, params):
    path = f"{folder}/kept.bin"
    fs.pipe_file(path, b"kept")
    con = fs._connection()
    con.POST(path, params=params)
    con.read()
    before = len(hcp_emulator.requests)
    with pytest.raises(PermissionError, match="retention or on hold"):
        _overwrite(fs, path, os.urandom(3 << 20))
    assert [r.method for r in hcp_emulator.requests[before:]] == ["HEAD"]
    assert fs.cat_file(path) == b"kept"
    # released, for the folder's removal
    if "hold" in params:
        con.POST(path, params={"hold": "false"})
    else:
        con.DELETE(path, params={"privileged": "true", "reason": "test"})
    con.read()


def test_a_replace_refused_at_the_end_says_where_the_new_content_is(fs, folder):
    # the object goes on hold while the new content streams: the final copy can't
    # replace it, and the new content stays in the temporary object the error names
    path, data = f"{folder}/held.bin", os.urandom(3 << 20)
    fs.pipe_file(path, b"old")
    con = fs._connection()
    with pytest.raises(PermissionError) as refused:
        with fs.open(path, "wb", block_size=1 << 20) as f:
            f.write(data)
            con.POST(path, params={"hold": "true"})
            con.read()
    [note] = refused.value.__notes__
    part = note.rsplit(" ", 1)[1]
    assert note.startswith(f"hcpfs: the new content of {path} is stored at {folder}/.held.bin.")
    assert fs.cat_file(part) == data and fs.cat_file(path) == b"old"
    con.POST(path, params={"hold": "false"})
    con.read()


def test_the_temporary_object_of_a_streamed_overwrite_is_stored_deletable(fs, folder,
                                                                        hcp_emulator):
    # whatever retention the namespace gives new objects, the temporary one must go
    path = f"{folder}/big.bin"
    fs.pipe_file(path, b"old")
    _overwrite(fs, path, os.urandom(3 << 20))
    [part] = [r for r in hcp_emulator.requests if r.path.startswith(f"{folder}/.big.bin.")
              and r.path.endswith(".hcpfs-part") and r.method == "PUT"]
    assert part.query == "retention=0"


def _write_small(fs, how, path, data, tmp_path):
    """Store ``data`` at ``path`` in one PUT of known length, as ``how`` does."""
    if how == "pipe_file":
        fs.pipe_file(path, data)
    elif how == "put_file":
        local = tmp_path / "local.bin"
        local.write_bytes(data)
        fs.put_file(str(local), path)
    else:
        with fs.open(path, "wb") as f:  # below one block: one PUT at close
            f.write(data)


@pytest.mark.parametrize("how", ["pipe_file", "put_file", "open"])
def test_a_small_overwrite_stores_the_new_content_before_the_object_goes(
        fs, folder, hcp_emulator, tmp_path, how):
    # in a namespace without versions HCP refuses the PUT (409): the object must be
    # deleted, and the new content is stored beside it first, so that one of the two
    # is always stored
    path = f"{folder}/small.txt"
    fs.pipe_file(path, b"old")
    before = len(hcp_emulator.requests)
    _write_small(fs, how, path, b"new content", tmp_path)
    sent = [(r.method, r.path == path, r.status) for r in hcp_emulator.requests[before:]
            if r.path.startswith(folder)]
    assert sent == [("PUT", True, 409), ("HEAD", True, 200), ("PUT", False, 201),
                    ("DELETE", True, 200), ("PUT", True, 201), ("DELETE", False, 200)]
    assert fs.cat_file(path) == b"new content"
    assert fs.ls(folder, detail=False) == [path]  # the temporary object is gone


def test_a_failed_small_overwrite_keeps_the_old_object(hcp_emulator, folder, tmp_path):
    fs = HcpFileSystem(hcp_emulator.target(), connection_args={"retries": 0})
    path = f"{folder}/kept.bin"
    fs.pipe_file(path, b"precious")
    local = tmp_path / "new.bin"
    local.write_bytes(os.urandom(2 << 20))
    hcp_emulator.faults.reset_upload(None, 1 << 20)  # the network breaks in the upload
    with pytest.raises(hcpsdk.HcpsdkError):
        fs.put_file(str(local), path)
    hcp_emulator.faults.clear()
    assert fs.cat_file(path) == b"precious"
    assert fs.ls(folder, detail=False) == [path]


def test_a_small_overwrite_of_a_held_object_is_refused_and_nothing_stored(fs, folder,
                                                                          hcp_emulator):
    path = f"{folder}/held.txt"
    fs.pipe_file(path, b"held")
    con = fs._connection()
    con.POST(path, params={"hold": "true"})
    con.read()
    before = len(hcp_emulator.requests)
    with pytest.raises(PermissionError, match="retention or on hold"):
        fs.pipe_file(path, b"new")
    assert [r.method for r in hcp_emulator.requests[before:]] == ["PUT", "HEAD"]
    assert fs.cat_file(path) == b"held"
    con.POST(path, params={"hold": "false"})
    con.read()


@pytest.mark.parametrize("namespace", ["n1", "n2"])  # without versions, with versions
def test_a_streamed_overwrite_replaces_the_object_once_complete(hcp_emulator, namespace):
    fs = HcpFileSystem(hcp_emulator.target(f"{namespace}.m.{hcp_emulator.domain}"))
    path, data = f"/rest/fs-tests/overwrite-{namespace}/big.bin", os.urandom(3 << 20)
    fs.pipe_file(path, b"old")
    _overwrite(fs, path, data)
    assert fs.cat_file(path) == data and fs.ls(path.rsplit("/", 1)[0], detail=False) == [path]
    # with versions, the old content stays as the object's previous version
    store = hcp_emulator.system.namespace("m", namespace).store
    kept = [v.blob.read() for v in store.objects[path[6:]] if not v.deleted]
    assert kept == ([b"old", data] if namespace == "n2" else [data])
    fs.rm(path.rsplit("/", 1)[0], recursive=True)


def test_a_failed_get_file_leaves_the_local_file_as_it_was(hcp_emulator, folder, tmp_path):
    fs = HcpFileSystem(hcp_emulator.target(), connection_args={"retries": 0})
    fs.pipe_file(f"{folder}/big.bin", os.urandom(2 << 20))
    local = tmp_path / "big.bin"
    local.write_bytes(b"the copy from last week")
    hcp_emulator.faults.close_after(None, 1 << 20)
    with pytest.raises(hcpsdk.HcpsdkError):
        fs.get_file(f"{folder}/big.bin", str(local))
    hcp_emulator.faults.clear()
    assert local.read_bytes() == b"the copy from last week"
    assert os.listdir(tmp_path) == ["big.bin"]  # no partial file beside it
    fs.get_file(f"{folder}/big.bin", str(local))
    assert local.read_bytes() == fs.cat_file(f"{folder}/big.bin")


def test_cp_file_copies_content(fs, stored, folder):
    fs.cp_file(stored, f"{folder}/copy.bin")
    assert fs.cat_file(f"{folder}/copy.bin") == DATA


def test_exclusive_write_refuses_an_existing_object(fs, stored):
    with pytest.raises(FileExistsError):
        fs.pipe_file(stored, b"x", mode="create")
    with pytest.raises(FileExistsError):
        fs.open(stored, "xb")
    assert fs.cat_file(stored) == DATA


def test_append_mode_is_refused_before_anything_is_sent(fs, stored, hcp_emulator):
    before = len(hcp_emulator.requests)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="mode"):
        fs.open(stored, "ab")
    assert len(hcp_emulator.requests) == before


def test_names_are_taken_literally(fs, folder):
    path = f"{folder}/100%41 a+b#c?d.txt"
    fs.pipe_file(path, b"odd")
    assert fs.cat_file(path) == b"odd"
    assert fs.ls(folder, detail=False) == [path]


def test_small_write_is_one_put_of_known_length(fs, folder, hcp_emulator):
    before = len(hcp_emulator.requests)
    with fs.open(f"{folder}/small", "wb") as f:
        f.write(b"abc")
    puts = [r for r in hcp_emulator.requests[before:] if r.method == "PUT"]
    assert len(puts) == 1 and fs.cat_file(f"{folder}/small") == b"abc"


def test_large_streamed_write_keeps_memory_bounded(tmp_path):
    """64 MiB written in 1 MiB blocks: the process never holds more than a few blocks."""
    block = bytes(range(256)) * 4096
    with Emulator(nodes=2, data_dir=str(tmp_path)) as hcp:  # objects on disk, not in memory
        fs = HcpFileSystem(target=hcp.target())
        digest = hashlib.sha256()
        tracemalloc.start()
        try:
            with fs.open("/rest/big.bin", "wb", block_size=1 << 20) as f:
                for _ in range(64):
                    f.write(block)
                    digest.update(block)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 12 << 20
        info = fs.info("/rest/big.bin")
        assert info["size"] == 64 << 20 and info["hash_value"] == digest.hexdigest().upper()


def test_streamed_write_left_by_an_exception_stores_nothing(fs, folder):
    with pytest.raises(RuntimeError), fs.open(f"{folder}/broken", "wb", block_size=1024) as f:
        f.write(b"x" * 5000)  # streaming has begun
        raise RuntimeError("the producer failed")
    assert not fs.exists(f"{folder}/broken")


def test_streamed_write_replaces_an_existing_object(fs, stored):
    with fs.open(stored, "wb", block_size=1024) as f:
        f.write(b"y" * 5000)
    assert fs.cat_file(stored) == b"y" * 5000


def test_put_and_get_file_report_progress(fs, folder, tmp_path):
    local = tmp_path / "up.bin"
    local.write_bytes(DATA * 10)

    class Seen(fsspec.callbacks.Callback):
        pass

    up = Seen()
    fs.put_file(str(local), f"{folder}/up.bin", callback=up)
    assert (up.size, up.value) == (len(DATA) * 10, len(DATA) * 10)
    down = Seen()
    fs.get_file(f"{folder}/up.bin", str(tmp_path / "down.bin"), callback=down)
    assert (down.size, down.value) == (len(DATA) * 10, len(DATA) * 10)
    assert (tmp_path / "down.bin").read_bytes() == DATA * 10


def test_requests_spread_over_the_nodes(hcp_emulator, folder):
    """Each thread has its own Connection; Connections take the Target's nodes in turn."""
    import concurrent.futures

    fs = HcpFileSystem(target=hcp_emulator.target())
    before = {a: hcp_emulator.stats(a)["accepted"] for a in hcp_emulator.addresses}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: fs.pipe_file(f"{folder}/n{i}", b"x"), range(64)))
    opened = {a: hcp_emulator.stats(a)["accepted"] - before[a] for a in hcp_emulator.addresses}
    assert sum(opened.values()) == 8 and set(opened.values()) == {2}
    assert len(fs.ls(folder)) == 64


def test_url_and_storage_options_build_the_target(hcp_emulator, stored):
    host, port = hcp_emulator.fqdn, hcp_emulator.https_port
    options = {"user": hcp_emulator.user, "password": hcp_emulator.password, "port": port,
               "tls": True, "cafile": hcp_emulator.cafile,
               "nameserver": "{}:{}".format(*hcp_emulator.dns)}
    with fsspec.open(f"hcp://{host}{stored}", "rb", **options) as f:
        assert f.read() == DATA
    fs, path = fsspec.core.url_to_fs(f"hcp://{host}{stored}", **options)
    assert path == stored and fs.target.fqdn == host
    assert fs.unstrip_protocol(path) == f"hcp://{host}{stored}"


def test_environment_fills_in_missing_options(hcp_emulator, stored, monkeypatch):
    monkeypatch.setenv("HCP_USER", hcp_emulator.user)
    monkeypatch.setenv("HCP_PASSWORD", hcp_emulator.password)
    monkeypatch.setenv("HCP_PORT", str(hcp_emulator.https_port))
    monkeypatch.setenv("HCP_NAMESERVER", "{}:{}".format(*hcp_emulator.dns))
    fs = HcpFileSystem(host=hcp_emulator.fqdn, skip_instance_cache=True)
    assert fs.cat_file(stored) == DATA


def test_bad_options_are_refused_naming_them(hcp_emulator, monkeypatch):
    for name in ("HCP_FQDN", "HCP_USER", "HCP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="passwd"):
        HcpFileSystem(host="x.example.com", user="u", passwd="p")
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="password.*HCP_PASSWORD"):
        HcpFileSystem(host="x.example.com", user="u", skip_instance_cache=True)
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="not both"):
        HcpFileSystem(target=hcp_emulator.target(), user="u")
    with pytest.raises(hcpsdk.HcpsdkTypeError, match="target"):
        HcpFileSystem(target="n1.m.hcp1.example.com")
    secret = "s3cr3t-value"
    with pytest.raises(hcpsdk.HcpsdkArgumentError) as info:
        HcpFileSystem(host="x.example.com", user="u", password=secret, port="https")
    assert secret not in str(info.value)


def test_filesystems_of_different_targets_are_not_shared(hcp_emulator):
    a = fsspec.filesystem("hcp", target=hcp_emulator.target())
    b = fsspec.filesystem("hcp", target=hcp_emulator.target())
    assert a is not b and a.target is not b.target


def test_filesystem_pickles_and_works_in_a_fresh_process(hcp_emulator, stored):
    import pickle
    import subprocess
    import sys

    fs = HcpFileSystem(target=hcp_emulator.target())
    clone = pickle.loads(pickle.dumps(fs))
    assert clone is not fs and clone.cat_file(stored) == DATA
    code = ("import pickle, sys; fs = pickle.loads(sys.stdin.buffer.read()); "
            f"sys.stdout.buffer.write(fs.cat_file({stored!r}, 0, 16))")
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(fs),
                          capture_output=True, timeout=60, check=True)
    assert done.stdout == DATA[:16]


def test_url_filesystem_pickles_by_its_options(hcp_emulator, stored):
    import pickle

    fs = HcpFileSystem(host=hcp_emulator.fqdn, user=hcp_emulator.user,
                       password=hcp_emulator.password, port=hcp_emulator.https_port,
                       cafile=hcp_emulator.cafile,
                       nameserver="{}:{}".format(*hcp_emulator.dns))
    clone = pickle.loads(pickle.dumps(fs))  # the Target's SSLContext is built anew
    assert clone.cat_file(stored, 0, 4) == DATA[:4]


def test_filesystem_works_after_fork(fs, stored):
    assert fs.cat_file(stored, 0, 8) == DATA[:8]  # the parent's socket is open now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own socket, never the parent's
        try:
            ok = fs.cat_file(stored) == DATA
        except BaseException:
            ok = False
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    os.close(read)
    assert answer == b"1"
    assert fs.cat_file(stored, 8, 16) == DATA[8:16]


def test_get_file_of_a_directory_makes_the_directory(fs, folder):
    fs.mkdir(f"{folder}/d")
    with tempfile.TemporaryDirectory() as local:
        fs.get_file(f"{folder}/d", os.path.join(local, "d"))
        assert os.path.isdir(os.path.join(local, "d"))


def test_cp_file_is_a_server_side_copy(fs, stored, folder, hcp_emulator):
    before = len(hcp_emulator.requests)
    fs.cp_file(stored, f"{folder}/copy2.bin")
    sent = [(r.method, r.status) for r in hcp_emulator.requests[before:]]
    assert sent == [("PUT", 201)]  # one request; the data never came to the client
    fs.cp_file(stored, f"{folder}/copy2.bin")  # replaces the copy
    assert fs.cat_file(f"{folder}/copy2.bin") == DATA


def test_cp_file_of_a_directory_makes_an_empty_one(fs, folder):
    fs.pipe_file(f"{folder}/d/x", b"x")
    fs.cp_file(f"{folder}/d", f"{folder}/e")
    assert fs.isdir(f"{folder}/e") and fs.ls(f"{folder}/e") == []
    fs.cp_file(f"{folder}/d", f"{folder}/e")  # onto itself again: nothing to do


@pytest.mark.parametrize("namespace", ["n1", "n2"])  # n2 keeps versions
def test_exclusive_writes_never_replace_an_object(hcp_emulator, namespace):
    fs = HcpFileSystem(target=hcp_emulator.target(f"{namespace}.m.{hcp_emulator.domain}"))
    folder = f"/rest/fs-tests/exclusive-{namespace}"
    path = f"{folder}/object"
    fs.pipe_file(path, b"one")
    fs.pipe_file(path, b"two")  # replaced (n1: deleted first; n2: a new version)
    with pytest.raises(FileExistsError):
        fs.pipe_file(path, b"three", mode="create")
    # a streamed exclusive write (the check of open() left out): HCP refuses the PUT
    with pytest.raises(FileExistsError) as info, HcpFile(fs, path, "xb", block_size=1024) as f:
        f.write(b"s" * 5000)
        f.write(b"s" * 5000)
    assert isinstance(info.value.__cause__, hcpsdk.HcpsdkStatusError)
    assert info.value.__cause__.status in (409, 412)
    assert fs.cat_file(path) == b"two"
    fs.rm(folder, recursive=True)


def test_reading_an_object_replaced_meanwhile_raises(fs, stored):
    with fs.open(stored, block_size=1024) as f:
        assert f.read(100) == DATA[:100]
        fs.pipe_file(stored, b"z" * len(DATA))
        assert f.read(100) == DATA[100:200]  # still the first block, read before
        with pytest.raises(hcpsdk.HcpsdkStatusError, match="replaced") as info:
            f.seek(5000)
            f.read(10)
    assert info.value.status == 412
