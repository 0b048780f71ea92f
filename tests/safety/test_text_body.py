"""A body opened in text mode is sent, with a warning that it is translated."""
from __future__ import annotations

import io
import warnings

import pytest

import hcpsdk

MESSAGE = "text-mode file: newlines and encoding are translated; open it with 'rb'"
CRLF = b"line one\r\nline 2\r\n"  # 18 bytes on disk, 16 after newline translation


def test_a_text_mode_file_is_sent_with_a_warning_at_the_callers_line(hcp, http_target, path,
                                                                       tmp_path):
    source = tmp_path / "crlf.txt"
    source.write_bytes(CRLF)
    with hcpsdk.Connection(http_target) as c, open(source) as infile:
        with pytest.warns(UserWarning, match="text-mode file") as caught:
            c.PUT(path, body=infile)
        assert c.response_status == 201
    assert [str(w.message) for w in caught] == [MESSAGE]
    assert caught[0].filename == __file__
    assert hcp.get_object(path) == CRLF.replace(b"\r\n", b"\n")


def test_a_text_stream_warns_too(hcp, http_target, path):
    with hcpsdk.Connection(http_target) as c:
        with pytest.warns(UserWarning, match="open it with 'rb'"):
            c.PUT(path, body=io.StringIO("grüße\n"))
    assert hcp.get_object(path) == "grüße\n".encode()


def test_a_binary_file_sends_the_bytes_unchanged_without_warning(hcp, http_target, path,
                                                                  tmp_path):
    source = tmp_path / "crlf.bin"
    source.write_bytes(CRLF)
    with hcpsdk.Connection(http_target) as c, open(source, "rb") as infile:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            c.PUT(path, body=infile)
    assert hcp.get_object(path) == CRLF
