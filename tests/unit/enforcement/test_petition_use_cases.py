"""Petition use cases on SQLite with a manual clock: deadlines at their exact boundaries in China time,
escalation once per lapse, one extension, linking of repeats, the problem an acceptance opens, the
public view, and the contact's retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from services.enforcement.domain.petition_records import intake
from services.enforcement.domain.petitions import Status
from services.enforcement.domain.values import Actor, GeoPoint
from services.enforcement.entrypoints import petition_messages
from services.enforcement.service_layer import inspections, petitions, problems
from services.enforcement.service_layer.unit_of_work import Deps
from shared.china_time import CHINA_TIME
from shared.clock import ManualClock
from shared.errors import FailedPrecondition, InvalidArgument
from shared.schema import outbox
from tests.unit.enforcement.factories import USCC
from tests.unit.enforcement.support import city_with_two_towns

OFFICER = Actor("bureau", "officer", "")
CONTACT = "13805741234"


def cst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A time in China Standard Time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CHINA_TIME)


def _submit(deps: Deps, *, uscc: str = USCC, category: str = "water", where: GeoPoint | None = None) -> str:
    i = intake(
        uscc=uscc,
        source="code_page",
        category=category,
        text_in="河边排口夜里排出黄色污水，有刺鼻气味。",
        contact=CONTACT,
        location=where,
    )
    return petitions.submit(deps, i, department="gateway").petition.petition_id


@pytest.fixture
def city(deps: Deps, clock: ManualClock) -> Deps:
    """Two town grids; the enterprise registered in the western one. The clock at 23:59:59 local."""
    city_with_two_towns(deps)
    with deps.engine.begin() as conn:
        inspections.enterprise_registered(
            conn,
            uscc=USCC,
            name="绿水化工",
            town="浒山",
            grid_id="west",
            permit_class="key",
            risk_flags=[],
            location=GeoPoint(30.15, 121.25),
        )
    clock.set(cst(2026, 3, 1, 23, 59, 59))
    return deps


def test_the_accept_deadline_and_its_escalation_fall_on_the_exact_second(
    city: Deps, clock: ManualClock
) -> None:
    pid = _submit(city)
    record = petitions.get(city, petition_id=pid)
    # Received on 1 March (local) one second before midnight: day 1 is 2 March, day 15 is 16 March.
    assert record.petition.accept_due_at == cst(2026, 3, 16, 23, 59, 59)
    assert (record.town, record.grid_id) == ("浒山", "west")  # routed by the enterprise's place
    clock.set(cst(2026, 3, 16, 23, 59, 59))
    assert petitions.escalate_overdue(city) == 0
    clock.set(cst(2026, 3, 17, 0, 0, 0))
    assert petitions.escalate_overdue(city) == 1
    assert petitions.escalate_overdue(city) == 0  # once per lapse
    assert petitions.get(city, petition_id=pid).escalation_level == 1
    overdue = petitions.get_all(
        city, statuses=[], uscc="", town="", grid_id="", overdue_only=True, page_size=0, page_token=""
    )
    assert [r.petition.petition_id for r in overdue.items] == [pid]


def test_accepting_opens_a_problem_in_its_grid_and_one_extension_is_allowed(
    city: Deps, clock: ManualClock
) -> None:
    pid = _submit(city)
    clock.set(cst(2026, 3, 5, 10, 0))
    accepted = petitions.decide(
        city, petition_id=pid, accept=True, decline_reason="", owner=None, actor=OFFICER
    )
    assert accepted.petition.status is Status.ACCEPTED
    assert accepted.petition.handle_due_at == cst(2026, 5, 4, 23, 59, 59)  # 60 days after 5 March
    problem, _ = problems.get(city, problem_id=accepted.problem_id)
    assert problem.fields.source.value == "petition" and problem.fields.grid_id == "west"
    with pytest.raises(InvalidArgument, match="days"):
        petitions.extend(city, petition_id=pid, days=31, reason="现场取证", actor=OFFICER)
    with pytest.raises(InvalidArgument, match="reason"):
        petitions.extend(city, petition_id=pid, days=10, reason=" ", actor=OFFICER)
    extended = petitions.extend(city, petition_id=pid, days=30, reason="需要第三方检测", actor=OFFICER)
    assert extended.petition.handle_due_at == cst(2026, 6, 3, 23, 59, 59)
    with pytest.raises(FailedPrecondition, match="one extension"):
        petitions.extend(city, petition_id=pid, days=1, reason="再延", actor=OFFICER)
    clock.set(cst(2026, 6, 3, 23, 59, 59))
    assert petitions.escalate_overdue(city) == 0
    clock.set(cst(2026, 6, 4, 0, 0, 0))
    assert petitions.escalate_overdue(city) == 1


def test_repeats_are_linked_and_reach_the_same_problem(city: Deps, clock: ManualClock) -> None:
    first = _submit(city)
    clock.advance(timedelta(days=3))
    repeat = _submit(city)
    other_issue = _submit(city, category="noise")
    assert petitions.get(city, petition_id=repeat).petition.linked_to == first
    assert petitions.get(city, petition_id=other_issue).petition.linked_to == ""
    a = petitions.decide(city, petition_id=first, accept=True, decline_reason="", owner=None, actor=OFFICER)
    b = petitions.decide(city, petition_id=repeat, accept=True, decline_reason="", owner=None, actor=OFFICER)
    assert a.problem_id and a.problem_id == b.problem_id
    clock.advance(timedelta(days=31))
    late = _submit(city)
    assert petitions.get(city, petition_id=late).petition.linked_to == ""  # outside the window


def test_the_public_view_and_events_never_carry_the_contact_and_retention_erases_it(
    city: Deps, clock: ManualClock
) -> None:
    pid = _submit(city)
    record = petitions.get(city, petition_id=pid)
    public = petition_messages.public(
        petitions.track(city, tracking_code=record.tracking_code.lower()), clock.now()
    )
    assert public.contact == "" and public.text == "" and public.petition_id == "" and public.grid_id == ""
    assert public.status == petition_messages.STATUS[Status.RECEIVED] and public.uscc == USCC
    petitions.decide(
        city, petition_id=pid, accept=False, decline_reason="不属于本部门职责", owner=None, actor=OFFICER
    )
    petitions.close(city, petition_id=pid, actor=OFFICER)
    with city.engine.connect() as conn:
        query = sa.select(outbox.c.event_type, outbox.c.envelope).where(outbox.c.event_type.like("Petition%"))
        rows = list(conn.execute(query.order_by(outbox.c.id)))
    assert [t for t, _ in rows] == ["PetitionReceived", "PetitionStatusChanged", "PetitionClosed"]
    assert all(CONTACT.encode() not in bytes(envelope) for _, envelope in rows)
    clock.advance(timedelta(days=179))
    assert petitions.purge_contacts(city) == 0
    assert petitions.get(city, petition_id=pid).contact == CONTACT
    clock.advance(timedelta(days=2))
    assert petitions.purge_contacts(city) == 1
    gone = petitions.get(city, petition_id=pid)
    assert gone.contact == "" and gone.contact_purged_at == clock.now()


def test_bad_submissions_are_refused_naming_the_field() -> None:
    for change, field in (
        ({"source": "pigeon"}, "source"),
        ({"category": "gossip"}, "category"),
        ({"uscc": "123"}, "uscc"),
        ({"uscc": ""}, "location"),
        ({"text_in": ""}, "text"),
        ({"contact": "x" * 101}, "contact"),
    ):
        values = dict(
            uscc=USCC, source="hotline_12369", category="air", text_in="异味", contact="", location=None
        )
        values.update(change)
        with pytest.raises(InvalidArgument) as refused:
            intake(**values)  # type: ignore[arg-type]
        assert refused.value.field == field
