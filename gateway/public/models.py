"""The JSON the public routes answer (with Accept: application/json), as documented models.

The public page's JSON is built by gateway.public.views and page; these models describe it for the
OpenAPI document and the contract test (tests/integration/gateway): a field added there must be
added here. The public refusals keep their own words ("malformed", "revoked", ...) and the hotline,
since a person in front of a sticker reads them; operators' routes answer gateway.errors.ErrorOut.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, create_model

from eco.v1 import permits_pb2
from gateway.contract import Out
from gateway.proto_json import model_of

LocalTime = Field(description="Local (China) ISO time, or null when not known")


class IndustryOut(Out):
    """GB/T 4754-2017 code and its section."""

    code: str
    section: str


class CreditOut(Out):
    """The enterprise's environmental credit: level, colour and words, and when it was rated."""

    level: str = Field(json_schema_extra={"enum": ["green", "blue", "yellow", "red", "black", "unrated"]})
    colour: str
    label: str
    meaning: str
    as_of: str | None = LocalTime


class PublicPermitOut(Out):
    """The discharge permit as the code service knows it; only `state` and `as_of` when none."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    state: str
    as_of: str | None = LocalTime
    number: str | None = None
    class_: str | None = Field(None, alias="class")
    valid_from: str | None = None
    valid_to: str | None = None


class Fact(Out):
    """A figure asked live from its owner: `available` false with the `reason` when it did not answer."""

    available: bool
    reason: str | None = None
    as_of: str | None = LocalTime
    as_of_kind: str | None = Field(None, json_schema_extra={"enum": ["latest_item", "checked_at"]})


class InspectionOut(Fact):
    """The last published inspection."""

    date: str | None = None
    outcome: str | None = None
    published_at: str | None = None


class RectificationOut(Out):
    """A decided case not yet rectified."""

    case_number: str
    title: str
    rectify_by: str | None


class RectificationsOut(Fact):
    """Open rectifications."""

    count: int | None = None
    items: list[RectificationOut] | None = None


class PenaltyOut(Out):
    """A penalty decided (the public part of the decision)."""

    document_number: str
    decided_at: str | None
    violation: str
    legal_basis: str
    penalties: list[str]
    fine_yuan: float


class PenaltiesOut(Fact):
    """Penalties decided in the last three years."""

    since: str | None = None
    count: int | None = None
    items: list[PenaltyOut] | None = None


class StaleOut(Out):
    """Shown while the code service does not answer: the status last known and its age."""

    as_of: str
    age_seconds: int
    reason: str


class ReportProblemOut(Out):
    """Where and how to file a petition about this enterprise."""

    url: str
    categories: dict[str, str]
    hotline: str


_RecordBase: Any = model_of(permits_pb2.EnterpriseRecord)
# An officer's inline record: the operators' record, or why it is missing.
_INTERNAL_FIELDS: dict[str, Any] = {
    "available": (bool, ...),
    "link": (str | None, None),
    "reason": (str | None, None),
    **{name: (info.annotation | None, None) for name, info in _RecordBase.model_fields.items()},
}
InternalRecordOut: Any = create_model("InternalRecordOut", __base__=Out, **_INTERNAL_FIELDS)


class PublicStatusOut(Out):
    """What a scanned code shows: the enterprise's public status, and for an officer the full record."""

    uscc: str
    name: str
    town: str
    industry: IndustryOut
    profile_as_of: str | None = LocalTime
    credit: CreditOut
    permit: PublicPermitOut
    code_version: int
    last_inspection: InspectionOut
    open_rectifications: RectificationsOut
    penalties_last_3_years: PenaltiesOut
    report_problem: ReportProblemOut
    stale: StaleOut | None = None
    full_record: str | None = Field(None, description="Officers only: the record's API path")
    internal: InternalRecordOut | None = Field(None, description="Officers only: the full record")


class PublicRefusalOut(Out):
    """A code the page cannot show, in words for the public, or a figure unavailable right now."""

    error: str = Field(
        json_schema_extra={
            "enum": [
                "malformed",
                "tampered",
                "unknown",
                "superseded",
                "revoked",
                "unavailable",
                "rate_limited",
            ]
        }
    )
    message: str
    detail: str | None = None
    hotline: str | None = None


class PetitionReceivedOut(Out):
    """A petition received: its tracking code and the date by which acceptance is decided."""

    tracking_code: str
    received_at: str | None
    accept_due_at: str | None
    message: str


class PetitionRefusedOut(Out):
    """A field of the form refused (`field` and the reason), a code refused (as on the page), or
    intake unavailable."""

    error: str
    message: str
    field: str | None = None
    detail: str | None = None
    hotline: str | None = None
