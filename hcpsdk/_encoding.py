"""Text that must be encoded on its way out, checked before anything is sent.

A name, a parameter, a header value or a password is encoded at the last moment —
by ``urllib.parse.quote``, by http.client (header values as Latin-1), by ``str.encode``.
Text that can't be encoded (a lone surrogate, as ``os.fsdecode`` makes from a
file name that is no UTF-8; a ``€`` in a header value) would fail there with a bare
``UnicodeEncodeError`` — whose ``repr`` holds the whole text, a password included.
:func:`check_text` fails first, with an :exc:`~hcpsdk.HcpsdkArgumentError` that names
the parameter and, unless it is a secret, the position.

.. versionadded:: 1.0
"""
from __future__ import annotations

from .exceptions import HcpsdkArgumentError

_SHOW_MAX = 60

__all__ = ["check_text", "check_header", "unencodable", "unencodable_url"]


def unencodable(call: str, name: str, value: str, encoding: str = "utf-8",
                secret: bool = False) -> HcpsdkArgumentError | None:
    """The error for ``value`` if it can't be encoded as ``encoding``, else ``None``.

    :param call: the call, named in the message
    :param name: the parameter, named in the message
    :param secret: show neither the value nor the character
    """
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        what = ("a lone surrogate" if 0xD800 <= ord(char) <= 0xDFFF
                else f"a character beyond {_NAMES.get(encoding, encoding)}")
        if secret:
            where = f" (it holds {what})"
        else:
            shown = repr(value)
            if len(shown) > _SHOW_MAX:
                shown = shown[:_SHOW_MAX - 5] + "[...]"
            where = f" {shown} ({what} {char!r} at position {exc.start})"
        return HcpsdkArgumentError(
            f"{call}: the {name}{where} can't be sent: it can't be encoded as "
            f"{_NAMES.get(encoding, encoding)}")
    return None


_NAMES = {"utf-8": "UTF-8", "latin-1": "Latin-1"}


def check_text(call: str, name: str, value: str, encoding: str = "utf-8",
               secret: bool = False) -> None:
    """Check that ``value`` can be encoded as ``encoding`` (see :func:`unencodable`).

    :raises HcpsdkArgumentError: when it can't (not chained to the ``UnicodeEncodeError``,
        whose ``repr`` would show the value)
    """
    error = unencodable(call, name, value, encoding, secret)
    if error is not None:
        raise error


# header values never shown in a message
_SECRET_HEADERS = frozenset({"authorization", "cookie", "x-auth-token"})


def check_header(name: str, value: str) -> None:
    """Check a caller's header value: http.client sends it as Latin-1.

    :raises HcpsdkArgumentError: when it can't be (a ``€``, a lone surrogate)
    """
    check_text("request", f"value of headers[{name!r}]", value, "latin-1",
               secret=name.lower() in _SECRET_HEADERS)


def unencodable_url(url: str | bytes, pairs: list[tuple[object, object]]) -> HcpsdkArgumentError:
    """The error for a url or a query parameter that UTF-8 can't encode.

    :param url: the request's url
    :param pairs: the ``(name, value)`` pairs of its parameters
    """
    if isinstance(url, str):
        error = unencodable("request", "url", url)
        if error is not None:
            return error
    for index, pair in enumerate(pairs):
        for part, text in zip(("name", "value"), pair, strict=True):
            if isinstance(text, str):
                error = unencodable("request", f"params[{index}] {part}", text)
                if error is not None:
                    return error
    return HcpsdkArgumentError("request: the url or params can't be encoded as UTF-8")
