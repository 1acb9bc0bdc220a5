"""failover-hil: drive and measure the asynchronous upgrade of a B Series failover pair.

The compiled part is failover_hil._core (pybind11); everything it offers is
re-exported here. docs/python.md describes it; failover_hil.pytest_plugin
(`pytest -p failover_hil.pytest_plugin`) gives pytest fixtures.
"""
from ._core import *  # noqa: F401,F403
from ._core import __doc__ as _core_doc  # noqa: F401
