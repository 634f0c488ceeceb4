"""The permits gRPC contract against PostgreSQL and Kafka: errors, grants, lifecycle, events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import grpc
import pytest

from eco.v1 import common_pb2, permits_pb2
from services.permits.bootstrap import EXPIRY_WORKER
from shared.periodic import Periodic
from tests.integration.permits.conftest import Permits
from tests.integration.permits.kafka_events import events_about
from tests.support import infra
from tests.unit.permits.factories import fields_pb, limits_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer-9", reason="现场核查通过")


def _code(call) -> tuple[grpc.StatusCode, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()  # type: ignore[attr-defined]


def _register_with_outlet(p: Permits) -> tuple[str, str]:
    code = random_uscc()
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=code.lower(), fields=fields_pb()), metadata=p.md()
    )
    outlet = p.stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=code,
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="废水总排口",
            location=common_pb2.GeoPoint(lat=30.29, lon=121.18),
            receiving_river="四灶浦",
            monitored_pollutants=["COD", "NH3N"],
        ),
        metadata=p.md(),
    )
    return code, outlet.outlet_id


def test_registration_errors_map_to_status_codes(permits: Permits) -> None:
    p = permits
    code = random_uscc()
    created = p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=f" {code.lower()} ", fields=fields_pb()), metadata=p.md()
    )
    assert created.uscc == code and created.fields.contact.person == "张敏"
    status, details = _code(
        lambda: p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb()), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.ALREADY_EXISTS and code in details
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    status, details = _code(
        lambda: p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=bad, fields=fields_pb()), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith(
        "uscc: position 18: check character"
    )
    no_place = fields_pb()
    no_place.ClearField("location")
    status, details = _code(
        lambda: p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=random_uscc(), fields=no_place), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith("fields.location")
    status, _ = _code(
        lambda: p.stub.GetEnterprise(permits_pb2.GetEnterpriseRequest(uscc=random_uscc()), metadata=p.md())
    )
    assert status is grpc.StatusCode.NOT_FOUND
    listed = p.stub.ListEnterprises(permits_pb2.ListEnterprisesRequest(), metadata=p.md())
    assert [e.uscc for e in listed.enterprises] == [code] and listed.page.total == 1


def test_departments_get_only_their_grants(permits: Permits) -> None:
    p = permits
    code = random_uscc()
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb()), metadata=p.md()
    )
    water = p.md(infra.WATER_TOKEN)
    assert p.stub.GetEnterprise(permits_pb2.GetEnterpriseRequest(uscc=code), metadata=water).uscc == code
    status, _ = _code(
        lambda: p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=random_uscc(), fields=fields_pb()), metadata=water
        )
    )
    assert status is grpc.StatusCode.PERMISSION_DENIED
    status, _ = _code(lambda: p.stub.GetEnterprise(permits_pb2.GetEnterpriseRequest(uscc=code)))
    assert status is grpc.StatusCode.UNAUTHENTICATED


def test_bad_quantities_and_dates_are_invalid_argument(permits: Permits) -> None:
    p = permits
    code, outlet_id = _register_with_outlet(p)
    negative = limits_pb(outlet_id, cod=-5.0)
    status, details = _code(
        lambda: p.stub.ApplyPermit(
            permits_pb2.ApplyPermitRequest(uscc=code, outlets=[negative]), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith(
        "outlets[0].limits[0].concentration_limit.value"
    )
    nan = limits_pb(outlet_id, nh3n=float("nan"))
    status, details = _code(
        lambda: p.stub.ApplyPermit(permits_pb2.ApplyPermitRequest(uscc=code, outlets=[nan]), metadata=p.md())
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and "finite" in details
    feb30 = common_pb2.Date(year=2026, month=2, day=30)
    status, details = _code(
        lambda: p.stub.ApplyPermit(
            permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet_id)], applied_on=feb30),
            metadata=p.md(),
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith(
        "applied_on: 2026-02-30 is not a date"
    )
    status, details = _code(
        lambda: p.stub.ListExpiringPermits(
            permits_pb2.ListExpiringPermitsRequest(
                **cast(dict[str, Any], {"from": common_pb2.Date(year=2027, month=1, day=2)}),
                to=common_pb2.Date(year=2027, month=1, day=1),
            ),
            metadata=p.md(),
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith("to:")
    status, details = _code(
        lambda: p.stub.AllocateRights(
            permits_pb2.AllocateRightsRequest(pollutant="PM25", uscc=code, tonnes=1, actor=WHO),
            metadata=p.md(),
        )
    )
    assert status is grpc.StatusCode.INVALID_ARGUMENT and details.startswith("pollutant:")
    assert p.stub.ListPermits(permits_pb2.ListPermitsRequest(uscc=code), metadata=p.md()).permits == []


def test_lifecycle_over_grpc_and_its_events_in_kafka(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    code, outlet_id = _register_with_outlet(p)
    applied = p.stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet_id)]), metadata=p.md()
    )
    number = applied.permit_number
    status, details = _code(
        lambda: p.stub.IssuePermit(
            permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=p.md()
        )
    )
    assert (
        status is grpc.StatusCode.FAILED_PRECONDITION and "cannot issue a permit that is applied" in details
    )
    p.stub.StartPermitReview(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    issued = p.stub.IssuePermit(
        permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    assert issued.status == permits_pb2.PERMIT_STATUS_ISSUED
    assert (issued.valid_until.year, issued.valid_until.month, issued.valid_until.day) == (2031, 3, 1)
    assert issued.last_action.department == "bureau" and issued.last_action.reason == WHO.reason
    # Renewal is granted only after an application (排污许可管理条例 art. 14).
    status, details = _code(
        lambda: p.stub.RenewPermit(
            permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
        )
    )
    assert status is grpc.StatusCode.FAILED_PRECONDITION and "no renewal application under review" in details
    p.clock.set(p.clock.now() + timedelta(days=(365 * 5) - 30))
    applied = p.stub.ApplyPermitRenewal(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    assert applied.latest_renewal.status == permits_pb2.PERMIT_RENEWAL_STATUS_PENDING
    renewed = p.stub.RenewPermit(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    assert renewed.status == permits_pb2.PERMIT_STATUS_RENEWED and renewed.valid_until.year == 2036
    record = p.stub.GetEnterpriseRecord(permits_pb2.GetEnterpriseRequest(uscc=code), metadata=p.md())
    assert [o.outlet_id for o in record.outlets] == [outlet_id] and [
        x.permit_number for x in record.permits
    ] == [number]

    seen = events_about(
        kafka_bootstrap,
        code,
        until_types={"EnterpriseRegistered", "OutletAdded", "PermitIssued", "PermitRenewed"},
    )
    assert [t for t, _ in seen] == [
        "EnterpriseRegistered",
        "OutletAdded",
        "PermitIssued",
        "PermitRenewalApplied",
        "PermitRenewed",
    ]
    issued_event = seen[2][1]
    assert isinstance(issued_event, permits_pb2.PermitIssued)
    assert issued_event.permit_number == number and issued_event.outlets[0].outlet_id == outlet_id
    assert {lim.parameter for lim in issued_event.outlets[0].limits} == {"COD", "NH3N"}


def test_the_scheduler_expires_permits_by_the_injected_clock(start_permits, kafka_bootstrap: str) -> None:  # type: ignore[no-untyped-def]
    p = start_permits(expiry_every=0.2)
    code, outlet_id = _register_with_outlet(p)
    # Entered from a paper permit applied for and issued almost five years ago: it ends on 2026-03-05.
    applied_on = common_pb2.Date(year=2021, month=2, day=1)
    request = permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet_id)], applied_on=applied_on)
    number = p.stub.ApplyPermit(request, metadata=p.md()).permit_number
    p.stub.StartPermitReview(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    start = common_pb2.Date(year=2021, month=3, day=6)
    issued = p.stub.IssuePermit(
        permits_pb2.IssuePermitRequest(permit_number=number, valid_from=start, actor=WHO), metadata=p.md()
    )
    assert (issued.valid_until.year, issued.valid_until.month, issued.valid_until.day) == (2026, 3, 5)

    def status() -> int:
        return p.stub.GetPermit(permits_pb2.GetPermitRequest(permit_number=number), metadata=p.md()).status

    [scheduler] = [w for w in p.service.workers if isinstance(w, Periodic) and w.name == EXPIRY_WORKER]

    def two_more_passes() -> None:
        # The pass under way may have read the clock before it moved: wait for one that started after.
        done = scheduler.runs
        infra.wait_for(lambda: scheduler.runs >= done + 2, timeout=10, what="two scheduler passes")

    expiring = p.stub.ListExpiringPermits(permits_pb2.ListExpiringPermitsRequest(), metadata=p.md())
    assert [x.permit_number for x in expiring.permits] == [number]
    two_more_passes()
    p.clock.advance(timedelta(days=3))  # 2026-03-05, the last valid day
    two_more_passes()  # passes that ran on the last valid day changed nothing
    assert status() == permits_pb2.PERMIT_STATUS_ISSUED
    p.clock.advance(timedelta(days=1))
    infra.wait_for(
        lambda: status() == permits_pb2.PERMIT_STATUS_EXPIRED, timeout=10, what="the scheduler to expire it"
    )
    seen = events_about(kafka_bootstrap, code, until_types={"PermitExpired"})
    assert [t for t, _ in seen].count("PermitExpired") == 1
