"""The demo enterprises in the permits service: registered, with outlets and a valid permit.

Every step first asks what is already there, so a load that stopped half-way is completed by the
next one: an enterprise without its outlets gets them, a permit left applied or under review is
reviewed and issued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import grpc

from deploy.demo import city
from deploy.demo.dates import permit_valid_from
from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from shared.grpc.client import call_metadata

T = TypeVar("T")

PERMIT_CLASSES = {
    "key": common_pb2.PERMIT_CLASS_KEY,
    "simplified": common_pb2.PERMIT_CLASS_SIMPLIFIED,
    "registration": common_pb2.PERMIT_CLASS_REGISTRATION,
}
DEMO_ACTOR = common_pb2.Actor(department="bureau", user="demo-loader", reason="demo city")
VALID = (permits_pb2.PERMIT_STATUS_ISSUED, permits_pb2.PERMIT_STATUS_RENEWED)
IN_PROGRESS = (permits_pb2.PERMIT_STATUS_APPLIED, permits_pb2.PERMIT_STATUS_UNDER_REVIEW)
WASTEWATER, WASTE_GAS = permits_pb2.OUTLET_KIND_WASTEWATER, permits_pb2.OUTLET_KIND_WASTE_GAS


def pb_date(day: date) -> common_pb2.Date:
    """A date as the contracts carry it."""
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def _limits(table: dict[str, tuple[float, str, float]]) -> list[permits_pb2.PollutantLimit]:
    return [
        permits_pb2.PollutantLimit(
            parameter=code,
            concentration_limit=common_pb2.Quantity(value=value, unit=unit),
            annual_tonnes=tonnes,
        )
        for code, (value, unit, tonnes) in table.items()
    ]


def created(call: Callable[[], T]) -> bool:
    """True when the call created its thing, False when it existed already (an earlier load)."""
    try:
        call()
        return True
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.ALREADY_EXISTS:  # type: ignore[attr-defined]
            return False
        raise


class DemoRegistry:
    """The permits-service steps of loading one demo enterprise, each idempotent."""

    def __init__(self, stub: permits_pb2_grpc.PermitsServiceStub, token: str, today: date) -> None:
        self.stub = stub
        self.metadata = call_metadata(token)
        self.today = today

    def load(self, e: city.DemoEnterprise) -> str:
        """Register `e`, add its missing outlets and make sure it holds a valid permit; say what was done."""
        done = ["registered" if self._register(e) else "was registered"]
        outlets, added = self._outlets(e)
        if added:
            done.append(f"{added} outlet(s) added")
        if e.permit_class == "registration" or not outlets:
            return f"{e.uscc} {e.name}: {', '.join(done)}; no permit needed"
        done.append(self._permit(e, outlets))
        return f"{e.uscc} {e.name}: {', '.join(done)}"

    def _register(self, e: city.DemoEnterprise) -> bool:
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
        request = permits_pb2.RegisterEnterpriseRequest(uscc=e.uscc, fields=fields)
        return created(lambda: self.stub.RegisterEnterprise(request, metadata=self.metadata))

    def _outlets(self, e: city.DemoEnterprise) -> tuple[list[permits_pb2.OutletLimits], int]:
        """The enterprise's outlets with their permit limits, adding the ones not there yet."""
        lat, lon = e.location
        wanted: list[tuple[int, permits_pb2.AddOutletRequest, dict[str, tuple[float, str, float]]]] = []
        if e.wastewater_river:
            wanted.append(
                (
                    WASTEWATER,
                    permits_pb2.AddOutletRequest(
                        uscc=e.uscc,
                        kind=WASTEWATER,
                        name="废水总排口",
                        location=common_pb2.GeoPoint(lat=lat - 0.001, lon=lon + 0.001),
                        receiving_river=e.wastewater_river,
                        monitored_pollutants=list(city.WASTEWATER_LIMITS),
                    ),
                    city.WASTEWATER_LIMITS,
                )
            )
        if e.waste_gas:
            wanted.append(
                (
                    WASTE_GAS,
                    permits_pb2.AddOutletRequest(
                        uscc=e.uscc,
                        kind=WASTE_GAS,
                        name="1#废气排气筒",
                        location=common_pb2.GeoPoint(lat=lat + 0.001, lon=lon),
                        monitored_pollutants=list(city.WASTE_GAS_LIMITS),
                    ),
                    city.WASTE_GAS_LIMITS,
                )
            )
        existing = self.stub.ListOutlets(permits_pb2.ListOutletsRequest(uscc=e.uscc), metadata=self.metadata)
        by_kind = {o.kind: o.outlet_id for o in existing.outlets}
        outlets, added = [], 0
        for kind, request, limits in wanted:
            if kind not in by_kind:
                by_kind[kind] = self.stub.AddOutlet(request, metadata=self.metadata).outlet_id
                added += 1
            outlets.append(permits_pb2.OutletLimits(outlet_id=by_kind[kind], limits=_limits(limits)))
        return outlets, added

    def _permit(self, e: city.DemoEnterprise, outlets: list[permits_pb2.OutletLimits]) -> str:
        """A valid permit for `e`: the one it holds, or the application in progress carried through."""
        held = self.stub.ListPermits(permits_pb2.ListPermitsRequest(uscc=e.uscc), metadata=self.metadata)
        if valid := [p for p in held.permits if p.status in VALID]:
            return f"permit {valid[0].permit_number} already valid"
        start = pb_date(permit_valid_from(self.today, e.permit_age_years))
        pending = [p for p in held.permits if p.status in IN_PROGRESS]
        if pending:
            permit, resumed = pending[0], " (resumed)"
            # A term cannot start before its application (an earlier load may have applied later).
            start = max(start, permit.applied_on, key=lambda d: (d.year, d.month, d.day))
        else:
            request = permits_pb2.ApplyPermitRequest(uscc=e.uscc, outlets=outlets, applied_on=start)
            permit, resumed = self.stub.ApplyPermit(request, metadata=self.metadata), ""
        number = permit.permit_number
        if permit.status != permits_pb2.PERMIT_STATUS_UNDER_REVIEW:
            review = permits_pb2.PermitActionRequest(permit_number=number, actor=DEMO_ACTOR)
            self.stub.StartPermitReview(review, metadata=self.metadata)
        issued = self.stub.IssuePermit(
            permits_pb2.IssuePermitRequest(permit_number=number, valid_from=start, actor=DEMO_ACTOR),
            metadata=self.metadata,
        )
        status = permits_pb2.PermitStatus.Name(issued.status).removeprefix("PERMIT_STATUS_").lower()
        return f"permit {number} {status}{resumed}"
