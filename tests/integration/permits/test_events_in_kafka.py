"""Events of the rights ledger, EIA approvals, radiation permits and the new permit steps, read back
from the real eco.permits.events topic (not only from the outbox)."""

from __future__ import annotations

import pytest
from google.protobuf.message import Message

from eco.v1 import common_pb2, permits_pb2
from tests.integration.permits.conftest import Permits
from tests.integration.permits.kafka_events import events_about
from tests.support import infra
from tests.unit.permits.factories import fields_pb, limits_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer-5", reason="依法审查")


def _register(p: Permits, flags: tuple[permits_pb2.RiskFlag, ...] = ()) -> str:
    code = random_uscc()
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb(flags=flags)), metadata=p.md()
    )
    return code


def test_rights_events_in_kafka(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    code = _register(p)
    # A cap concerns no enterprise: RightsCapSet is keyed by the pollutant, which earlier runs share,
    # so this run's event is picked out by its unique user.
    me = common_pb2.Actor(user=infra.unique("cap-setter-"), reason="年度总量")
    p.stub.SetRightsCap(
        permits_pb2.SetRightsCapRequest(pollutant="NH3N", cap_tonnes=40.0, actor=me), metadata=p.md()
    )
    p.stub.AllocateRights(
        permits_pb2.AllocateRightsRequest(pollutant="NH3N", uscc=code, tonnes=2.5, actor=WHO), metadata=p.md()
    )

    def mine(_: str, payload: Message) -> bool:
        return isinstance(payload, permits_pb2.RightsCapSet) and payload.actor.user == me.user

    [(_, cap)] = events_about(kafka_bootstrap, "NH3N", until_types={"RightsCapSet"}, where=mine)
    assert isinstance(cap, permits_pb2.RightsCapSet)
    assert (cap.pollutant, cap.cap_tonnes, cap.reserve_tonnes) == ("NH3N", 40.0, 40.0)
    assert cap.actor.department == "bureau" and cap.actor.reason == me.reason
    seen = events_about(kafka_bootstrap, code, until_types={"RightsAllocated"})
    [allocated] = [e for t, e in seen if t == "RightsAllocated"]
    assert isinstance(allocated, permits_pb2.RightsAllocated)
    assert allocated.entry.to_holder == code and allocated.entry.tonnes == 2.5
    assert (allocated.reserve_after_tonnes, allocated.holding_after_tonnes) == (37.5, 2.5)


def test_eia_events_in_kafka(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    code = _register(p)
    accepted = p.stub.AcceptEia(
        permits_pb2.AcceptEiaRequest(
            uscc=code,
            project_name="年产2万吨印染扩建项目",
            document_type=permits_pb2.EIA_DOCUMENT_TYPE_REPORT_FORM,
            actor=WHO,
        ),
        metadata=p.md(),
    )
    p.stub.StartEiaReview(
        permits_pb2.EiaActionRequest(eia_id=accepted.eia_id.lower(), actor=WHO), metadata=p.md()
    )
    p.stub.DecideEia(
        permits_pb2.DecideEiaRequest(
            eia_id=accepted.eia_id, approved=False, note="选址不符\n需重新论证", actor=WHO
        ),
        metadata=p.md(),
    )
    seen = events_about(kafka_bootstrap, code, until_types={"EiaAccepted", "EiaDecided"})
    assert [t for t, _ in seen] == ["EnterpriseRegistered", "EiaAccepted", "EiaDecided"]
    decided = seen[2][1]
    assert isinstance(decided, permits_pb2.EiaDecided)
    assert decided.application.eia_id == accepted.eia_id
    assert decided.application.status == permits_pb2.EIA_STATUS_REJECTED
    assert decided.application.decision_note == "选址不符\n需重新论证"


def test_radiation_events_in_kafka(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    code = _register(p, flags=(permits_pb2.RISK_FLAG_RADIATION_SOURCES,))
    # Entered from a paper permit issued 2021-03-10: it ends on 2026-03-09, inside its 30-day window.
    issued = p.stub.IssueRadiationPermit(
        permits_pb2.IssueRadiationPermitRequest(
            uscc=code,
            scope="使用II类射线装置",
            valid_from=common_pb2.Date(year=2021, month=3, day=10),
            actor=WHO,
        ),
        metadata=p.md(),
    )
    renewed = p.stub.RenewRadiationPermit(
        permits_pb2.RadiationPermitActionRequest(permit_number=issued.permit_number.lower(), actor=WHO),
        metadata=p.md(),
    )
    assert renewed.renewals == 1 and renewed.valid_until.year == 2031
    seen = events_about(
        kafka_bootstrap, code, until_types={"RadiationPermitIssued", "RadiationPermitRenewed"}
    )
    assert [t for t, _ in seen] == ["EnterpriseRegistered", "RadiationPermitIssued", "RadiationPermitRenewed"]
    first, second = seen[1][1], seen[2][1]
    assert isinstance(first, permits_pb2.RadiationPermitIssued)
    assert isinstance(second, permits_pb2.RadiationPermitRenewed)
    assert first.permit.renewals == 0 and second.permit.renewals == 1
    assert (second.permit.valid_from.year, second.permit.valid_from.month, second.permit.valid_from.day) == (
        2026,
        3,
        10,
    )


def test_rejected_withdrawn_and_reinstated_permits_in_kafka(permits: Permits, kafka_bootstrap: str) -> None:
    p = permits
    code = _register(p)
    outlet = p.stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=code,
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="总排口",
            location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
            receiving_river="新塘江",
            monitored_pollutants=["COD", "NH3N"],
        ),
        metadata=p.md(),
    )

    def apply() -> str:
        request = permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet.outlet_id)], actor=WHO)
        applied = p.stub.ApplyPermit(request, metadata=p.md())
        # ApplyPermitRequest.actor is recorded, with the department from the credentials.
        assert (applied.last_action.department, applied.last_action.user) == ("bureau", WHO.user)
        return applied.permit_number

    def act(rpc, number: str) -> permits_pb2.Permit:  # type: ignore[no-untyped-def]
        return rpc(permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md())  # type: ignore[no-any-return]

    withdrawn = act(p.stub.WithdrawPermit, apply())
    assert withdrawn.status == permits_pb2.PERMIT_STATUS_WITHDRAWN
    rejected_number = apply()
    act(p.stub.StartPermitReview, rejected_number)
    assert act(p.stub.RejectPermit, rejected_number).status == permits_pb2.PERMIT_STATUS_REJECTED
    number = apply()
    act(p.stub.StartPermitReview, number)
    p.stub.IssuePermit(permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=p.md())
    act(p.stub.SuspendPermit, number)
    reinstated = act(p.stub.ReinstatePermit, number)
    assert reinstated.status == permits_pb2.PERMIT_STATUS_ISSUED

    wanted = {"PermitWithdrawn", "PermitRejected", "PermitIssued", "PermitSuspended", "PermitReinstated"}
    seen = events_about(kafka_bootstrap, code, until_types=wanted)
    assert [t for t, _ in seen if t in wanted] == [
        "PermitWithdrawn",
        "PermitRejected",
        "PermitIssued",
        "PermitSuspended",
        "PermitReinstated",
    ]
    back = seen[-1][1]
    assert isinstance(back, permits_pb2.PermitReinstated)
    assert back.permit_number == number and back.status == permits_pb2.PERMIT_STATUS_ISSUED
    assert back.outlets[0].outlet_id == outlet.outlet_id
    assert {lim.parameter for lim in back.outlets[0].limits} == {"COD", "NH3N"}
    assert back.actor.reason == WHO.reason
    record = p.stub.GetEnterpriseRecord(permits_pb2.GetEnterpriseRequest(uscc=code), metadata=p.md())
    assert [x.status for x in record.permits] == [
        permits_pb2.PERMIT_STATUS_WITHDRAWN,
        permits_pb2.PERMIT_STATUS_REJECTED,
        permits_pb2.PERMIT_STATUS_ISSUED,
    ]
