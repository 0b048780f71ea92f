"""The emulator's certificate authority and server certificate (made with trustme)."""
from __future__ import annotations

import os
import ssl
from typing import Iterable

__all__ = ["Authority"]


class Authority:
    """A generated CA and one server certificate for all names and node IPs.

    :param names: DNS names for the certificate's SAN (wildcards allowed)
    :param addresses: IP addresses for the SAN
    :param directory: where the CA PEM (``ca.pem``) is written
    :param ca_pem: an existing CA (certificate + key PEM, as :meth:`ca_key_pem` returns) to
        reuse, so a disk-backed emulator keeps its CA across restarts
    """

    def __init__(self, names: Iterable[str], addresses: Iterable[str], directory: str,
                 ca_pem: bytes | None = None) -> None:
        try:
            import trustme
        except ImportError as exc:
            raise ImportError("the HCP emulator needs trustme for its certificates: "
                              "pip install 'hcpsdk[emulator]'") from exc

        names, addresses = list(names), list(addresses)
        if ca_pem:
            self.ca = trustme.CA.from_pem(ca_pem, ca_pem)
        else:
            self.ca = trustme.CA(organization_name="hcpsdk emulator")
        self._cert = self.ca.issue_cert(*names, *addresses, common_name=names[0] if names else None)
        self.cafile = os.path.join(directory, "ca.pem")
        self.ca.cert_pem.write_to_path(self.cafile)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._cert.configure_cert(self.context)

    def ca_key_pem(self) -> bytes:
        """The CA certificate and private key as one PEM (keep it private)."""
        return self.ca.cert_pem.bytes() + self.ca.private_key_pem.bytes()

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this CA (hostname checking on)."""
        ctx = ssl.create_default_context(cafile=self.cafile)
        return ctx
