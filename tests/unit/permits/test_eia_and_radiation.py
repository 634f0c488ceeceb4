"""EIA approvals and radiation-safety permits through the service layer, time by the manual clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.permits.domain.eia import EiaDocumentType, EiaStatus
from services.permits.domain.enterprise import RiskFlag
from services.permits.domain.radiation import RadiationPermitStatus
from services.permits.domain.values import Actor
from services.permits.service_layer import eia, enterprises, radiation
from services.permits.service_layer.expiry import expire_due
from services.permits.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from tests.unit.permits.factories import fields, random_uscc
from tests.unit.permits.support import published

OFFICER = Actor("bureau", "officer-2", "")
RADIATION = frozenset({RiskFlag.RADIATION_SOURCES})


def _registered(deps: Deps, flags: frozenset[RiskFlag] = frozenset()) -> str:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields(flags=flags))
    return code


def test_eia_report_deadline_days_left_and_overdue_list(deps: Deps, clock: ManualClock) -> None:
    code = _registered(deps)
    report = eia.accept(
        deps,
        uscc=code,
        project_name="年产5万吨涂料项目",
        document_type=EiaDocumentType.REPORT,
        accepted_on=None,
        green_channel=True,
        actor=OFFICER,
    )
    form = eia.accept(
        deps,
        uscc=code,
        project_name="技改项目",
        document_type=EiaDocumentType.REPORT_FORM,
        accepted_on=date(2026, 2, 20),
        green_channel=False,
        actor=OFFICER,
    )
    assert report.deadline == date(2026, 5, 1) and report.days_left(date(2026, 3, 2)) == 60
    assert report.internal_target == date(2026, 4, 1)
    assert form.deadline == date(2026, 3, 22)
    assert [e.project_name for _, e in [(s, p.application) for s, p in published(deps, "EiaAccepted")]] == [
        "年产5万吨涂料项目",
        "技改项目",
    ]

    clock.advance(timedelta(days=25))  # 2026-03-27: the report form is 5 days late
    assert [a.eia_id for a in eia.get_all(deps, overdue_only=True).items] == [form.eia_id]
    eia.start_review(deps, eia_id=form.eia_id, actor=OFFICER)
    decided = eia.decide(deps, eia_id=form.eia_id, approved=True, decided_on=None, note="", actor=OFFICER)
    assert decided.status is EiaStatus.APPROVED and decided.days_left(date(2030, 1, 1)) == -5
    assert eia.get_all(deps, overdue_only=True).items == []
    [(_, event)] = published(deps, "EiaDecided")
    assert event.application.status == 3 and event.application.days_left == -5  # EIA_STATUS_APPROVED


def test_eia_filing_rejection_and_bad_input(deps: Deps) -> None:
    code = _registered(deps)
    filed = eia.accept(
        deps,
        uscc=code,
        project_name="仓库",
        document_type=EiaDocumentType.REGISTRATION_FORM,
        accepted_on=None,
        green_channel=False,
        actor=OFFICER,
    )
    assert filed.status is EiaStatus.FILED and filed.deadline is None
    with pytest.raises(FailedPrecondition):
        eia.start_review(deps, eia_id=filed.eia_id, actor=OFFICER)
    report = eia.accept(
        deps,
        uscc=code,
        project_name="扩建",
        document_type=EiaDocumentType.REPORT,
        accepted_on=None,
        green_channel=False,
        actor=OFFICER,
    )
    eia.start_review(deps, eia_id=report.eia_id, actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"note: required"):
        eia.decide(deps, eia_id=report.eia_id, approved=False, decided_on=None, note="", actor=OFFICER)
    with pytest.raises(InvalidArgument, match=r"decided_on: .* before the acceptance"):
        eia.decide(
            deps, eia_id=report.eia_id, approved=True, decided_on=date(2026, 1, 1), note="", actor=OFFICER
        )
    rejected = eia.decide(
        deps, eia_id=report.eia_id, approved=False, decided_on=None, note="选址不符合规划", actor=OFFICER
    )
    assert rejected.status is EiaStatus.REJECTED
    with pytest.raises(InvalidArgument, match=r"accepted_on: .* in the future"):
        eia.accept(
            deps,
            uscc=code,
            project_name="x",
            document_type=EiaDocumentType.REPORT,
            accepted_on=date(2026, 3, 3),
            green_channel=False,
            actor=OFFICER,
        )
    with pytest.raises(InvalidArgument, match=r"document_type: required"):
        eia.accept(
            deps,
            uscc=code,
            project_name="x",
            document_type=None,
            accepted_on=None,
            green_channel=False,
            actor=OFFICER,
        )
    with pytest.raises(NotFound):
        eia.accept(
            deps,
            uscc=random_uscc(),
            project_name="x",
            document_type=EiaDocumentType.REPORT,
            accepted_on=None,
            green_channel=False,
            actor=OFFICER,
        )


def test_radiation_permit_needs_the_flag_renews_in_window_and_expires(deps: Deps, clock: ManualClock) -> None:
    unflagged = _registered(deps)
    with pytest.raises(FailedPrecondition, match=r"not flagged"):
        radiation.issue(
            deps, uscc=unflagged, permit_number="", scope="III类射线装置", valid_from=None, actor=OFFICER
        )
    code = _registered(deps, RADIATION)
    permit = radiation.issue(
        deps, uscc=code, permit_number="", scope="使用III类射线装置", valid_from=None, actor=OFFICER
    )
    assert permit.permit_number == f"{code}-R01" and permit.valid_until == date(2031, 3, 1)
    clock.set(clock.now() + timedelta(days=(permit.valid_until - date(2026, 3, 2)).days - 31))
    with pytest.raises(FailedPrecondition, match=r"renewal window opens on 2031-01-30"):
        radiation.renew(deps, permit_number=permit.permit_number, actor=OFFICER)
    clock.advance(timedelta(days=1))
    renewed = radiation.renew(deps, permit_number=permit.permit_number, actor=OFFICER)
    assert renewed.status is RadiationPermitStatus.RENEWED and renewed.valid_until == date(2036, 3, 1)
    assert [p.permit.renewals for _, p in published(deps, "RadiationPermitIssued")] == [0]
    [(_, renewal)] = published(deps, "RadiationPermitRenewed")
    assert renewal.permit.renewals == 1 and renewal.permit.valid_until.year == 2036
    after = clock.now() + timedelta(days=(date(2036, 3, 2) - clock.now().date()).days)
    assert expire_due(deps, after).radiation_permits == [permit.permit_number]
    assert radiation.get(deps, permit_number=permit.permit_number).status is RadiationPermitStatus.EXPIRED
    assert len(published(deps, "RadiationPermitExpired")) == 1


def test_holding_rate_at_any_date(deps: Deps, clock: ManualClock) -> None:
    holder = _registered(deps, RADIATION)
    _registered(deps, RADIATION)  # flagged, no permit
    _registered(deps)  # not flagged: not counted
    radiation.issue(
        deps, uscc=holder, permit_number="浙环辐证[B2026]", scope="Ⅴ类放射源", valid_from=None, actor=OFFICER
    )
    today = radiation.holding_rate(deps, at=None)
    assert (today.holding, today.flagged, today.rate) == (1, 2, 0.5)
    before = radiation.holding_rate(deps, at=date(2026, 3, 1))  # nobody was flagged yet
    assert (before.flagged, before.rate) == (0, 1.0)
    after_term = radiation.holding_rate(deps, at=date(2031, 3, 2))
    assert (after_term.holding, after_term.flagged) == (0, 2)
    # Clearing the flag later takes the enterprise out of the denominator from that day on.
    clock.advance(timedelta(days=10))
    missing = today.missing[0]
    enterprises.update(deps, uscc=missing, fields_in=fields(), paths=["risk_flags"])
    assert radiation.holding_rate(deps, at=None).rate == 1.0
    assert radiation.holding_rate(deps, at=date(2026, 3, 5)).rate == 0.5


def test_eia_ids_are_normalised_like_permit_numbers(deps: Deps) -> None:
    code = _registered(deps)
    accepted = eia.accept(
        deps,
        uscc=code,
        project_name="扩建",
        document_type=EiaDocumentType.REPORT,
        accepted_on=None,
        green_channel=False,
        actor=OFFICER,
    )
    assert eia.get(deps, eia_id=f"  {accepted.eia_id.lower()} ").eia_id == accepted.eia_id
    reviewed = eia.start_review(deps, eia_id=accepted.eia_id.lower(), actor=OFFICER)
    assert reviewed.status is EiaStatus.UNDER_REVIEW
    with pytest.raises(InvalidArgument, match=r"eia_id: required"):
        eia.get(deps, eia_id=" ")


def test_a_future_radiation_permit_is_refused(deps: Deps) -> None:
    code = _registered(deps, RADIATION)
    with pytest.raises(InvalidArgument, match=r"valid_from: a permit is entered when it is in force"):
        radiation.issue(
            deps,
            uscc=code,
            permit_number="",
            scope="III类射线装置",
            valid_from=date(2030, 1, 1),
            actor=OFFICER,
        )
    assert radiation.get_all(deps, uscc=code).items == []


def test_radiation_flag_stays_while_a_radiation_permit_is_valid(deps: Deps, clock: ManualClock) -> None:
    code = _registered(deps, RADIATION)
    permit = radiation.issue(
        deps, uscc=code, permit_number="", scope="III类射线装置", valid_from=None, actor=OFFICER
    )
    with pytest.raises(FailedPrecondition, match=rf"holds radiation-safety permit {permit.permit_number}"):
        enterprises.update(deps, uscc=code, fields_in=fields(), paths=["risk_flags"])
    assert enterprises.get(deps, uscc=code).fields.risk_flags == RADIATION
    clock.set(clock.now() + timedelta(days=(date(2031, 3, 2) - date(2026, 3, 2)).days))
    expire_due(deps, clock.now())
    assert (
        enterprises.update(deps, uscc=code, fields_in=fields(), paths=["risk_flags"]).fields.risk_flags
        == set()
    )
