"""pytest plugin for failover-hil, loaded by its entry point (an installed
failover_hil, or the build tree on PYTHONPATH) or with
`pytest -p failover_hil.pytest_plugin`.

Options:
  --fhil-engine inprocess|lab   what runs stand on (default: inprocess; lab needs root)
  --fhil-inventory FILE         physical appliances instead (docs/inventory.md)
  --fhil-operator FILE          answer their prompts from a file (a rehearsal)

Fixtures:
  fhil_engine       the engine name the options chose
  fhil_inventory    the inventory file, or None
  fhil_run          a factory: fhil_run(scenario) -> a failover_hil.Run whose
                    run() also records every measurement as a JUnit property
                    (fhil.<name>) and the run directory (fhil.run_dir)
  fhil_pair         a failover_hil.SimulatedPair on loopback (two bseries-sim
                    and their update server), stopped after the test
  fhil_lab          the shipped default lab (failover_hil.Lab), built for
                    the test and removed after it; skipped without root

A failing test keeps its run directories (pytest's tmp_path) and its report
names them in a "failover-hil" section.
"""
import os
import pathlib

import pytest

import failover_hil

_RUN_DIRS = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("failover-hil")
    group.addoption("--fhil-engine", default="inprocess", choices=["inprocess", "in-process", "lab"],
                    help="what runs stand on: inprocess (the model, no root) or lab (root)")
    group.addoption("--fhil-inventory", default=None, metavar="FILE",
                    help="run against the appliances of an inventory (docs/inventory.md)")
    group.addoption("--fhil-operator", default=None, metavar="FILE",
                    help="with --fhil-inventory: answer the operator prompts from this file "
                         "(docs/rehearsal.md); else they are asked on the terminal (pytest -s)")


@pytest.fixture
def fhil_engine(request):
    engine = request.config.getoption("--fhil-engine")
    return "inprocess" if engine == "in-process" else engine


@pytest.fixture
def fhil_inventory(request):
    return request.config.getoption("--fhil-inventory")


class _RecordedRun:
    """A failover_hil.Run whose result is recorded for JUnit and the report."""

    def __init__(self, run, out, record_property, item):
        self._run, self._out, self._record, self._item = run, out, record_property, item

    def __getattr__(self, name):
        return getattr(self._run, name)

    def run(self):
        self._item.stash.setdefault(_RUN_DIRS, []).append(self._out)
        self._record("fhil.run_dir", self._out)
        result = self._run.run()
        self._record("fhil.outcome", result.outcome)
        for m in result.measurements:
            self._record(f"fhil.{m.name}", f"{m.value:g} {m.unit}")
        return result


@pytest.fixture
def fhil_run(request, tmp_path, fhil_engine, fhil_inventory):
    counter = iter(range(1, 1000))

    # As record_property does, without its warning under junit_family xunit2:
    # pytest's JUnit writer reports user_properties for every family.
    def record(name, value):
        request.node.user_properties.append((name, value))
    answers = request.config.getoption("--fhil-operator") or ""

    def make(scenario, seed=1):
        out = str(tmp_path / f"run{next(counter)}-{pathlib.Path(scenario).stem}")
        run = failover_hil.Run(str(scenario), out, engine=fhil_engine, seed=seed,
                               inventory=fhil_inventory or "", operator=answers)
        return _RecordedRun(run, out, record, request.node)

    return make


@pytest.fixture
def fhil_pair(request, tmp_path):
    pair = failover_hil.SimulatedPair(str(tmp_path / "pair"))
    request.node.stash.setdefault(_RUN_DIRS, []).append(str(tmp_path / "pair"))
    with pair:
        yield pair


@pytest.fixture
def fhil_lab(request, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("fhil_lab builds network namespaces: run pytest as root")
    data = failover_hil.data_dir()
    if data is None:
        pytest.skip("no shipped lab found (set FHIL_DATA_DIR to share/failover-hil)")
    with failover_hil.Lab(str(data / "scenarios" / "labs" / "default.yaml"),
                          state_dir=str(tmp_path / "lab-state")) as lab:
        yield lab


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    dirs = item.stash.get(_RUN_DIRS, [])
    if report.failed and dirs:
        report.sections.append(("failover-hil", "run directories kept:\n" + "\n".join(dirs)))
