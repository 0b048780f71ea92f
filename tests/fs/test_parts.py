"""A large read of an opened file goes in parts: range requests side by side, each on a
Connection of its own (so to the next node), received straight into the result.

Most tests lower ``PART_MIN`` so that small objects go in parts; one reads an object of
twice the real ``PART_MIN``. A raw server stands in for a node that answers a part other
than HCP would (412 after a replace, the whole object, another range).
"""
from __future__ import annotations

import os
import pickle
import random
import re
import threading
import tracemalloc
from itertools import pairwise

import pytest
from shared_support import AcceptingServer, in_child, read_head, result_of

import hcpsdk
from hcpsdk.fs import HcpFileSystem, _parts

_RANDOM = random.Random(16)


def _content(size):
    return _RANDOM.randbytes(size)


@pytest.fixture
def small_parts(monkeypatch):
    """Parts of 64 KiB and more: objects of a few hundred KiB go in parts."""
    monkeypatch.setattr(_parts, "PART_MIN", 64 << 10)


def _gets(hcp_emulator, path):
    return [r for r in hcp_emulator.requests if r.path == path and r.method == "GET"]


def _parts_of(size, count):
    bounds = pairwise(size * i // count for i in range(count + 1))
    return [f"bytes={low}-{high - 1}" for low, high in bounds]


def test_a_large_read_goes_in_parts_on_several_nodes(hcp_emulator, folder, small_parts):
    data = _content(1_000_003)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=3)
    path = f"{folder}/large.bin"
    fs.pipe_file(path, data)
    etag = fs.info(path)["etag"]
    with fs.open(path) as f:
        assert f.read() == data
    gets = _gets(hcp_emulator, path)
    assert sorted(r.headers["Range"] for r in gets) == sorted(_parts_of(len(data), 3))
    assert all(r.status == 206 and r.headers["If-Match"] == etag for r in gets)
    assert len({r.node for r in gets}) == 3  # each part from another node


def test_the_real_part_size_splits_a_read_of_twice_its_size(hcp_emulator, folder):
    data = _content(2 * _parts.PART_MIN + 5)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=4)
    path = f"{folder}/two-parts.bin"
    fs.pipe_file(path, data)
    with fs.open(path) as f:
        assert f.read() == data
    assert sorted(r.headers["Range"] for r in _gets(hcp_emulator, path)) == sorted(
        _parts_of(len(data), 2))


@pytest.mark.parametrize("concurrency, size", [(1, 1_000_000), (4, 100_000)],
                         ids=["read_concurrency 1", "below two parts"])
def test_a_read_goes_in_one_request_when_it_should(hcp_emulator, folder, small_parts,
                                                   concurrency, size):
    data = _content(size)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=concurrency)
    path = f"{folder}/one.bin"
    fs.pipe_file(path, data)
    with fs.open(path) as f:
        assert f.read() == data
    assert [r.headers["Range"] for r in _gets(hcp_emulator, path)] == [f"bytes=0-{size - 1}"]


def test_a_seek_and_read_of_a_large_range_goes_in_parts(hcp_emulator, folder, small_parts):
    data = _content(1_000_000)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=2)
    path = f"{folder}/range.bin"
    fs.pipe_file(path, data)
    with fs.open(path, block_size=1000) as f:
        f.seek(100_000)
        assert f.read(500_000) == data[100_000:600_000]
    # the read-ahead asks for one block more
    assert sorted(r.headers["Range"] for r in _gets(hcp_emulator, path)) == [
        "bytes=100000-350499", "bytes=350500-600999"]


def test_parts_broken_mid_body_are_resumed(hcp_emulator, folder, small_parts):
    data = _content(2_000_000)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=4, connection_args={
        "retry": hcpsdk.Retry(4, backoff_factor=0.001, backoff_max=0.01)})
    path = f"{folder}/broken.bin"
    fs.pipe_file(path, data)
    hcp_emulator.faults.close_after(None, 200_000)  # each node cuts its next answer
    with fs.open(path) as f:
        assert f.read() == data
    gets = _gets(hcp_emulator, path)
    assert len(gets) > 4  # four parts, and the rest of each broken one
    assert all(r.status == 206 for r in gets)


def test_spare_connections_are_kept_for_the_next_read(hcp_emulator, folder, small_parts):
    data = _content(600_000)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=3)
    path = f"{folder}/twice.bin"
    fs.pipe_file(path, data)
    for _ in range(2):
        with fs.open(path) as f:
            assert f.read() == data
        kept = list(fs._spares._idle)
        assert len(kept) == 2
    with fs.open(path) as f:
        assert f.read() == data
    assert {id(con) for con in fs._spares._idle} == {id(con) for con in kept}


def test_the_parts_are_received_in_place_not_copied(hcp_emulator, folder, small_parts):
    # a copy of the result (a bytearray turned into bytes, parts joined) would need the
    # result's size twice at once; the rest of the peak is the (in-process) emulator's
    # sending of a few blocks
    size = 32 << 20
    data = _content(size)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=4)
    path = f"{folder}/in-place.bin"
    fs.pipe_file(path, data)
    f = fs.open(path)
    tracemalloc.start()
    try:
        got = f.read()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        f.close()
    assert got == data
    assert size <= peak < size * 7 // 5


def test_read_concurrency_is_checked_and_kept_in_the_pickle(hcp_emulator):
    target = hcp_emulator.target()
    with pytest.raises(hcpsdk.HcpsdkArgumentError, match="read_concurrency must be an int >= 1"):
        HcpFileSystem(target, read_concurrency=0)
    for wrong in ("2", 2.0, True):
        with pytest.raises(hcpsdk.HcpsdkTypeError, match="read_concurrency"):
            HcpFileSystem(target, read_concurrency=wrong)
    fs = HcpFileSystem(target, read_concurrency=3)
    again = pickle.loads(pickle.dumps(fs))
    assert again.read_concurrency == 3 and not again._spares._idle
    # by default, as many as the process may use CPUs (at most 4)
    assert HcpFileSystem(target).read_concurrency == min(4, len(os.sched_getaffinity(0)))


# -- a node that answers a part other than HCP would ----------------------------------------

class RangeServer(AcceptingServer):
    """One object ``/rest/obj`` over kept-alive connections: HEAD, and GET of one range.

    ``odd(low)`` may give the raw answer to the GET of the range starting at ``low``
    (``None``: answer it right); the ranges asked for are in :attr:`ranges`.
    """

    def __init__(self, data, odd=lambda low: None):
        self.data, self.odd = data, odd
        self.ranges = []
        self._lock = threading.Lock()
        super().__init__()

    def handle(self, sock):
        try:
            self._answer(sock)
        except OSError:  # the client closed a connection whose answer it did not want
            pass

    def _answer(self, sock):
        while True:
            head, _ = read_head(sock)
            if not head:
                return
            method = head.split(b" ", 1)[0]
            found = re.search(rb"\r\nrange: bytes=(\d+)-(\d+)", head, re.IGNORECASE)
            base = b'ETag: "v1"\r\nX-HCP-Type: object\r\n'
            if method == b"HEAD":
                sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n"
                             % (len(self.data), base))
                continue
            low, last = int(found[1]), int(found[2])
            with self._lock:
                self.ranges.append((low, last))
            answer = self.odd(low)
            if answer is None:
                body = self.data[low:last + 1]
                answer = (b"HTTP/1.1 206 Partial Content\r\nContent-Length: %d\r\n"
                          b"Content-Range: bytes %d-%d/%d\r\n%s\r\n"
                          % (len(body), low, last, len(self.data), base) + body)
            sock.sendall(answer)


@pytest.fixture
def range_server():
    servers = []

    def start(data, odd=lambda low: None):
        servers.append(RangeServer(data, odd))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _raw_fs(server):
    target = hcpsdk.Target(server.host, hcpsdk.NativeAuthorization("n", "n01"),
                           port=server.port, tls=False)
    return HcpFileSystem(target, read_concurrency=2, connection_args={"retries": 0})


DATA = bytes(range(256)) * 1000  # 256,000 bytes: two parts of 128,000


@pytest.mark.parametrize("answer, error", [
    (b"HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\n\r\n",
     "replaced while it was being read"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(DATA) + DATA,
     r"answered 200 OK .* to Range bytes=128000-255999"),
    (b"HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n"
     b"Content-Range: bytes 128000-128009/256000\r\n\r\n" + DATA[:10],
     r"Content-Range 'bytes 128000-128009/256000' to Range bytes=128000-255999"),
], ids=["412", "200", "another range"])
def test_a_part_answered_other_than_asked_fails_the_read(range_server, small_parts, answer,
                                                         error):
    server = range_server(DATA, lambda low: answer if low else None)
    fs = _raw_fs(server)
    with fs.open("/rest/obj") as f, pytest.raises(hcpsdk.HcpsdkError, match=error):
        f.read()
    assert sorted(server.ranges) == [(0, 127999), (128000, 255999)]


def test_a_first_part_answered_with_the_whole_object_is_read_as_it_came(range_server,
                                                                       small_parts):
    # HCP ignored the range: nothing else is asked for, and the bytes come from that answer
    whole = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(DATA) + DATA
    server = range_server(DATA, lambda low: whole if low == 0 else None)
    with _raw_fs(server).open("/rest/obj") as f:
        assert f.read() == DATA
    assert server.ranges == [(0, 127999)]


def test_an_object_replaced_before_a_parted_read_raises(hcp_emulator, folder, small_parts):
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=2)
    path = f"{folder}/replaced.bin"
    fs.pipe_file(path, _content(300_000))
    with fs.open(path) as f:
        fs.pipe_file(path, _content(300_000))
        with pytest.raises(hcpsdk.HcpsdkPreconditionFailedError, match="replaced"):
            f.read()
    assert [r.status for r in _gets(hcp_emulator, path)] == [412]  # no other part was sent


def test_parted_reads_work_in_a_forked_child_and_after_it(hcp_emulator, folder, small_parts):
    data = _content(600_000)
    fs = HcpFileSystem(hcp_emulator.target(), read_concurrency=3)
    path = f"{folder}/fork.bin"
    fs.pipe_file(path, data)
    with fs.open(path) as f:
        assert f.read() == data  # the parent's spare Connections are open now

    def child():
        with fs.open(path) as f:  # on sockets of its own, never the parent's
            return "ok" if f.read() == data else "other bytes"

    pid, reader = in_child(child)
    assert result_of(pid, reader) == "ok"
    with fs.open(path) as f:
        assert f.read() == data
