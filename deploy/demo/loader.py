"""Loads the demo city through the platform's own APIs, as a department would, with progress.

Safe to run again: what already exists is left as it is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from datetime import date
from typing import TypeVar

import grpc

from deploy.demo import city, monitoring
from eco.v1 import codes_pb2, codes_pb2_grpc, common_pb2, permits_pb2, permits_pb2_grpc
from gateway import config as gateway_config
from gateway import operators
from shared.db import make_engine
from shared.grpc.client import call_metadata, channel
from shared.settings import service_address

T = TypeVar("T")

TOKEN = os.environ.get("ECO_DEMO_TOKEN", "dev-platform-token")
DEMO_OPERATORS = [
    ("admin", "平台管理员", "admin", "dev-admin-token"),
    ("officer", "执法科 王警官", "officer", "dev-officer-token"),
    ("inspector", "监察员 李工", "inspector", "dev-inspector-token"),
    ("grid-hushan", "浒山街道网格员", "grid", "dev-grid-hushan-token"),
]
PERMIT_CLASSES = {
    "key": common_pb2.PERMIT_CLASS_KEY,
    "simplified": common_pb2.PERMIT_CLASS_SIMPLIFIED,
    "registration": common_pb2.PERMIT_CLASS_REGISTRATION,
}
DEMO_ACTOR = common_pb2.Actor(department="bureau", user="demo-loader", reason="demo city")


def progress(label: str, items: list[T], each: Callable[[T], str]) -> None:
    """Run `each` over items, printing a counter and what each did."""
    total = len(items)
    for done, item in enumerate(items, start=1):
        outcome = each(item)
        print(f"  {label} {done:>3}/{total}  {outcome}", flush=True)


def already_exists(call: Callable[[], T]) -> T | None:
    """The call's result, or None when the thing exists already (a second run)."""
    try:
        return call()
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:  # type: ignore[attr-defined]
            return None
        raise


def load_operators() -> None:
    """Demo operator accounts in the gateway's database."""
    engine = make_engine(gateway_config.load().base.database_url)
    try:
        for username, display, role, token in DEMO_OPERATORS:
            operators.create(engine, username=username, display_name=display, role=role, token=token)
    finally:
        engine.dispose()
    print(f"  operators: {', '.join(u for u, *_ in DEMO_OPERATORS)} (tokens dev-<name>-token, see README)")


def _limits(table: dict[str, tuple[float, str, float]]) -> list[permits_pb2.PollutantLimit]:
    return [
        permits_pb2.PollutantLimit(
            parameter=code,
            concentration_limit=common_pb2.Quantity(value=value, unit=unit),
            annual_tonnes=tonnes,
        )
        for code, (value, unit, tonnes) in table.items()
    ]


def register_enterprise(stub: permits_pb2_grpc.PermitsServiceStub, e: city.DemoEnterprise) -> str:
    """Register one enterprise with its outlets and, unless registration-class, an issued permit."""
    md = call_metadata(TOKEN)
    lat, lon = e.location
    fields = permits_pb2.EnterpriseFields(
        name=e.name,
        legal_representative="演示",
        contact=permits_pb2.Contact(person="环保专员", phone="0574-6300" + f"{e.serial:04d}"),
        industry_code=e.industry_code,
        address=f"浙江省慈溪市{e.town}",
        town=e.town,
        grid=f"{e.town}-1",
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        risk_flags=[permits_pb2.RiskFlag.Value(f"RISK_FLAG_{flag.upper()}") for flag in e.risk_flags],  # type: ignore[misc]
        permit_class=PERMIT_CLASSES[e.permit_class],
    )
    created = already_exists(
        lambda: stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=e.uscc, fields=fields), metadata=md
        )
    )
    if created is None:
        return f"{e.uscc} {e.name}: already there"
    outlets: list[permits_pb2.OutletLimits] = []
    if e.wastewater_river:
        outlet = stub.AddOutlet(
            permits_pb2.AddOutletRequest(
                uscc=e.uscc,
                kind=permits_pb2.OUTLET_KIND_WASTEWATER,
                name="废水总排口",
                location=common_pb2.GeoPoint(lat=lat - 0.001, lon=lon + 0.001),
                receiving_river=e.wastewater_river,
                monitored_pollutants=list(city.WASTEWATER_LIMITS),
            ),
            metadata=md,
        )
        outlets.append(
            permits_pb2.OutletLimits(outlet_id=outlet.outlet_id, limits=_limits(city.WASTEWATER_LIMITS))
        )
    if e.waste_gas:
        outlet = stub.AddOutlet(
            permits_pb2.AddOutletRequest(
                uscc=e.uscc,
                kind=permits_pb2.OUTLET_KIND_WASTE_GAS,
                name="1#废气排气筒",
                location=common_pb2.GeoPoint(lat=lat + 0.001, lon=lon),
                monitored_pollutants=list(city.WASTE_GAS_LIMITS),
            ),
            metadata=md,
        )
        outlets.append(
            permits_pb2.OutletLimits(outlet_id=outlet.outlet_id, limits=_limits(city.WASTE_GAS_LIMITS))
        )
    if e.permit_class == "registration" or not outlets:
        return f"{e.uscc} {e.name}: registered ({len(outlets)} outlets, no permit needed)"
    issued_on = date(date.today().year - e.permit_age_years, 12, 1)
    when = common_pb2.Date(year=issued_on.year, month=issued_on.month, day=issued_on.day)
    permit = stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=e.uscc, outlets=outlets, applied_on=when), metadata=md
    )
    stub.StartPermitReview(
        permits_pb2.PermitActionRequest(permit_number=permit.permit_number, actor=DEMO_ACTOR), metadata=md
    )
    permit = stub.IssuePermit(
        permits_pb2.IssuePermitRequest(permit_number=permit.permit_number, valid_from=when, actor=DEMO_ACTOR),
        metadata=md,
    )
    status = permits_pb2.PermitStatus.Name(permit.status).removeprefix("PERMIT_STATUS_").lower()
    return f"{e.uscc} {e.name}: {len(outlets)} outlets, permit {permit.permit_number} {status}"


def load_enterprises(enterprises: Iterable[city.DemoEnterprise] = city.ENTERPRISES) -> None:
    """Register the demo enterprises through the permits service."""
    with channel(service_address("permits")) as ch:
        stub = permits_pb2_grpc.PermitsServiceStub(ch)
        progress("enterprise", list(enterprises), lambda e: register_enterprise(stub, e))


def outlets_by_enterprise() -> dict[str, list[tuple[str, str]]]:
    """uscc -> [(outlet id, "wastewater" | "waste_gas")] as the permits service assigned them."""
    found: dict[str, list[tuple[str, str]]] = {}
    with channel(service_address("permits")) as ch:
        stub = permits_pb2_grpc.PermitsServiceStub(ch)
        for e in city.ENTERPRISES:
            reply = stub.ListOutlets(
                permits_pb2.ListOutletsRequest(uscc=e.uscc), metadata=call_metadata(TOKEN)
            )
            found[e.uscc] = [
                (o.outlet_id, permits_pb2.OutletKind.Name(o.kind).removeprefix("OUTLET_KIND_").lower())
                for o in reply.outlets
            ]
    return found


def main() -> int:
    """Load everything; returns a process exit code."""
    print("Operators")
    load_operators()
    print("Enterprises, outlets and permits (permits service)")
    load_enterprises()
    print("Monitoring network and a day of readings (monitoring service)")
    stations = monitoring.load_stations(outlets_by_enterprise(), TOKEN)
    monitoring.stream_day(stations, TOKEN)
    print("Enterprise codes (codes service, issued from EnterpriseRegistered)")
    show_a_code(city.ENTERPRISES[1])
    print("Demo city loaded.")
    return 0


def show_a_code(enterprise: city.DemoEnterprise) -> None:
    """Print where to see one enterprise's code and public page, waiting briefly for the code."""
    with channel(service_address("codes")) as ch:
        stub = codes_pb2_grpc.CodesServiceStub(ch)
        deadline = time.monotonic() + 30
        while True:
            try:
                code = stub.GetCode(
                    codes_pb2.GetCodeRequest(uscc=enterprise.uscc), metadata=call_metadata(TOKEN)
                )
                break
            except grpc.RpcError as exc:
                if exc.code() != grpc.StatusCode.NOT_FOUND or time.monotonic() > deadline:  # type: ignore[attr-defined]
                    print(f"  no code yet for {enterprise.uscc}: {exc.details()}")  # type: ignore[attr-defined]
                    return
                time.sleep(0.5)
    base = gateway_config.load()
    print(f"  {enterprise.name} ({enterprise.uscc}):")
    print(f"    public page (what a scan opens)  {code.url}")
    print(
        f"    QR code image (operators)        http://{base.host}:{base.port}/api/v1/enterprises/"
        f"{enterprise.uscc}/code.png   with 'Authorization: Bearer dev-officer-token'"
    )
