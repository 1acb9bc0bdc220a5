"""The failure campaigns of issue 16 (bench/, docs/development.md) in small:
each runs to its end and finds nothing lost and memory under its cap, so the
scripts do not rot between the times someone runs them in full."""
import os
import pathlib
import subprocess

BENCH = pathlib.Path(__file__).resolve().parents[2] / "bench"


def campaign(name, *args):
    r = subprocess.run(["/usr/bin/python3", str(BENCH / name), "--no-build", *args],
                       capture_output=True, text=True, timeout=300, env=os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_kill_nine_of_the_simulator_during_writes_loses_nothing_acknowledged():
    out = campaign("run-kill-sim-campaign", "--count", "5", "--seed", "1", "--fresh-every", "3")
    assert "| kills (SIGKILL during writes) | 5 |" in out
    assert "| acknowledged starts lost / ends lost | 0 / 0 |" in out
    assert "| databases that failed to open or integrity_check | 0 |" in out


def test_idle_connections_and_large_bodies_stay_under_the_cap():
    out = campaign("run-sim-memory-campaign", "--idle", "40", "--bodies", "3", "--body-mib", "2",
                   "--max-connections", "64", "--rounds", "1")
    assert "| still answering /check_health | yes |" in out
