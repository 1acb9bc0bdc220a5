"""The Python module runs scenarios in-process (R07, R15) and the analyser."""
import json
import pathlib

import failover_hil
import pytest


SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def test_inprocess_baseline_completes_with_nothing_lost(tmp_path):
    r = failover_hil.run_scenario(str(SCENARIOS / "shared-ip-baseline.yaml"), str(tmp_path / "run"))
    assert r["outcome"] == "completed", r["reason"]
    assert r["passed"] and r["as_expected"]
    report = json.loads((tmp_path / "run" / "report.json").read_text())
    checks = {c["name"]: c["pass"] for c in report["checks"]}
    assert checks["no_session_record_lost"]  # R15


def test_inprocess_base_install_failure_stops_safely(tmp_path):
    r = failover_hil.run_scenario(str(SCENARIOS / "base-install-fails.yaml"), str(tmp_path / "run"))
    assert r["outcome"] == "aborted_safely"  # R07
    assert "contact support" in r["reason"]


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown engine"):
        failover_hil.run_scenario(str(SCENARIOS / "shared-ip-baseline.yaml"), str(tmp_path), "moon")


def test_bad_capture_raises_with_the_reason(tmp_path):
    bogus = tmp_path / "not-a-capture.pcap"
    bogus.write_bytes(b"hello, this is not a pcap file")
    with pytest.raises(failover_hil.MalformedInput, match="byte"):
        json.loads(failover_hil.analyze_json([str(bogus)]))
