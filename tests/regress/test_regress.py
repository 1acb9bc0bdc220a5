"""ci/regress as CI uses it (issue 13): shards that merge into the single
run, a baseline that flags a slowed switch and not an unchanged one, a
campaign killed with SIGKILL that leaves nothing behind, and the scale-out
examples valid for their systems."""
import json
import os
import pathlib
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
REGRESS = str(ROOT / "ci" / "regress")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="lab runs build network namespaces: run as root")


def regress(*args, env=None, check=True):
    p = subprocess.run([REGRESS, *map(str, args)], capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"ci/regress {args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def junit_cases(directory):
    return sorted((t.get("classname"), t.get("name"), t.find("failure") is not None)
                  for t in ET.parse(directory / "junit.xml").iter("testcase"))


def fhil(*args, check=True):
    """The harness's own campaign commands: report --merge, baseline save."""
    cli = os.environ.get("FHIL_CLI", str(ROOT / "build" / "release" / "hil" / "failover-hil"))
    p = subprocess.run([cli, *map(str, args)], capture_output=True, text=True)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"failover-hil {args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def test_four_shards_merged_equal_the_suite_in_one_run(tmp_path):
    whole = regress("--engine", "inprocess", "--no-build", "--repeat", 2, "--out", tmp_path / "all")
    assert whole.returncode == 0, whole.stdout + whole.stderr
    shards = []
    for i in range(1, 5):
        p = regress("--engine", "inprocess", "--no-build", "--repeat", 2, "--shard", f"{i}/4",
                    "--out", tmp_path / f"s{i}")
        assert p.returncode == 0, p.stdout + p.stderr
        shards.append(tmp_path / f"s{i}")
    sizes = [len(json.loads((s / "cases.json").read_text())["cases"]) for s in shards]
    assert all(n > 0 for n in sizes), f"a shard ran nothing: {sizes}"
    merged = fhil("report", "--merge", *shards, "--out", tmp_path / "merged")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert junit_cases(tmp_path / "merged") == junit_cases(tmp_path / "all")
    index = (tmp_path / "merged" / "index.html").read_text()
    assert index.count("report.html") == sum(sizes)
    for link in [line.split('href="')[1].split('"')[0] for line in index.split("<tr") if 'href="' in line]:
        assert (tmp_path / "merged" / link).exists(), link
    again = regress("merge", shards[0], shards[0], "--out", tmp_path / "twice", check=False)
    assert again.returncode == 2 and "share runs" in again.stderr, again.stderr


def test_bad_input_is_refused_by_name(tmp_path):
    p = regress("--shard", "5/4", "--no-build", "--engine", "inprocess", check=False)
    assert p.returncode == 2 and "--shard 5/4" in p.stderr
    suite = tmp_path / "suite.yaml"
    suite.write_text("suite:\n  - {scenario: shared-ip-baseline, switch: [carrier_pigeon]}\n")
    p = regress("--suite", suite, "--no-build", "--engine", "inprocess", check=False)
    assert p.returncode == 2 and "carrier_pigeon" in p.stderr
    p = regress("merge", tmp_path, "--out", tmp_path / "m", check=False)
    assert p.returncode == 2 and "not a campaign's results" in p.stderr, p.stderr
    p = fhil("report", "--merge", tmp_path, check=False)
    assert p.returncode == 2 and "add --out DIR" in p.stderr, p.stderr
    bad = tmp_path / "baseline.json"
    bad.write_text("{}")
    p = regress("--baseline", bad, "--no-build", "--engine", "inprocess", check=False)
    assert p.returncode == 2 and "not a baseline" in p.stderr, p.stderr


def test_a_run_that_ends_otherwise_than_expected_fails_the_campaign(tmp_path):
    scenario = tmp_path / "wrong.yaml"
    text = (ROOT / "scenarios" / "base-install-fails.yaml").read_text()
    scenario.write_text(text.replace("lab: labs/default.yaml", f"lab: {ROOT}/scenarios/labs/default.yaml")
                        .replace("outcome: aborted_safely", "outcome: completed")
                        .replace(", reason: contact support", ""))
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"suite:\n  - {{scenario: {scenario}, switch: [shared_ip]}}\n")
    p = regress("--suite", suite, "--no-build", "--engine", "inprocess", "--out", tmp_path / "out")
    assert p.returncode == 1, p.stdout
    [failed] = [c for c in junit_cases(tmp_path / "out") if c[2]]
    assert failed[1] == "run #1"


@needs_root
def test_a_slowed_switch_is_flagged_against_the_baseline_and_an_unchanged_one_is_not(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text("suite:\n  - {scenario: shared-ip-baseline, switch: [shared_ip]}\n")
    common = ["--suite", suite, "--no-build", "--repeat", 5, "--jobs", 2,
              "--lab-state-dir", tmp_path / "state"]
    first = regress(*common, "--out", tmp_path / "base")
    saved = fhil("baseline", "save", tmp_path / "base", "--out", tmp_path / "baseline.json")
    assert saved.returncode == 0, first.stdout + saved.stdout + saved.stderr
    unchanged = regress(*common, "--out", tmp_path / "same", "--baseline", tmp_path / "baseline.json")
    assert "REGRESSED" not in unchanged.stdout, unchanged.stdout
    slowed = regress(*common, "--out", tmp_path / "slow", "--baseline", tmp_path / "baseline.json",
                     env={"FHIL_SIM_ANNOUNCE_DELAY_MS": "60"})
    assert slowed.returncode == 1, slowed.stdout
    flagged = [line for line in slowed.stdout.splitlines() if line.strip().startswith("REGRESSED")]
    assert any("switch_downtime_ms.client1" in line for line in flagged), slowed.stdout
    index = (tmp_path / "slow" / "index.html").read_text()
    assert "Against the baseline" in index and "REGRESSED" in index


@needs_root
def test_a_campaign_killed_with_sigkill_and_run_again_leaves_nothing_behind(tmp_path):
    suite = tmp_path / "suite.yaml"
    suite.write_text("suite:\n  - {scenario: shared-ip-baseline, switch: [shared_ip]}\n"
                     "  - {scenario: dns-swing-baseline, switch: [dns]}\n")
    state = tmp_path / "state"
    common = ["--suite", suite, "--no-build", "--jobs", 2, "--lab-state-dir", state]
    victim = subprocess.Popen([REGRESS, *map(str, common), "--out", str(tmp_path / "killed")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "killed" / "runs").glob("*/lab-slot")):
        assert time.monotonic() < deadline, "no run started"
        time.sleep(0.2)
    time.sleep(1.5)  # the labs are up, simulators running
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    again = regress(*common, "--out", tmp_path / "again")
    assert again.returncode in (0, 1), again.stdout + again.stderr
    time.sleep(1)
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "fhil" not in netns, netns
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert "fhil" not in links
    tables = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    assert "fhil" not in tables
    procs = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    left = [p for p in procs.splitlines() if str(tmp_path) in p and ("bseries-sim" in p or "named" in p or "failover-hil" in p)]
    assert not left, left
    assert not list(state.glob("fhil-named-*")), "BIND's folder left behind"


def test_the_scale_out_examples_are_valid_for_their_systems():
    examples = ROOT / "ci" / "examples"
    gh = yaml.safe_load((examples / "github-actions.yml").read_text())
    shard_job = gh["jobs"]["shard"]
    shards = shard_job["strategy"]["matrix"]["shard"]
    run = " ".join(s.get("run", "") for s in shard_job["steps"])
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in run and shards == list(range(1, len(shards) + 1))
    assert "ci/regress merge" in " ".join(s.get("run", "") for s in gh["jobs"]["merge"]["steps"])
    assert gh["jobs"]["merge"]["needs"] == "shard"
    assert all("uses" in s or "run" in s for job in gh["jobs"].values() for s in job["steps"])

    gl = yaml.safe_load((examples / "gitlab-ci.yml").read_text())
    assert isinstance(gl["regress"]["parallel"], int) and gl["regress"]["parallel"] > 1
    assert '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in " ".join(gl["regress"]["script"])
    assert set(gl["stages"]) >= {gl["regress"]["stage"], gl["merge"]["stage"]}
    assert "ci/regress merge" in " ".join(gl["merge"]["script"])

    job = yaml.safe_load((examples / "k8s-indexed-job.yaml").read_text())
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["completions"] >= spec["parallelism"] > 1
    [container] = spec["template"]["spec"]["containers"]
    command = " ".join(container["command"] + container["args"])
    assert "JOB_COMPLETION_INDEX + 1" in command and f"/{spec['completions']}" in command
    assert spec["template"]["spec"]["restartPolicy"] in ("Never", "OnFailure")
