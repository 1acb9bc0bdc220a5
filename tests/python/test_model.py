"""The Python module drives the model-level upgrade (R16, R22) and the analyser."""
import json

import failover_hil
import pytest


def test_model_upgrade_completes_with_nothing_lost():
    seen = []
    result = failover_hil.run_model_upgrade(on_step=lambda s: seen.append(s.title))
    assert result.completed, result.failure
    assert result.violations == []
    assert result.missing_on_a == [] and result.missing_on_b == []
    end = result.steps[-1]
    assert (end.a.role, end.b.role) == ("backup", "primary")
    assert end.a.software == end.b.software == "24.1.0 (c9e2d4)"
    assert seen == [s.title for s in result.steps]
    assert result.exposure_window.total_seconds() > 2 * 3600


def test_options_change_the_run():
    small, big = failover_hil.ModelUpgradeOptions(), failover_hil.ModelUpgradeOptions()
    small.recordings_mib, big.recordings_mib = 1024, 40 * 1024
    assert (failover_hil.run_model_upgrade(small).exposure_window
            < failover_hil.run_model_upgrade(big).exposure_window)


def test_bad_capture_raises_with_the_reason(tmp_path):
    bogus = tmp_path / "not-a-capture.pcap"
    bogus.write_bytes(b"hello, this is not a pcap file")
    with pytest.raises(failover_hil.MalformedInput, match="byte"):
        json.loads(failover_hil.analyze_json([str(bogus)]))
