"""Module-level constants of hcpsdk (documented names plus the 0.9.5 additions)."""
from __future__ import annotations

__all__ = [
    "I_NATIVE", "I_DUMMY", "I_HS3", "I_HSWIFT",
    "RS_READ_ALLOWED", "RS_READ_ON_FAILOVER", "RS_WRITE_ALLOWED", "RS_WRITE_ON_FAILOVER",
    "P_HTTP", "P_HTTPS", "P_MGMT", "P_SEARCH", "P_MAPI", "SSL_PORTS",
]

#: HCP's http/REST dialect for access to HCP's authenticated namespaces.
I_NATIVE = "I_NATIVE"
#: The Default Namespace (no authentication).
I_DUMMY = "I_DUMMY"
#: HCP's S3 dialect (stored on the Target only).
I_HS3 = "I_HS3"
#: HCP's Swift dialect (stored on the Target only).
I_HSWIFT = "I_HSWIFT"

#: Allow to read from the replica (always).
RS_READ_ALLOWED = 1
#: Automatically read from the replica when failed over.
RS_READ_ON_FAILOVER = 2
#: Allow to write to the replica (always, active/active links only).
RS_WRITE_ALLOWED = 4
#: Allow to write to the replica when failed over.
RS_WRITE_ON_FAILOVER = 8

P_HTTP = 80
P_HTTPS = 443
P_MGMT = 8000
P_SEARCH = 8888
P_MAPI = 9090
#: Ports on which a Target uses TLS unless told otherwise.
SSL_PORTS = [P_HTTPS, P_MGMT, P_MAPI]

#: Bodies of more than this many bytes (of known size) are sent with
#: ``Expect: 100-continue``: one round trip more, against an upload HCP would refuse.
EXPECT_ABOVE = 1 << 20

#: Bytes per block when a body is streamed: read from a file or the socket, sent, or
#: asked of the socket at once whatever size the server announced.
BLOCKSIZE = 1 << 20
