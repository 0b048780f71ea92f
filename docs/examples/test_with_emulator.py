"""Tests of your own code against the emulator, with the fixture ``hcp_emulator``."""
import hcpsdk


def store_report(target, name, text):
    """The code under test: store a report and return HCP's hash of it."""
    with hcpsdk.Connection(target) as c:
        c.PUT('/rest/reports/' + name, body=text.encode())
        if c.response_status != 201:
            raise RuntimeError(f'not stored: {c.response_status}')
        return c.getheader('X-HCP-Hash')


def test_report_is_stored(hcp_emulator):
    target = hcp_emulator.target()            # a Target for the default namespace
    digest = store_report(target, 'q1.txt', 'all good')
    assert digest.startswith('SHA-256 ')
    assert hcp_emulator.get_object('/rest/reports/q1.txt') == b'all good'


def test_report_is_stored_while_nodes_are_down(hcp_emulator):
    # every node but the last refuses connections (the fixture clears faults after the test)
    for node in range(len(hcp_emulator.addresses) - 1):
        hcp_emulator.faults.down(node)
    store_report(hcp_emulator.target(), 'q2.txt', 'stored anyway')
    assert hcp_emulator.get_object('/rest/reports/q2.txt') == b'stored anyway'
