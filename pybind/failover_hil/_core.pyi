# Typed signatures of failover_hil._core for editors and type checkers
# (docs/python.md). tests/python/test_stub.py keeps it in step with the module.
import os
from typing import Callable, Optional, Union

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

class Progress:
    step: str
    step_index: int
    steps: int
    actor: str
    activity: str
    detail: str
    percent: Optional[float]

class Run:
    def __init__(self, scenario: Union[Scenario, str, os.PathLike[str]], out: str,
                 engine: str = "inprocess", seed: int = 1, inventory: str = "",
                 operator: str = "", lab_state_dir: str = "") -> None: ...
    @staticmethod
    def resume(run_dir: str, operator: str = "", lab_state_dir: str = "") -> "Run": ...
    def on_step(self, callback: Callable[[str, str], None]) -> None: ...
    def on_event(self, callback: Callable[[Event], None]) -> None: ...
    def on_progress(self, callback: Callable[[Progress], None]) -> None: ...
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

class Param:
    key: str
    kind: str
    doc: str
    required: bool
    default: object
    choices: list[str]
    allowed: str

class StepInfo:
    name: str
    summary: str
    rules: list[str]
    params: list[Param]
    preconditions: str
    postconditions: str

class FaultInfo:
    name: str
    doc: str
    fires: str
    takes_appliance: bool
    takes_progress: bool
    params: list[Param]
    inprocess_refusal: str

def steps() -> list[StepInfo]: ...
def faults() -> list[FaultInfo]: ...
def parse_scenario(text: str, file: str) -> Scenario: ...

class ApplianceStatus:
    name: str
    guid: str
    role: str
    state: str
    healthy: bool
    error: str
    serves_site: bool
    base: str
    version: str
    build: str
    shared_ip_enabled: bool
    sync_in_progress: bool
    last_sync: Optional[float]
    last_sync_status: str
    install_progress: Optional[float]
    pending_dependents: list[str]
    violations: list[str]
    last_peer_error: str

class Backup:
    data: bytes
    sha256: str
    def __len__(self) -> int: ...

class AvailableUpdate:
    id: str
    target: str

class Appliance:
    name: str
    @staticmethod
    def from_inventory(inventory: str, appliance: str, operator: str = "") -> "Appliance": ...
    def status(self) -> ApplianceStatus: ...
    def download_backup(self, password: str) -> Backup: ...
    def session_lsids(self) -> set[str]: ...
    def sync_now(self) -> None: ...
    def break_relationship(self) -> None: ...
    def check_for_updates(self) -> list[AvailableUpdate]: ...
    def install_update(self, id: str) -> None: ...
    def download_key(self) -> str: ...
    def set_shared_ip(self, enabled: bool) -> None: ...
    def set_failover_role(self, role: str, data_sync_first: bool = True,
                          force: bool = False) -> str: ...
    def establish(self, backup_host: str, backup_port: int, reverse_host: str,
                  reverse_port: int) -> list[str]: ...

class SimulatedPair:
    a: Appliance
    b: Appliance
    site_port: int
    dir: str
    def __init__(self, dir: str, time_scale: float = 3000.0, b_software: str = "",
                 identity_headers: bool = True) -> None: ...
    def __enter__(self) -> "SimulatedPair": ...
    def __exit__(self, *args: object) -> None: ...
    def port(self, name: str) -> int: ...
    def fingerprint(self, name: str) -> str: ...
    def log(self, name: str) -> str: ...
    def stop(self) -> None: ...

class Rehearsal:
    dir: str
    harness: str
    answers: str
    def __init__(self, scenario: Union[Scenario, str, os.PathLike[str]], dir: str,
                 harness: str = "", state_dir: str = "") -> None: ...
    def __enter__(self) -> "Rehearsal": ...
    def __exit__(self, *args: object) -> None: ...
    def inventory(self, switch_method: str = "shared_ip") -> str: ...
    def netns(self, host: str) -> str: ...
    def exec(self, host: str, argv: list[str]) -> tuple[int, str]: ...
