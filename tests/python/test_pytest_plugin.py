"""The pytest plugin as QA uses it: a failing test's JUnit carries its run's
measurements and run directory, and its report names the directory kept."""
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def test_a_failing_test_keeps_its_run_and_its_measurements_in_junit(tmp_path):
    test = tmp_path / "test_fails.py"
    test.write_text(
        "def test_demands_too_much(fhil_run):\n"
        f"    r = fhil_run({str(SCENARIOS / 'shared-ip-baseline.yaml')!r}).run()\n"
        "    assert r.outcome == 'aborted_safely'  # it completes: this test fails\n")
    junit = tmp_path / "junit.xml"
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "failover_hil.pytest_plugin", f"--junitxml={junit}", "--basetemp", str(tmp_path / "t"),
         str(test)],
        capture_output=True, text=True)
    assert p.returncode == 1, p.stdout + p.stderr
    props = {e.get("name"): e.get("value") for e in ET.parse(junit).iter("property")}
    assert props["fhil.outcome"] == "completed"
    assert props["fhil.switch_downtime_ms.client1"].endswith(" ms")
    run_dir = pathlib.Path(props["fhil.run_dir"])
    assert (run_dir / "report.json").exists(), "the failed test's run directory was kept"
    assert "run directories kept" in p.stdout and str(run_dir) in p.stdout, p.stdout


def test_the_plugin_offers_its_options():
    p = subprocess.run([sys.executable, "-m", "pytest", "-p", "failover_hil.pytest_plugin",
                        "--help"], capture_output=True, text=True)
    assert "--fhil-engine" in p.stdout and "--fhil-inventory" in p.stdout


def test_the_plugin_loads_by_its_entry_point_and_gives_a_simulated_pair(tmp_path):
    test = tmp_path / "test_pair.py"
    test.write_text(
        "def test_pair(fhil_pair):\n"
        "    assert fhil_pair.a.status().role == 'none'\n"
        "    assert fhil_pair.b.status().version == '23.1.2'\n")
    for extra in ([], ["-p", "failover_hil.pytest_plugin"]):  # named twice: loaded once
        p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "--basetemp", str(tmp_path / "t"), *extra, str(test)],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "1 passed" in p.stdout
