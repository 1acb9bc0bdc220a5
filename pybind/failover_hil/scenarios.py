"""Scenarios built in Python from the step and fault registries, and the
shipped scenarios found by name (docs/python.md).

A built scenario is written as a file (JSON, which is YAML) and read back by
the same loader as a scenario file, so it is checked with the same rules and
its mistakes come as ScenarioError with file:line.
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile
from typing import Any, Iterable, Mapping, Optional, Union

from . import _core

PathLike = Union[str, "os.PathLike[str]"]


def data_dir() -> Optional[pathlib.Path]:
    """The shipped data (scenarios/, scenarios/labs/): $FHIL_DATA_DIR, else
    share/failover-hil beside the package's tree (an installed prefix, or the
    build tree, which mirrors it)."""
    if os.environ.get("FHIL_DATA_DIR"):
        return pathlib.Path(os.environ["FHIL_DATA_DIR"])
    here = pathlib.Path(__file__).resolve().parent
    for up in here.parents[:4]:
        candidate = up / "share" / "failover-hil"
        if (candidate / "scenarios").is_dir():
            return candidate
    return None


def find_scenario(name: PathLike) -> str:
    """A scenario as the CLI takes it: an existing file as it is, else a
    shipped scenario by name ("dns-swing-baseline", with or without .yaml)."""
    given = os.fspath(name)
    if os.path.exists(given) or os.sep in given:
        return given
    data = data_dir()
    if data:
        for candidate in (given, given + ".yaml"):
            path = data / "scenarios" / candidate
            if path.is_file():
                return str(path)
    return given


def shipped_scenarios() -> list[str]:
    """The names of the scenarios that come with failover-hil."""
    data = data_dir()
    return sorted(p.stem for p in (data / "scenarios").glob("*.yaml")) if data else []


def _step(entry: Union[str, Mapping[str, Any], tuple]) -> Any:
    if isinstance(entry, tuple):
        name, params = entry
        return {name: dict(params)}
    return entry


def build_scenario(name: str, steps: Iterable[Union[str, Mapping[str, Any], tuple]], *,
                   switch: str = "shared_ip", faults: Iterable[Mapping[str, Any]] = (),
                   expect: Optional[Mapping[str, Any]] = None, lab: Optional[PathLike] = None,
                   description: str = "", file: Optional[PathLike] = None,
                   **sections: Any) -> "_core.Scenario":
    """A scenario from Python values, checked as a file is (docs/scenarios.md).

    steps: step names (failover_hil.steps()), ("switch", {"settle_timeout_s": 30})
      or {"switch": {...}}; faults: dicts as a file writes them
      ({"fault": "partition", "between": [...], "at": {"step": "switch"}});
    sections: the file's other keys (probes, seed, load, budgets, from_,
      to, time_scale), with `from_` for `from`.
    The file goes to `file`, or to a new temporary folder; the returned
    Scenario's `file` names it, and Run takes the Scenario itself.
    """
    doc: dict[str, Any] = {"scenario": name}
    if description:
        doc["description"] = description
    doc["lab"] = os.fspath(lab) if lab is not None else _default_lab()
    doc["switch"] = switch
    for key, value in sections.items():
        doc["from" if key == "from_" else key] = value
    doc["steps"] = [_step(s) for s in steps]
    faults = list(faults)
    if faults:
        doc["faults"] = faults
    if expect is not None:
        doc["expect"] = dict(expect)
    if file is None:
        file = pathlib.Path(tempfile.mkdtemp(prefix="fhil-scenario-")) / f"{name}.yaml"
    path = pathlib.Path(file).absolute()
    if not os.path.isabs(doc["lab"]):
        doc["lab"] = str((pathlib.Path.cwd() / doc["lab"]).resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# built by failover_hil.build_scenario\n" + json.dumps(doc, indent=1) + "\n")
    return _core.load_scenario(str(path))


def _default_lab() -> str:
    data = data_dir()
    if not data:
        raise _core.ScenarioError(
            "build_scenario: no shipped lab found (set FHIL_DATA_DIR to share/failover-hil, "
            "or give lab=FILE)")
    return str(data / "scenarios" / "labs" / "default.yaml")
