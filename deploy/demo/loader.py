"""Loads the demo city through the platform's own APIs, as a department would, with progress.

Safe to run again, and resumable: every step asks what is already there and does only what is
missing, so a load that stopped half-way is completed by the next one. Every date in the demo is
relative to the moment it is loaded (`now`), never to a fixed month or day.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import grpc

from deploy.demo import accounts, city, credit, enforcement, inspections, monitoring, network, risk, story
from deploy.demo.dates import load_day
from deploy.demo.registry import DemoRegistry
from eco.v1 import (
    codes_pb2,
    codes_pb2_grpc,
    enforcement_pb2_grpc,
    evaluation_pb2_grpc,
    monitoring_pb2_grpc,
    permits_pb2,
    permits_pb2_grpc,
    risk_pb2_grpc,
)
from gateway import config as gateway_config
from shared.clock import SystemClock
from shared.grpc.client import call_metadata, channel
from shared.settings import service_address

T = TypeVar("T")

TOKEN = os.environ.get("ECO_DEMO_TOKEN", "dev-platform-token")
CODE_WAIT_SECONDS = 60


def progress(label: str, items: list[T], each: Callable[[T], str]) -> None:
    """Run `each` over items, printing a counter and what each did."""
    total = len(items)
    for done, item in enumerate(items, start=1):
        outcome = each(item)
        print(f"  {label} {done:>3}/{total}  {outcome}", flush=True)


def load_enterprises(
    now: datetime, token: str = TOKEN, enterprises: Iterable[city.DemoEnterprise] = city.ENTERPRISES
) -> None:
    """Register the demo enterprises, their outlets and permits through the permits service."""
    with channel(service_address("permits")) as ch:
        registry = DemoRegistry(permits_pb2_grpc.PermitsServiceStub(ch), token, load_day(now))
        progress("enterprise", list(enterprises), registry.load)


def outlets_by_enterprise(token: str = TOKEN) -> dict[str, list[tuple[str, str]]]:
    """uscc -> [(outlet id, "wastewater" | "waste_gas")] as the permits service assigned them."""
    found: dict[str, list[tuple[str, str]]] = {}
    with channel(service_address("permits")) as ch:
        stub = permits_pb2_grpc.PermitsServiceStub(ch)
        for e in city.ENTERPRISES:
            reply = stub.ListOutlets(
                permits_pb2.ListOutletsRequest(uscc=e.uscc), metadata=call_metadata(token)
            )
            found[e.uscc] = [
                (o.outlet_id, permits_pb2.OutletKind.Name(o.kind).removeprefix("OUTLET_KIND_").lower())
                for o in reply.outlets
            ]
    return found


def wait_for_codes(token: str = TOKEN) -> dict[str, codes_pb2.Code]:
    """Every demo enterprise's code, issued by the codes service from EnterpriseRegistered."""
    codes: dict[str, codes_pb2.Code] = {}
    deadline = time.monotonic() + CODE_WAIT_SECONDS
    with channel(service_address("codes")) as ch:
        stub = codes_pb2_grpc.CodesServiceStub(ch)
        while True:
            for e in city.ENTERPRISES:
                if e.uscc in codes:
                    continue
                try:
                    request = codes_pb2.GetCodeRequest(uscc=e.uscc)
                    codes[e.uscc] = stub.GetCode(request, metadata=call_metadata(token))
                except grpc.RpcError as exc:
                    if exc.code() != grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                        raise
            print(f"  codes issued {len(codes):>3}/{len(city.ENTERPRISES)}", flush=True)
            if len(codes) == len(city.ENTERPRISES):
                return codes
            if time.monotonic() > deadline:
                missing = sorted({e.uscc for e in city.ENTERPRISES} - set(codes))
                raise TimeoutError(f"no code after {CODE_WAIT_SECONDS} s for {', '.join(missing)}")
            time.sleep(1)


@dataclass(frozen=True)
class LoadedCity:
    stations: list[network.DemoStation]
    story: list[str]
    codes: dict[str, codes_pb2.Code]
    risk: list[str]
    credit: credit.CreditStory


def load_city(now: datetime, token: str = TOKEN) -> LoadedCity:
    """Load the city's enterprises, monitoring network, day of readings, ledger, risk and codes as
    of `now`; raises when a part is missing or a story (readings, credit) did not happen."""
    print("Grids and commissioners (enforcement service)")
    with channel(service_address("enforcement")) as ch:
        for line in enforcement.load_grids(enforcement_pb2_grpc.EnforcementServiceStub(ch), token):
            print(f"  {line}", flush=True)
    print(f"Enterprises, outlets and permits (permits service), as of {load_day(now).isoformat()}")
    load_enterprises(now, token)
    print("Monitoring network and a day of readings (monitoring service)")
    stations = monitoring.load_stations(outlets_by_enterprise(token), token)
    summary = monitoring.stream_day(stations, token, now)
    with channel(service_address("monitoring")) as ch:
        stub = monitoring_pb2_grpc.MonitoringServiceStub(ch)
        told = story.check(stub, call_metadata(token), stations, summary)
    for line in told:
        print(f"  {line}")
    print("The problem ledger (enforcement service): the exceedance routed to its grid, cases at every stage")
    section = next(s for s in stations if s.kind == "water" and s.river == network.ROGUE_RIVER)
    with channel(service_address("enforcement")) as ch:
        stub_e = enforcement_pb2_grpc.EnforcementServiceStub(ch)
        grid = f"{enforcement.town_of(*section.location)}-1"
        problem = enforcement.wait_for_alarm_problem(stub_e, token, section.station_id, grid)
        told.append(f"problem {problem.problem_id}: {problem.title} in grid {problem.grid_id}")
        print(f"  {told[-1]}")
        progress("case", enforcement.CASES, enforcement.Ledger(stub_e, token, now).load)
    print("Risk (risk service): depots, assessments, hazards, manifests and a past emergency")
    with channel(service_address("risk")) as ch:
        loaded_risk = []
        for line in risk.load(risk_pb2_grpc.RiskServiceStub(ch), token, now):
            loaded_risk.append(line)
            print(f"  {line}", flush=True)
    print("Enterprise codes (codes service, issued from EnterpriseRegistered)")
    codes = wait_for_codes(token)
    print("Credit (evaluation service, from every topic) and the codes' colours (from CreditChanged)")
    with channel(service_address("evaluation")) as ch_ev, channel(service_address("codes")) as ch_c:
        stubs = evaluation_pb2_grpc.EvaluationServiceStub(ch_ev), codes_pb2_grpc.CodesServiceStub(ch_c)
        credit_story, lines = credit.check(*stubs, token, now, codes)
    for line in lines:
        print(f"  {line}")
    inspections.load_all(now, token)
    return LoadedCity(stations, told, codes, loaded_risk, credit_story)


def main() -> int:
    """Load everything; returns a process exit code (1, with the reason, when a part failed)."""
    print("Operators (through the gateway's account API)")
    print("\n".join(f"  {line}" for line in accounts.load()), flush=True)
    try:
        loaded = load_city(SystemClock().now())
    except (story.StoryNotTold, TimeoutError) as exc:
        print(f"Demo city NOT loaded: {exc}", file=sys.stderr)
        return 1
    show_a_code(city.ENTERPRISES[1], loaded.codes[city.ENTERPRISES[1].uscc])
    print("Demo city loaded.")
    return 0


def show_a_code(enterprise: city.DemoEnterprise, code: codes_pb2.Code) -> None:
    """Print where to see one enterprise's code and public page."""
    base = gateway_config.load()
    print(f"  {enterprise.name} ({enterprise.uscc}):")
    print(f"    public page (what a scan opens)  {code.url}")
    print(
        f"    QR code image (operators)        http://{base.host}:{base.port}/api/v1/enterprises/"
        f"{enterprise.uscc}/code.png   with a bearer session (POST /api/v1/session)"
    )
