"""The capture analyser's report as typed Python objects (docs/analysis.md).

analyze() reads captures in C++ (the GIL released) and returns an Analysis
built from the documented JSON schema: every documented field is an
attribute; a field a newer schema adds is kept in `extra`, never dropped.
"""
from __future__ import annotations

import json
import os
from typing import Any, ClassVar, Optional, Sequence, Union

from . import _core


class _Record:
    """Fields from a JSON object; nested records typed by `_nested`."""
    _nested: ClassVar[dict[str, type]] = {}

    def __init__(self, data: dict[str, Any]):
        self.extra: dict[str, Any] = {}
        known = self.__class__.__annotations__
        for key, value in data.items():
            cls = self._nested.get(key)
            if cls is not None and value is not None:
                value = [cls(v) for v in value] if isinstance(value, list) else cls(value)
            if key in known:
                setattr(self, key, value)
            else:
                self.extra[key] = value
        for key in known:
            if not hasattr(self, key):
                setattr(self, key, None)

    def __repr__(self) -> str:
        shown = [f"{k}={getattr(self, k)!r}" for k in self._shown]
        return f"{self.__class__.__name__}({', '.join(shown)})"

    _shown: ClassVar[Sequence[str]] = ()


class OutageLength(_Record):
    method: str          # time-based-loss, timestamp-based, packet-loss-based
    length_ns: int
    resolution_ns: int
    _shown = ("method", "length_ns")

    @property
    def length_ms(self) -> float:
        return self.length_ns / 1e6


class ProbeMark(_Record):
    sent_ns: int
    answer_ns: Optional[int]
    appliance: Optional[str]
    _shown = ("sent_ns", "appliance")


class AnalysedOutage(_Record):
    last_success: Optional[ProbeMark]
    first_failure: ProbeMark
    last_failure: ProbeMark
    first_success_after: Optional[ProbeMark]
    lost: int
    refused: int
    open_start: bool
    open_end: bool
    appliance_before: Optional[str]
    appliance_after: Optional[str]
    headline: OutageLength
    lengths: list[OutageLength]
    _nested = {"last_success": ProbeMark, "first_failure": ProbeMark, "last_failure": ProbeMark,
               "first_success_after": ProbeMark, "headline": OutageLength,
               "lengths": OutageLength}
    _shown = ("headline", "lost", "refused", "open_end")

    @property
    def length_ms(self) -> float:
        return self.headline.length_ms


class Interval(_Record):
    state: str  # up or down
    start_ns: int
    end_ns: int
    probes: int
    _shown = ("state", "start_ns", "end_ns")


class ClientAnalysis(_Record):
    client: str
    site: str
    site_port: int
    probe_kind: str
    probes: int
    answered: int
    refused: int
    lost: int
    undecided: int
    retransmissions: int
    reordered_answers: int
    duplicate_answers: int
    late_answers: int
    rate_hz: float
    rate_inferred: bool
    resolution_ns: int
    first_probe_ns: int
    last_probe_ns: int
    availability: float
    timeline: list[Interval]
    outages: list[AnalysedOutage]
    total_downtime: list[OutageLength]
    _nested = {"timeline": Interval, "outages": AnalysedOutage, "total_downtime": OutageLength}
    _shown = ("client", "site", "probes", "availability", "outages")


class Announcement(_Record):
    kind: str
    timestamp_ns: int
    ip: str
    mac: str
    appliance: str
    _shown = ("kind", "ip", "appliance")


class Conflict(_Record):
    ip: str
    first_mac: str
    second_mac: str
    first_appliance: str
    second_appliance: str
    first_seen_ns: int
    last_seen_ns: int
    claims: int
    rule: str
    _shown = ("ip", "first_appliance", "second_appliance", "claims")


class CaptureError(_Record):
    source: str
    offset: int
    message: str
    _shown = ("source", "offset", "message")


class Analysis(_Record):
    schema: str
    sources: list[str]
    packets: int
    undecoded_packets: int
    first_packet_ns: int
    last_packet_ns: int
    kernel_drops: Optional[int]
    partial: bool
    errors: list[CaptureError]
    headline_method: str
    clients: list[ClientAnalysis]
    announcements: list[Announcement]
    announcements_omitted: int
    conflicts: list[Conflict]
    _nested = {"errors": CaptureError, "clients": ClientAnalysis, "announcements": Announcement,
               "conflicts": Conflict}
    _shown = ("sources", "packets", "partial", "clients", "conflicts")

    def client(self, address: str) -> Optional[ClientAnalysis]:
        """The client with this address, or None."""
        return next((c for c in self.clients if c.client == address), None)


def analyze(captures: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
            site: str = "", rate_hz: float = 0.0) -> Analysis:
    """Analyses pcap/pcapng captures as `failover-hil analyze` does. site:
    "IP" or "IP:PORT" (only probes to it count); rate_hz: the probe rate
    (0: inferred per client). Raises MalformedInput for a damaged capture."""
    paths = [os.fspath(captures)] if isinstance(captures, (str, os.PathLike)) else \
        [os.fspath(c) for c in captures]
    ip, _, port = site.rpartition(":") if site.count(":") == 1 else (site, "", "")
    text = _core.analyze_json(paths, site_ip=ip, site_port=int(port) if port else 0,
                              rate_hz=rate_hz)
    return Analysis(json.loads(text))
