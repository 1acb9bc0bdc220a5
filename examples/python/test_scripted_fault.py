"""A fault injected when something happens, which a YAML scenario cannot say:
when B's Base install passes 40 %, make B's software install fail. The run
must stop safely with A untouched.

  pytest -p failover_hil.pytest_plugin examples/python [--fhil-engine lab]
"""
import pathlib

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def test_a_failed_software_install_on_b_stops_safely(fhil_run):
    run = fhil_run(SCENARIOS / "shared-ip-baseline.yaml")
    fired = []

    def on_event(e):
        if (not fired and e.op == "install_progress" and e.actor == "appB"
                and float(e.data["progress"]) >= 40):
            fired.append(e.data["progress"])
            run.inject("install_fails", appliance="B", update="software")

    run.on_event(on_event)
    r = run.run()
    assert fired
    assert r.outcome == "aborted_safely", r.reason
    assert r.check("a_still_serves").passed
