"""EIA approvals (环境影响评价): document types, legal deadlines and the approval state machine.

EIA Law art. 22: the approving authority decides within 60 days of accepting a report (报告书)
and 30 days of accepting a report form (报告表); a registration form (登记表) is filed, not approved.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from services.permits.domain import values
from services.permits.domain.values import Actor
from shared.errors import FailedPrecondition, InvalidArgument


class EiaDocumentType(enum.StrEnum):
    """The three EIA document types."""

    REPORT = "report"
    REPORT_FORM = "report_form"
    REGISTRATION_FORM = "registration_form"


class EiaStatus(enum.StrEnum):
    """States of an EIA application."""

    ACCEPTED = "accepted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    FILED = "filed"


# EIA Law art. 22 (calendar days from acceptance).
LEGAL_DAYS = {EiaDocumentType.REPORT: 60, EiaDocumentType.REPORT_FORM: 30}
# Local practice, not a national rule: the bureau's internal target for "green channel" major
# projects. Kept here as data so a city can change it.
GREEN_CHANNEL_DAYS = {EiaDocumentType.REPORT: 30, EiaDocumentType.REPORT_FORM: 15}
PENDING = frozenset({EiaStatus.ACCEPTED, EiaStatus.UNDER_REVIEW})


@dataclass(frozen=True)
class EiaApplication:
    """One EIA application."""

    eia_id: str
    uscc: str
    project_name: str
    document_type: EiaDocumentType
    status: EiaStatus
    accepted_on: date
    green_channel: bool
    decided_on: date | None
    decision_note: str
    last_action: Actor

    @property
    def deadline(self) -> date | None:
        """The legal deadline for the decision; None for a filed registration form."""
        days = LEGAL_DAYS.get(self.document_type)
        return self.accepted_on + timedelta(days=days) if days else None

    @property
    def internal_target(self) -> date | None:
        """The green channel's internal target date, when the flag is set."""
        days = GREEN_CHANNEL_DAYS.get(self.document_type)
        return self.accepted_on + timedelta(days=days) if self.green_channel and days else None

    def days_left(self, today: date) -> int:
        """Days from today (or from the decision, once decided) to the deadline; negative when late."""
        if self.deadline is None:
            return 0
        return (self.deadline - (self.decided_on or today)).days

    def overdue(self, today: date) -> bool:
        """Pending past the deadline, or decided after it."""
        return self.deadline is not None and self.days_left(today) < 0


def initial_status(document_type: EiaDocumentType) -> EiaStatus:
    """Registration forms are filed on receipt; reports and report forms wait for review."""
    return EiaStatus.FILED if document_type is EiaDocumentType.REGISTRATION_FORM else EiaStatus.ACCEPTED


def check_accepted_on(accepted_on: date, today: date) -> date:
    """An acceptance date that is not in the future."""
    if accepted_on > today:
        raise InvalidArgument("accepted_on", f"{accepted_on} is in the future (today is {today})")
    return accepted_on


def check_decided_on(decided_on: date, accepted_on: date, today: date) -> date:
    """A decision date between acceptance and today."""
    if decided_on < accepted_on:
        raise InvalidArgument("decided_on", f"{decided_on} is before the acceptance on {accepted_on}")
    if decided_on > today:
        raise InvalidArgument("decided_on", f"{decided_on} is in the future (today is {today})")
    return decided_on


def start_review(app: EiaApplication) -> EiaStatus:
    """accepted -> under review."""
    if app.status is not EiaStatus.ACCEPTED:
        raise FailedPrecondition(
            f"EIA {app.eia_id}: cannot start review of an application that is {app.status}"
        )
    return EiaStatus.UNDER_REVIEW


def decide(app: EiaApplication, approved: bool) -> EiaStatus:
    """under review -> approved / rejected."""
    if app.status is not EiaStatus.UNDER_REVIEW:
        raise FailedPrecondition(
            f"EIA {app.eia_id}: only an application under review can be decided; this one is {app.status}"
        )
    return EiaStatus.APPROVED if approved else EiaStatus.REJECTED


def project_name(raw: str) -> str:
    """The project's name, required."""
    return values.text("project_name", raw, max_len=300)
