"""Bad input through gRPC: control characters, dates out of range, unknown pollutants and units,
permits dated in the future, updates that contradict permits. Each is refused with the field and
the reason, and changes nothing."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import grpc
import pytest

from eco.v1 import common_pb2, permits_pb2
from tests.integration.permits.conftest import Permits
from tests.unit.permits.factories import fields_pb, limits_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer-4", reason="录入")
NUL = "\x00"


@dataclass
class World:
    """An enterprise with an outlet and a permit under review, an EIA under review, a flagged one."""

    code: str
    outlet_id: str
    permit_number: str
    eia_id: str
    radiation_code: str


def _world(p: Permits) -> World:
    md = p.md()
    code, radiation_code = random_uscc(), random_uscc()
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb()), metadata=md
    )
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(
            uscc=radiation_code, fields=fields_pb(flags=(permits_pb2.RISK_FLAG_RADIATION_SOURCES,))
        ),
        metadata=md,
    )
    outlet = p.stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=code,
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="总排口",
            location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
            receiving_river="四灶浦",
            monitored_pollutants=["COD"],
        ),
        metadata=md,
    )
    number = p.stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet.outlet_id)]), metadata=md
    ).permit_number
    p.stub.StartPermitReview(permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=md)
    eia = p.stub.AcceptEia(
        permits_pb2.AcceptEiaRequest(
            uscc=code, project_name="技改", document_type=permits_pb2.EIA_DOCUMENT_TYPE_REPORT, actor=WHO
        ),
        metadata=md,
    )
    p.stub.StartEiaReview(permits_pb2.EiaActionRequest(eia_id=eia.eia_id, actor=WHO), metadata=md)
    return World(code, outlet.outlet_id, number, eia.eia_id, radiation_code)


def _refused(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()  # type: ignore[attr-defined]


class _Bound:
    """A stub whose calls all carry the same metadata."""

    def __init__(self, stub: Any, md: Any) -> None:
        self._stub, self._md = stub, md

    def __getattr__(self, name: str) -> Callable[[Any], Any]:
        rpc = getattr(self._stub, name)
        return lambda request: rpc(request, metadata=self._md)


def _snapshot(p: Permits, w: World) -> tuple[bytes, bytes, bytes]:
    md = p.md()
    record = p.stub.GetEnterpriseRecord(permits_pb2.GetEnterpriseRequest(uscc=w.code), metadata=md)
    listed = p.stub.ListEnterprises(permits_pb2.ListEnterprisesRequest(), metadata=md)
    radiation = p.stub.ListRadiationPermits(permits_pb2.ListRadiationPermitsRequest(), metadata=md)
    return record.SerializeToString(), listed.SerializeToString(), radiation.SerializeToString()


def _with_nul(actor: common_pb2.Actor = WHO) -> common_pb2.Actor:
    return common_pb2.Actor(user=actor.user, reason=f"超标{NUL}排放")


CONTROL_CASES: list[tuple[str, Callable[[Any, World], Any]]] = [
    (
        "fields.name",
        lambda s, w: s.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=random_uscc(), fields=fields_pb(name=f"a{NUL}b"))
        ),
    ),
    (
        "fields.contact.person",
        lambda s, w: s.UpdateEnterprise(
            permits_pb2.UpdateEnterpriseRequest(
                uscc=w.code,
                fields=permits_pb2.EnterpriseFields(contact=permits_pb2.Contact(person=f"张{NUL}")),
                update_mask={"paths": ["contact"]},
            )
        ),
    ),
    ("town", lambda s, w: s.ListEnterprises(permits_pb2.ListEnterprisesRequest(town=f"周{NUL}巷"))),
    (
        "page.page_token",
        lambda s, w: s.ListPermits(
            permits_pb2.ListPermitsRequest(
                page=common_pb2.PageRequest(page_token=base64.urlsafe_b64encode(b"A\x00").decode())
            )
        ),
    ),
    (
        "name",
        lambda s, w: s.AddOutlet(
            permits_pb2.AddOutletRequest(
                uscc=w.code,
                kind=permits_pb2.OUTLET_KIND_WASTE_GAS,
                name=f"1#{NUL}",
                location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
            )
        ),
    ),
    (
        "permit_number",
        lambda s, w: s.GetPermit(permits_pb2.GetPermitRequest(permit_number=f"{w.permit_number}{NUL}")),
    ),
    (
        "actor.reason",
        lambda s, w: s.RejectPermit(
            permits_pb2.PermitActionRequest(permit_number=w.permit_number, actor=_with_nul())
        ),
    ),
    ("eia_id", lambda s, w: s.GetEia(permits_pb2.GetEiaRequest(eia_id=f"{w.eia_id}{NUL}"))),
    (
        "note",
        lambda s, w: s.DecideEia(
            permits_pb2.DecideEiaRequest(eia_id=w.eia_id, approved=True, note=f"同意{NUL}", actor=WHO)
        ),
    ),
    (
        "project_name",
        lambda s, w: s.AcceptEia(
            permits_pb2.AcceptEiaRequest(
                uscc=w.code, project_name=f"扩建{NUL}", document_type=permits_pb2.EIA_DOCUMENT_TYPE_REPORT
            )
        ),
    ),
    (
        "scope",
        lambda s, w: s.IssueRadiationPermit(
            permits_pb2.IssueRadiationPermitRequest(uscc=w.radiation_code, scope=f"III类{NUL}", actor=WHO)
        ),
    ),
    (
        "actor.user",
        lambda s, w: s.SetRightsCap(
            permits_pb2.SetRightsCapRequest(
                pollutant="COD", cap_tonnes=1, actor=common_pb2.Actor(user=f"u{NUL}", reason="r")
            )
        ),
    ),
]


@pytest.mark.parametrize(("field", "call"), CONTROL_CASES, ids=[f for f, _ in CONTROL_CASES])
def test_control_characters_are_invalid_argument_naming_the_field(
    permits: Permits, field: str, call: Callable[[Any, World], Any]
) -> None:
    p = permits
    world = _world(p)
    before = _snapshot(p, world)
    status, details = _refused(lambda: call(_Bound(p.stub, p.md()), world))
    assert status is grpc.StatusCode.INVALID_ARGUMENT
    expected = (
        "not a token this service returned"
        if field == "page.page_token"
        else "must not contain control characters"
    )
    assert details == f"{field}: {expected}"
    assert _snapshot(p, world) == before


def _date(y: int, m: int, d: int) -> common_pb2.Date:
    return common_pb2.Date(year=y, month=m, day=d)


def test_dates_outside_the_supported_range_are_invalid_argument(permits: Permits) -> None:
    p = permits
    w = _world(p)
    s = _Bound(p.stub, p.md())
    cases: list[tuple[str, Callable[[], Any]]] = [
        (
            "valid_from",
            lambda: s.IssuePermit(
                permits_pb2.IssuePermitRequest(
                    permit_number=w.permit_number, valid_from=_date(9999, 6, 1), actor=WHO
                )
            ),
        ),
        (
            "valid_from",
            lambda: s.IssueRadiationPermit(
                permits_pb2.IssueRadiationPermitRequest(
                    uscc=w.radiation_code, scope="III类射线装置", valid_from=_date(9999, 1, 1), actor=WHO
                )
            ),
        ),
        (
            "from",
            lambda: s.ListExpiringPermits(
                permits_pb2.ListExpiringPermitsRequest(**cast(dict[str, Any], {"from": _date(9999, 12, 1)}))
            ),
        ),
        ("to", lambda: s.ListExpiringPermits(permits_pb2.ListExpiringPermitsRequest(to=_date(2201, 1, 1)))),
        (
            "at",
            lambda: s.GetRadiationHoldingRate(permits_pb2.GetRadiationHoldingRateRequest(at=_date(1, 1, 1))),
        ),
        (
            "applied_on",
            lambda: s.ApplyPermit(
                permits_pb2.ApplyPermitRequest(
                    uscc=w.code, outlets=[limits_pb(w.outlet_id)], applied_on=_date(1948, 12, 31)
                )
            ),
        ),
    ]
    before = _snapshot(p, w)
    for field, call in cases:
        status, details = _refused(call)
        assert status is grpc.StatusCode.INVALID_ARGUMENT, (field, details)
        assert details.startswith(f"{field}: ") and "is outside 1949-01-01 .. 2200-12-31" in details
    assert _snapshot(p, w) == before
    # The edges themselves are dates like any other.
    edge = s.ListExpiringPermits(
        permits_pb2.ListExpiringPermitsRequest(**cast(dict[str, Any], {"from": _date(2200, 12, 31)}))
    )
    assert list(edge.permits) == []


def test_permits_dated_in_the_future_are_refused(permits: Permits) -> None:
    p = permits
    w = _world(p)
    s = _Bound(p.stub, p.md())
    tomorrow = _date(2026, 3, 3)  # the service's clock says 2026-03-02
    for call in (
        lambda: s.IssuePermit(
            permits_pb2.IssuePermitRequest(permit_number=w.permit_number, valid_from=tomorrow, actor=WHO)
        ),
        lambda: s.IssueRadiationPermit(
            permits_pb2.IssueRadiationPermitRequest(
                uscc=w.radiation_code, scope="III类", valid_from=tomorrow, actor=WHO
            )
        ),
    ):
        status, details = _refused(call)
        assert status is grpc.StatusCode.INVALID_ARGUMENT
        assert details.startswith(
            "valid_from: a permit is entered when it is in force; 2026-03-03 is after today"
        )
    permit = s.GetPermit(permits_pb2.GetPermitRequest(permit_number=w.permit_number))
    assert permit.status == permits_pb2.PERMIT_STATUS_UNDER_REVIEW


def test_unknown_pollutants_and_wrong_units_are_refused(permits: Permits) -> None:
    p = permits
    w = _world(p)
    s = _Bound(p.stub, p.md())
    status, details = _refused(
        lambda: s.AddOutlet(
            permits_pb2.AddOutletRequest(
                uscc=w.code,
                kind=permits_pb2.OUTLET_KIND_WASTE_GAS,
                name="1#排气筒",
                location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
                monitored_pollutants=["SO2", "P0"],
            )
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith("monitored_pollutants[1]: 'P0' is not a waste-gas outlet parameter")
    wrong_unit = limits_pb(w.outlet_id)
    wrong_unit.limits[0].concentration_limit.unit = "mg/m3"
    status, details = _refused(
        lambda: s.IssuePermit(
            permits_pb2.IssuePermitRequest(permit_number=w.permit_number, outlets=[wrong_unit], actor=WHO)
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT
    assert (
        details == "outlets[0].limits[0].concentration_limit.unit: COD limit unit must be mg/L, got 'mg/m3'"
    )
    assert [o.outlet_id for o in s.ListOutlets(permits_pb2.ListOutletsRequest(uscc=w.code)).outlets] == [
        w.outlet_id
    ]


def test_updates_that_contradict_permits_are_failed_precondition(permits: Permits) -> None:
    p = permits
    w = _world(p)
    s = _Bound(p.stub, p.md())
    status, details = _refused(
        lambda: s.UpdateEnterprise(
            permits_pb2.UpdateEnterpriseRequest(
                uscc=w.code,
                fields=permits_pb2.EnterpriseFields(permit_class=common_pb2.PERMIT_CLASS_REGISTRATION),
                update_mask={"paths": ["permit_class"]},
            )
        )
    )
    assert status is grpc.StatusCode.FAILED_PRECONDITION
    assert f"has discharge permit {w.permit_number} (under_review)" in details
    radiation = s.IssueRadiationPermit(
        permits_pb2.IssueRadiationPermitRequest(uscc=w.radiation_code, scope="III类射线装置", actor=WHO)
    )
    status, details = _refused(
        lambda: s.UpdateEnterprise(
            permits_pb2.UpdateEnterpriseRequest(
                uscc=w.radiation_code,
                fields=permits_pb2.EnterpriseFields(),
                update_mask={"paths": ["risk_flags"]},
            )
        )
    )
    assert status is grpc.StatusCode.FAILED_PRECONDITION
    assert f"holds radiation-safety permit {radiation.permit_number}" in details
    flagged = s.ListEnterprises(
        permits_pb2.ListEnterprisesRequest(risk_flag=permits_pb2.RISK_FLAG_RADIATION_SOURCES)
    )
    assert [e.uscc for e in flagged.enterprises] == [w.radiation_code]


def test_eia_ids_are_found_in_any_case(permits: Permits) -> None:
    p = permits
    w = _world(p)
    found = p.stub.GetEia(permits_pb2.GetEiaRequest(eia_id=f" {w.eia_id.lower()} "), metadata=p.md())
    assert found.eia_id == w.eia_id and found.status == permits_pb2.EIA_STATUS_UNDER_REVIEW
