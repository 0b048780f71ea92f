"""Authorization classes: credentials turned into the HTTP headers HCP expects.

The headers are computed once, when the object is made; the password itself is
never stored, logged or shown in a ``repr()``.
"""
from __future__ import annotations

import base64
import logging

from ._check import wrong_type
from ._encoding import check_text
from .exceptions import HcpsdkError

__all__ = [
    "BaseAuthorization",
    "DummyAuthorization",
    "NativeAuthorization",
    "NativeADAuthorization",
    "LocalSwiftAuthorization",
]

log = logging.getLogger(__name__)

_REDACTED = "******"


def _hcp_token(user: str, password: str) -> str:
    """The HCP token ``base64(user):md5hex(password)`` that HCP's native authorization expects."""
    import hashlib  # only authorizations need it: keeps ``import hcpsdk`` cheap

    b64user = base64.b64encode(user.encode("utf-8")).decode("ascii")
    md5pass = hashlib.md5(password.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{b64user}:{md5pass}"


class BaseAuthorization:
    """Base class of the authorizations; a Target asks it for its headers.

    :ivar headers: the http headers this authorization adds to every request
    """

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}

    def _getheaders(self) -> dict[str, str]:
        """Return a fresh copy of the authorization headers.

        :raises HcpsdkError: when no authorization token is available
        """
        if not self.headers:
            raise HcpsdkError(f"{type(self).__name__}: no authorization token available")
        return dict(self.headers)

    def _createauthorization(self) -> dict[str, str]:
        return self.headers

    def _refreshauthorization(self) -> dict[str, str]:
        return self.headers

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __str__(self) -> str:
        return type(self).__name__


class DummyAuthorization(BaseAuthorization):
    """No authorization at all, e.g. for HCP's Default Namespace.

    .. versionadded:: 0.9.1 (kept from 0.9.5); sends no header.
    """

    def _getheaders(self) -> dict[str, str]:
        return {}


class _UserAuthorization(BaseAuthorization):
    """An authorization made from a user name and a password."""

    _kind = "user"
    # what the credentials are encoded as on their way into the header
    _encoding = "utf-8"

    def __init__(self, user: str, password: str) -> None:
        if not isinstance(user, str):
            raise wrong_type(type(self).__name__, "user", "a str", user)
        if not isinstance(password, str):
            raise wrong_type(type(self).__name__, "password", "a str", password, secret=True)
        check_text(type(self).__name__, "user", user, self._encoding)
        check_text(type(self).__name__, "password", password, self._encoding, secret=True)
        super().__init__()
        #: The user name (never the password).
        self.user = user
        self.headers = self._make_headers(user, password)
        log.debug("%s authorization initialized for user: %s", self._kind, user)

    def _make_headers(self, user: str, password: str) -> dict[str, str]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.user!r}, {_REDACTED!r})"

    def __str__(self) -> str:
        return f"{type(self).__name__} for user {self.user}"


class NativeAuthorization(_UserAuthorization):
    """Authorization for native http/REST access to HCP.

    Sends ``Authorization: HCP <token>`` and, for HCP before version 6,
    ``Cookie: hcp-ns-auth=<token>``.

    :param user: the data access user
    :param password: his password
    :raises HcpsdkTypeError: when ``user`` or ``password`` is no str
    """

    _kind = "*I_NATIVE*"

    def _make_headers(self, user: str, password: str) -> dict[str, str]:
        token = _hcp_token(user, password)
        return {"Authorization": "HCP " + token, "Cookie": "hcp-ns-auth=" + token}


class NativeADAuthorization(_UserAuthorization):
    """Authorization of an Active Directory user (``Authorization: AD user:password``).

    :param user: the AD user (``user@domain``)
    :param password: his password
    """

    _kind = "*I_NATIVE_AD*"
    # user and password go into the header as they are: http.client sends a header
    # value as Latin-1
    _encoding = "latin-1"

    def _make_headers(self, user: str, password: str) -> dict[str, str]:
        return {"Authorization": f"AD {user}:{password}"}


class LocalSwiftAuthorization(_UserAuthorization):
    """Authorization for HCP's Swift dialect with a local user (``X-Auth-Token: HCP <token>``).

    :param user: the data access user
    :param password: his password
    """

    _kind = "*I_HSWIFT*"

    def _make_headers(self, user: str, password: str) -> dict[str, str]:
        return {"X-Auth-Token": "HCP " + _hcp_token(user, password)}
