"""What the MAPI classes need beyond :mod:`hcpsdk._session`.

:class:`~hcpsdk._session.Session` and the answer parsers live in the neutral
:mod:`hcpsdk._session` (shared with :mod:`hcpsdk.namespace`); they are re-exported
here for code that imported them from this module.
"""
from __future__ import annotations

import urllib.parse

from hcpsdk._check import bad_value, wrong_type
from hcpsdk._encoding import check_text
from hcpsdk._session import Session, element_to_dict, parse_json, parse_xml

__all__ = ["Session", "quote_name", "parse_xml", "parse_json", "element_to_dict"]


def quote_name(name: str, call: str = "mapi", param: str = "name") -> str:
    """Percent-encode *name* as one path segment (a ``/`` in it stays part of the name).

    :param call: the calling method, named in the error
    :param param: the name of the parameter that held *name*, named in the error
    :raises HcpsdkTypeError: if *name* is not a str
    :raises HcpsdkArgumentError: if *name* is empty or can't be encoded as UTF-8
    """
    if not isinstance(name, str):
        raise wrong_type(call, param, "a str", name)
    if not name:
        raise bad_value(call, param, "a non-empty name", name)
    check_text(call, param, name)
    return urllib.parse.quote(name, safe="")
