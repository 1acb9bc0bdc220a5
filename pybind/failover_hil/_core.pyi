# Typed signatures of failover_hil._core for editors and type checkers
# (docs/python.md). tests/python/test_stub.py keeps it in step with the module.
from typing import Callable, Optional

class ModelError(RuntimeError): ...
class HarnessError(RuntimeError): ...
class NetlabError(RuntimeError): ...
class MalformedInput(ValueError): ...
class ScenarioError(ValueError): ...

class Step:
    name: str
    status: str
    start_ns: int
    end_ns: int
    message: str
    rules: list[str]

class Measurement:
    name: str
    value: float
    unit: str
    limit: Optional[float]
    op: str
    passed: bool
    waived: bool
    detail: str

class Check:
    name: str
    rules: list[str]
    passed: bool
    waived: bool
    detail: str

class Outage:
    start_ns: int
    end_ns: int
    length_ns: int
    step: str
    before: str
    after: str
    expected: bool
    open_end: bool

class ClientLane:
    client: str
    outages: list[Outage]
    probes: int
    availability: float

class Event:
    t_ns: int
    type: str
    step: str
    actor: str
    op: str
    detail: str
    data: dict[str, str]

class RunResult:
    scenario: str
    switch_method: str
    run_dir: str
    target: str
    outcome: str
    reason: str
    as_expected: bool
    passed: bool
    steps: list[Step]
    measurements: list[Measurement]
    checks: list[Check]
    clients: list[ClientLane]
    events: list[Event]
    def measurement(self, name: str) -> Optional[Measurement]: ...
    def check(self, name: str) -> Optional[Check]: ...

class Scenario:
    name: str
    description: str
    file: str
    switch_method: str
    steps: list[str]
    faults: list[str]

def load_scenario(file: str) -> Scenario: ...

class Run:
    def __init__(self, scenario: str, out: str, engine: str = "inprocess", seed: int = 1,
                 inventory: str = "", operator: str = "") -> None: ...
    def on_step(self, callback: Callable[[str, str], None]) -> None: ...
    def on_event(self, callback: Callable[[Event], None]) -> None: ...
    def inject(self, fault: str, **params: object) -> None: ...
    def run(self) -> RunResult: ...

def report(run_dir: str) -> RunResult: ...
def catalogue() -> str: ...
def run_scenario(scenario: str, out: str, engine: str = "inprocess", seed: int = 1) -> dict: ...
def analyze_json(paths: list[str], site_ip: str = "", site_port: int = 0,
                 rate_hz: float = 0.0) -> str: ...

class Lab:
    def __init__(self, file: str, state_dir: str = "") -> None: ...
    def __enter__(self) -> "Lab": ...
    def __exit__(self, *args: object) -> None: ...
    def hosts(self) -> list[str]: ...
    def address(self, host: str) -> str: ...
    def netns(self, host: str) -> str: ...
    def exec(self, host: str, argv: list[str]) -> tuple[int, str]: ...
    def partition(self, a: str, b: str) -> str: ...
    def loss(self, a: str, b: str, percent: int) -> str: ...
    def disarm(self, name: str) -> None: ...
    def armed(self) -> list[str]: ...
