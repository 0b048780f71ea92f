"""Run the documented flows of the ORIGINAL hcpsdk 0.9.5 against a running emulator.

Executed by ``test_emulator_compat.py`` with the python of a throw-away virtual environment
that holds ``hcpsdk==0.9.5.post1`` (never this repository's hcpsdk). Argument: a JSON object
with the emulator's connection values. Prints one JSON object with what the client returned.
"""
import json
import os
import ssl
import sys

import dns.resolver


def plain(value):
    """OrderedDicts and tuples as JSON-able plain values."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def main():
    info = json.loads(sys.argv[1])
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [info["dns"][0]]
    resolver.port = info["dns"][1]
    dns.resolver.default_resolver = resolver

    import hcpsdk
    import hcpsdk.mapi
    import hcpsdk.namespace

    out = {"hcpsdk_file": hcpsdk.__file__, "version": str(hcpsdk.version())}
    ctx = ssl.create_default_context(cafile=info["cafile"])
    auth = hcpsdk.NativeAuthorization(info["user"], info["password"])
    target = hcpsdk.Target(info["fqdn"], auth, port=info["https_port"], sslcontext=ctx)

    con = hcpsdk.Connection(target)
    try:
        r = con.PUT("/rest/hcpsdk/test1.txt", body="This is an example")
        out["put"] = [r.status, con.getheader("X-HCP-Hash")]
        r = con.HEAD("/rest/hcpsdk/test1.txt")
        out["head"] = [r.status, dict(con.getheaders())]
        r = con.GET("/rest/hcpsdk/test1.txt")
        out["get"] = [r.status, con.read().decode()]
        r = con.POST("/rest/hcpsdk/test1.txt", params={"index": "true"})
        con.read()
        out["post"] = r.status
        r = con.DELETE("/rest/hcpsdk/test1.txt")
        out["delete"] = r.status
        r = con.GET("/rest/hcpsdk/test1.txt")
        con.read()
        out["get_deleted"] = r.status
    finally:
        con.close()

    info_ns = hcpsdk.namespace.Info(target)
    out["nsstatistics"] = plain(info_ns.nsstatistics())
    out["listaccessiblens"] = plain(info_ns.listaccessiblens())
    out["listaccessiblens_all"] = plain(info_ns.listaccessiblens(all=True))
    out["listretentionclasses"] = plain(info_ns.listretentionclasses())
    out["listpermissions"] = plain(info_ns.listpermissions())
    out["type_nsstatistics"] = type(info_ns.listaccessiblens()).__name__

    if info.get("link"):
        admin = hcpsdk.Target(info["admin_fqdn"],
                              hcpsdk.NativeAuthorization(info["admin_user"], info["admin_password"]),
                              port=info["mapi_port"], sslcontext=ctx)
        rep = hcpsdk.mapi.Replication(admin)
        out["settings"] = plain(rep.getreplicationsettings())
        out["links"] = plain(rep.getlinklist())
        out["details"] = plain(rep.getlinkdetails(info["link"]))
        rep.setreplicationlinkstate(info["link"], rep.R_FAILOVER, rep.R_ACTIVE_ACTIVE)
        out["details_after"] = plain(rep.getlinkdetails(info["link"]))

    print(json.dumps(out), flush=True)
    # 0.9.5 leaves idle-timer threads behind; do not wait for them
    os._exit(0)


if __name__ == "__main__":
    main()
