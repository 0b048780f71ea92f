"""HCP's internal logs through the management API (MAPI, HCP 7.2 and later).

The steps of a download: :meth:`Logs.prepare` a time range, poll :meth:`Logs.status`
until ``readyForStreaming`` is True, then :meth:`Logs.download` the zip::

    with hcpsdk.mapi.Logs(target) as logs:
        logs.mark('before the test run')
        logs.prepare(datetime.date(2024, 1, 1), datetime.date(2024, 1, 2))
        # poll logs.status() until it says readyForStreaming, then:
        hdl, filename = logs.download(progresshook=print)
"""
from __future__ import annotations

import datetime
import logging
import posixpath
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.sax.saxutils import escape

import hcpsdk
from hcpsdk._encoding import unencodable
from hcpsdk._session import Session, parse_xml
from hcpsdk.exceptions import LogsError, LogsInProgessError, LogsNotReadyError
from hcpsdk.mapi._errors import LogsArgumentError, LogsInProgressStatusError, LogsStatusError

__all__ = ["Logs", "LogsError", "LogsNotReadyError", "LogsInProgessError"]

log = logging.getLogger(__name__)

_CHUNK = 256 * 1024
_XML_HEADERS = {"Content-Type": "application/xml"}
_DEFAULT_FILENAME = "no-name"


def _xml_list(tag: str, values: Iterable[object]) -> str:
    """``<tag>v1,v2</tag>``.

    :raises LogsArgumentError: a value that UTF-8 can't carry (a lone surrogate)
    """
    text = ",".join(str(v) for v in values)
    unfit = unencodable("logs", tag, text)
    if unfit is not None:
        raise LogsArgumentError(unfit.reason)
    return f"<{tag}>{escape(text)}</{tag}>"


def _filename(content_disposition: str | None) -> str:
    """The file name of ``attachment; filename=<name>.zip`` (quoted or not), without any
    directory part: the caller may well use it to create a file."""
    for part in (content_disposition or "").split(";"):
        key, _, value = part.strip().partition("=")
        name = posixpath.basename(value.strip().strip('"').replace("\\", "/"))
        if key.strip().lower() == "filename" and name not in ("", ".", ".."):
            return name
    return _DEFAULT_FILENAME


class Logs(Session):
    """Access to HCP's internal logs.

    :param target: an :class:`hcpsdk.Target` for ``admin.<hcp>`` on the MAPI port (9090)
    :param debuglevel: 0..9 (used in ``http.client``)
    :raises HcpsdkPortError: if the Target is not on the MAPI port

    A refused call raises :class:`~hcpsdk.mapi.LogsStatusError`, which is both a
    :class:`~hcpsdk.mapi.LogsError` and an :class:`~hcpsdk.exceptions.HcpsdkStatusError`.

    .. versionadded:: 0.9.5
    """

    L_ACCESS = "ACCESS"  #: the access log
    L_SYSTEM = "SYSTEM"  #: the system log
    L_SERVICE = "SERVICE"  #: the service log
    L_APPLICATION = "APPLICATION"  #: the application log
    L_ALL = [L_ACCESS, L_SYSTEM, L_SERVICE, L_APPLICATION]  #: all of them

    def __init__(self, target: hcpsdk.Target, debuglevel: int = 0) -> None:
        super().__init__(target, debuglevel=debuglevel, port=hcpsdk.P_MAPI)
        #: the XML body sent by the last :meth:`prepare`
        self.prepare_xml = ""
        #: the file name HCP suggested for the last :meth:`download`
        self.suggestedfilename = ""
        #: the time range of the last :meth:`prepare`
        self.startdate: datetime.date | None = None
        self.enddate: datetime.date | None = None
        #: the file handle of the last :meth:`download`
        self.hdl: IO[bytes] | None = None

    def mark(self, message: str) -> None:
        """Put a marker into HCP's logs.

        :param message: the text of the marker
        :raises LogsArgumentError: if *message* is empty
        :raises LogsStatusError: if HCP refuses
        """
        if not message:
            raise LogsArgumentError("mark: a log message is required")
        self._fetch("mark", "POST", "/mapi/logs", params={"mark": message}, error=LogsStatusError)

    def prepare(self, startdate: datetime.date | None = None, enddate: datetime.date | None = None,
                snodes: list[str] | None = None) -> tuple[datetime.date, datetime.date, str]:
        """Ask HCP to prepare the logs of a time range for download.

        :param startdate: first day (default 1970-01-01)
        :param enddate: last day (default today)
        :param snodes: the S-series nodes to include (default none)
        :returns: ``(startdate, enddate, prepare_xml)``
        :raises LogsArgumentError: for dates that are not dates, a start after the end,
            or *snodes* not a list
        :raises LogsInProgessError: (a :class:`LogsInProgressStatusError`) if HCP says a
            preparation is already in progress (HTTP 400)
        :raises LogsStatusError: if HCP refuses otherwise
        """
        startdate = datetime.date(1970, 1, 1) if startdate is None else startdate
        enddate = datetime.date.today() if enddate is None else enddate
        if not isinstance(startdate, datetime.date) or not isinstance(enddate, datetime.date):
            raise LogsArgumentError(f"prepare: startdate and enddate must be datetime.date objects,"
                                    f" not {type(startdate).__name__} / {type(enddate).__name__}")
        if startdate > enddate:
            raise LogsArgumentError(f"prepare: startdate {startdate} is after enddate {enddate}")
        if snodes is None:
            snodes = []
        if not isinstance(snodes, list):
            raise LogsArgumentError(f"prepare: snodes must be a list, not {type(snodes).__name__}")
        body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<logPrepare>\n'
                f"  <startDate>{startdate:%m/%d/%Y}</startDate>\n"
                f"  <endDate>{enddate:%m/%d/%Y}</endDate>\n"
                f"  {_xml_list('snodes', snodes)}\n</logPrepare>\n")
        self._fetch("prepare", "POST", "/mapi/logs/prepare", body=body.encode("utf-8"),
                    headers=_XML_HEADERS, error=LogsStatusError,
                    errors_by_status={400: LogsInProgressStatusError})
        self.startdate, self.enddate, self.prepare_xml = startdate, enddate, body
        return startdate, enddate, body

    def status(self) -> OrderedDict[str, Any]:
        """Query the state of the log preparation; never waits.

        :returns: e.g. ``OrderedDict([('readyForStreaming', True), ('streamingInProgress',
            False), ('started', True), ('error', False), ('content', ['ACCESS', ...])])``:
            ``true``/``false`` become bools, other values lists of their comma-separated parts
        :raises LogsStatusError: if HCP refuses
        """
        root = parse_xml("status", self._fetch("status", "GET", "/mapi/logs", error=LogsStatusError),
                         LogsError)
        result: OrderedDict[str, Any] = OrderedDict()
        for child in root:
            text = (child.text or "").strip()
            if text in ("true", "false"):
                result[child.tag] = text == "true"
            else:
                result[child.tag] = text.split(",") if text else []
        return result

    def download(self, hdl: IO[bytes] | None = None, nodes: list[object] | None = None,
                 snodes: list[str] | None = None, logs: list[str] | None = None,
                 progresshook: Callable[[int], object] | None = None,
                 hidden: bool = True) -> tuple[IO[bytes], str]:
        """Download the prepared logs (a zip file).

        :param hdl: a file opened for binary writing; default: a new temporary file
        :param nodes: the node numbers to include (default: all)
        :param snodes: the S-series nodes to include
        :param logs: which logs, a list out of :attr:`L_ALL` (default: all)
        :param progresshook: called with the number of bytes received so far after
            each chunk
        :param hidden: if False, the temporary file gets a visible name (``hdl.name``)
        :returns: ``(hdl, filename)``: the handle positioned at 0, and the file name HCP suggests
        :raises LogsArgumentError: for an unknown log name
        :raises LogsStatusError: if HCP refuses (e.g. nothing prepared yet)
        :raises LogsError: if writing to *hdl* fails
        """
        logs = list(self.L_ALL) if not logs else list(logs)
        unknown = [name for name in logs if name not in self.L_ALL]
        if unknown:
            raise LogsArgumentError(f"download: unknown logs {unknown} (use out of {self.L_ALL})")
        body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<logDownload>\n'
                + (f"    {_xml_list('nodes', nodes)}\n" if nodes else "")
                + f"    {_xml_list('snodes', snodes or [])}\n"
                f"    {_xml_list('content', logs)}\n</logDownload>\n")
        self._send("download", "POST", "/mapi/logs/download", body=body.encode("utf-8"),
                   headers={**_XML_HEADERS, "Accept": "*/*"}, error=LogsStatusError)
        self.suggestedfilename = _filename(self._con.getheader("Content-Disposition"))
        created = hdl is None
        if hdl is None:
            hdl = tempfile.TemporaryFile("w+b") if hidden else tempfile.NamedTemporaryFile("w+b")
        try:
            self._receive(hdl, progresshook)
        except BaseException:
            # the rest of the answer is lost: the socket can't carry another request
            self._con.close()
            if created:
                hdl.close()
            raise
        self.hdl = hdl
        return hdl, self.suggestedfilename

    def _receive(self, hdl: IO[bytes], progresshook: Callable[[int], object] | None) -> None:
        total = 0
        try:
            while True:
                chunk = self._con.read(_CHUNK)
                if chunk:
                    hdl.write(chunk)
                    total += len(chunk)
                if progresshook is not None:
                    progresshook(total)
                if not chunk:
                    break
            hdl.seek(0)
        except OSError as exc:
            raise LogsError(f"download: writing the logs failed after {total} bytes ({exc})") from exc

    def cancel(self) -> bool:
        """Cancel a log preparation or download.

        :returns: True
        :raises LogsStatusError: if HCP refuses
        """
        self._fetch("cancel", "POST", "/mapi/logs", params={"cancel": ""}, error=LogsStatusError)
        return True
