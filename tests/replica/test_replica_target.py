"""The replica setup on the Target and the ``served_from`` mark of the Connection."""
from __future__ import annotations

import pytest

import hcpsdk


@pytest.mark.parametrize("strategy", [16, -1, "RS_READ_ALLOWED", 1.0, True])
def test_a_strategy_beyond_the_rs_modes_is_refused(pair, strategy):
    """Anything but ORed RS_* bits fails when the Target is made, naming the value."""
    one, two = pair
    with pytest.raises(hcpsdk.HcpsdkReplicaInitError, match="replica_strategy"):
        one.target(replica_fqdn=two.fqdn, replica_strategy=strategy)


def test_every_combination_of_the_rs_modes_is_accepted(pair):
    one, two = pair
    for strategy in range(16):
        target = one.target(replica_fqdn=two.fqdn, replica_strategy=strategy)
        assert target.replica.fqdn == two.fqdn and target.replica_strategy == strategy


def test_the_replica_target_shares_auth_and_port_but_not_the_nodes(pair):
    one, two = pair
    target = one.target(replica_fqdn=two.fqdn, replica_strategy=hcpsdk.RS_READ_ALLOWED)
    replica = target.replica
    assert replica.replica is None
    assert (replica.port, replica.ssl) == (target.port, target.ssl)
    assert replica.headers["Host"] == two.fqdn
    assert replica.headers["Authorization"] == target.headers["Authorization"]
    assert set(replica.addresses) == set(two.addresses)
    assert not set(replica.addresses) & set(target.addresses)


def test_served_from_says_primary_without_a_replica(pair, path):
    one, _ = pair
    with hcpsdk.Connection(one.target(replica_strategy=hcpsdk.RS_READ_ALLOWED)) as conn:
        assert conn.served_from is None
        assert conn.PUT(path, body=b"x").status == 201
        assert conn.served_from == "primary"
        assert conn.target.replica is None


def test_an_unresolvable_replica_fails_the_target(pair):
    one, _ = pair
    with pytest.raises(hcpsdk.HcpsdkReplicaInitError, match="nowhere"):
        one.target(replica_fqdn="n1.m.nowhere.example.com",
                   replica_strategy=hcpsdk.RS_READ_ALLOWED)
