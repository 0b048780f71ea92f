"""What the REPL shows: short reprs that tell the state, never a secret."""
from __future__ import annotations

import hcpsdk


def _secrets(hcp):
    token = hcp.target()._headers.get("Authorization", "")
    return [hcp.password, token.partition(" ")[2] or token]


def test_target_repr_names_url_and_nodes_not_credentials(hcp):
    t = hcp.target()
    assert repr(t) == f"<hcpsdk.Target https://{t.fqdn}:443 {len(t.addresses)} nodes>"
    plain = hcp.target(port=hcp.http_port, tls=False)
    assert repr(plain).startswith(f"<hcpsdk.Target http://{t.fqdn}:{hcp.http_port} ")
    for secret in _secrets(hcp):
        assert secret and secret not in repr(t)


def test_connection_repr_tells_node_state_and_last_answer(hcp, http_target, open_connections,
                                                          path):
    conn = open_connections(http_target)
    where = f"{http_target.fqdn}:{http_target.port}"
    assert repr(conn) == f"<hcpsdk.Connection to {where} closed>"
    conn.PUT(path, body=b"data")
    assert repr(conn) == f"<hcpsdk.Connection to {where} open to {conn.address}, last answer 201 Created>"
    conn.GET(path + ".missing")
    assert repr(conn).endswith(", last answer 404 Not Found>")
    conn.close()
    assert repr(conn) == f"<hcpsdk.Connection to {where} closed, last answer 404 Not Found>"
    for secret in _secrets(hcp):
        assert secret not in repr(conn) and secret not in str(conn)


def test_response_is_shown_as_hcpsdk_response_with_its_body_state(hcp, http_target,
                                                                  open_connections, path):
    conn = open_connections(http_target)
    conn.PUT(path, body=b"four")
    response = conn.GET(path)
    assert type(response) is hcpsdk.Response and isinstance(response, hcpsdk.Response)
    assert repr(type(response)) == "<class 'hcpsdk.Response'>"
    assert repr(response) == "<hcpsdk.Response 200 OK, 4 bytes to read>"
    assert conn.read() == b"four"
    assert repr(response) == "<hcpsdk.Response 200 OK, body read>"
    conn.GET(path)
    cut = conn.Response
    conn.close()
    assert repr(cut) == "<hcpsdk.Response 200 OK, closed before the end>"
    assert repr(conn.HEAD(path)) == "<hcpsdk.Response 200 OK, body read>"
    for secret in _secrets(hcp):
        assert secret not in repr(response)


def test_an_early_answer_is_an_hcpsdk_response_too(hcp, http_target, open_connections, path):
    """The answer HCP gives before the whole body (here: 409, the object exists)."""
    conn = open_connections(http_target, retries=0)
    conn.PUT(path, body=b"first")
    conn._expect_above = 1024
    response = conn.PUT(path, body=b"x" * 4096)
    assert response.status == 409 and type(response) is hcpsdk.Response
    assert repr(response) == "<hcpsdk.Response 409 Conflict, body read>"
