"""failover-hil: drive and measure the asynchronous upgrade of a B Series failover pair.

The compiled part is failover_hil._core (pybind11); everything it offers is
re-exported here, with scenarios built in Python (failover_hil.scenarios)
and the analyser's typed report (failover_hil.analysis). docs/python.md
describes it; failover_hil.pytest_plugin gives pytest fixtures (loaded by
its entry point, or with `pytest -p failover_hil.pytest_plugin`).
"""
from ._core import *  # noqa: F401,F403
from ._core import __doc__ as _core_doc  # noqa: F401
from .analysis import Analysis, analyze  # noqa: F401
from .scenarios import build_scenario, data_dir, find_scenario, shipped_scenarios  # noqa: F401
