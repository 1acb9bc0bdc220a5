"""The baseline against two physical appliances (or a rehearsal's
simulators, docs/rehearsal.md): skipped unless --fhil-inventory names them.

  pytest -p failover_hil.pytest_plugin examples/python --fhil-inventory inventory.yaml
"""
import pathlib

import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def test_the_baseline_completes_on_the_inventory(fhil_run, fhil_inventory):
    if not fhil_inventory:
        pytest.skip("no --fhil-inventory: no physical appliances to run against")
    r = fhil_run(SCENARIOS / "shared-ip-baseline.yaml").run()
    assert r.outcome == "completed", r.reason
    assert r.passed
