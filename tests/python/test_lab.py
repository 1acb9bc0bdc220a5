"""The lab from Python: a context manager that builds a lab file's network,
runs commands in its hosts, arms faults on its switch, and leaves nothing
behind."""
import os
import pathlib
import subprocess

import failover_hil
import pytest

LAB = str(pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "labs" / "default.yaml")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="a lab builds network namespaces: run as root")


def reaches_dns(lab, host):
    """A TCP connection from `host` to the lab's BIND (port 53)."""
    probe = f"import socket; socket.create_connection(({lab.address('dns')!r}, 53), timeout=1)"
    return lab.exec(host, ["/usr/bin/python3", "-c", probe])[0] == 0


def test_hosts_exec_and_a_partition_on_the_switch(tmp_path):
    with failover_hil.Lab(LAB, state_dir=str(tmp_path)) as lab:
        assert {"client1", "client2", "dns", "appA", "appB", "router"} <= set(lab.hosts())
        rc, out = lab.exec("client1", ["ip", "-o", "-4", "addr"])
        assert rc == 0 and lab.address("client1") in out
        assert reaches_dns(lab, "client1")
        cut = lab.partition("client1", "dns")
        assert lab.armed() == [cut]
        assert not reaches_dns(lab, "client1")
        assert reaches_dns(lab, "client2"), "only the partitioned pair is cut"
        lab.disarm(cut)
        assert reaches_dns(lab, "client1")
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "fhil0-" not in netns


def test_a_lab_that_is_not_up_says_so():
    with pytest.raises(failover_hil.NetlabError, match="not up"):
        failover_hil.Lab(LAB).hosts()
