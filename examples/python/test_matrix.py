"""A matrix: every switch method, with and without a slow sync. Each run
must complete, and each switch stays within its budget.

  pytest -p failover_hil.pytest_plugin examples/python
"""
import pathlib

import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


@pytest.mark.parametrize("method", ["shared-ip", "dns-swing", "nat-swing"])
@pytest.mark.parametrize("slow_sync", [False, True])
def test_every_switch_method_completes(fhil_run, method, slow_sync):
    run = fhil_run(SCENARIOS / f"{method}-baseline.yaml")
    if slow_sync:
        run.on_step(lambda step, phase: run.inject("sync_slow", factor=3)
                    if (step, phase) == ("sync", "before") else None)
    r = run.run()
    assert r.outcome == "completed", r.reason
    for m in r.measurements:
        if m.name.startswith("switch_downtime_ms."):
            assert m.passed, m
