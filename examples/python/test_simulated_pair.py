"""The appliance drivers on a simulated pair (no root): put two simulators
into a failover relationship through their product API, sync, and check
what each reports. A start for tests of the drivers themselves.

  pytest examples/python/test_simulated_pair.py
"""
import time


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_pair_in_a_relationship_syncs_and_keeps_its_records(fhil_pair):
    a, b = fhil_pair.a, fhil_pair.b
    a.set_shared_ip(True)
    a.establish("127.0.0.12", fhil_pair.port("appB"), "127.0.0.11", fhil_pair.port("appA"))
    wait_for(lambda: (a.status().role, b.status().role) == ("primary", "backup"))
    before = a.status().last_sync
    a.sync_now()
    wait_for(lambda: a.status().last_sync != before)
    assert a.status().shared_ip_enabled and not b.status().shared_ip_enabled
    assert b.session_lsids() == a.session_lsids()
    backup = a.download_backup("a long backup password")
    assert len(backup) > 0
