"""The permits routes' request and response models (gateway.routers.permits), and the translation of
request bodies into the permits service's messages. No I/O.

Answers are the service's messages as `gateway.proto_json.to_json` writes them, each documented field
for field by `model_of` (a field the contract does not name is refused, issue 8). Request bodies use
the messages' field names, so a refusal from the service (`outlets[0].limits[1].parameter: ...`) names
the JSON field the operator sent; the one exception is `reason`, which the service calls
`actor.reason`. Every rule on the values (the permit state machine, units, the rights cap) is the
service's: these models check only what JSON alone can say (types, presence, finite numbers).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from eco.v1 import common_pb2, permits_pb2
from gateway.calls import enum_names, enum_value
from gateway.contract import USCC_DESCRIPTION, USCC_EXAMPLE, USCC_SCHEMA, PageOut
from gateway.inputs import In
from gateway.proto_json import model_of
from shared.errors import InvalidArgument

PERMIT_STATUSES = enum_names(permits_pb2.PermitStatus, "PERMIT_STATUS_")
EIA_STATUSES = enum_names(permits_pb2.EiaStatus, "EIA_STATUS_")
EIA_DOCUMENT_TYPES = enum_names(permits_pb2.EiaDocumentType, "EIA_DOCUMENT_TYPE_")
RADIATION_STATUSES = enum_names(permits_pb2.RadiationPermitStatus, "RADIATION_PERMIT_STATUS_")
# The ledger's pollutants (proto/eco/v1/permits.proto, RightsEntry.pollutant); the service decides.
RIGHTS_POLLUTANTS = ["COD", "NH3N", "SO2", "NOX", "VOCS"]
PERMIT_NUMBER = "91330282MA2A0000X1001P"
DAY = "YYYY-MM-DD"

# ---------------------------------------------------------------- answers

PermitOut: Any = model_of(permits_pb2.Permit)
EiaOut: Any = model_of(permits_pb2.EiaApplication)
RadiationPermitOut: Any = model_of(permits_pb2.RadiationPermit)
HoldingRateOut: Any = model_of(permits_pb2.RadiationHoldingRate)
RightsPositionOut: Any = model_of(permits_pb2.RightsPosition)
RightsEntryOut: Any = model_of(permits_pb2.RightsEntry)


class PermitsOut(PageOut):
    """A page of discharge permits."""

    permits: list[PermitOut]


class EiasOut(PageOut):
    """A page of EIA applications."""

    applications: list[EiaOut]


class RadiationPermitsOut(PageOut):
    """A page of radiation safety permits."""

    permits: list[RadiationPermitOut]


class RightsEntriesOut(PageOut):
    """A page of the rights ledger, newest first."""

    entries: list[RightsEntryOut]


# ---------------------------------------------------------------- request bodies


def _uscc(description: str = USCC_DESCRIPTION) -> Any:
    """A required body field naming an enterprise (its pattern documented; the service checks it)."""
    return Field(description=description, examples=[USCC_EXAMPLE], json_schema_extra=USCC_SCHEMA)


def _day(description: str) -> Any:
    return Field(default="", description=f"{DAY}; {description}", examples=[""])


def _tonnes(description: str, example: float) -> Any:
    # JSON's parser takes NaN and 1e999 (infinity): refused here by name, never sent on.
    return Field(description=description, allow_inf_nan=False, examples=[example])


class ActionIn(In):
    """Why the operator takes this step (kept as the record's last action)."""

    reason: str = Field(default="", max_length=500, examples=["现场核查通过"])


class QuantityIn(In):
    """A concentration and its unit: mg/L for wastewater, mg/m3 for waste gas, m3/h for FLOW, empty
    for PH (any other unit is refused, never converted)."""

    value: float = Field(allow_inf_nan=False, examples=[50.0])
    unit: str = Field(default="", max_length=20, examples=["mg/L"])


class PollutantLimitIn(In):
    """The limit of one pollutant at one outlet."""

    parameter: str = Field(
        max_length=20,
        description="Wastewater: COD, NH3N, TP, TN, PH, CR6, PB, HG, CD, AS, NI, CU, ZN, FLOW; "
        "waste gas: SO2, NOX, PM, VOCS, NMHC, CO",
        examples=["COD"],
    )
    concentration_limit: QuantityIn
    annual_tonnes: float = Field(
        default=0.0, allow_inf_nan=False, description="Tonnes a year; 0: no annual tonnage", examples=[12.5]
    )
    concentration_floor: float = Field(
        default=0.0, allow_inf_nan=False, description="Lower bound of a range (pH 6-9); 0: none"
    )


class OutletLimitsIn(In):
    """The limits of one of the enterprise's outlets."""

    outlet_id: str = Field(max_length=40, examples=[f"{USCC_EXAMPLE}-DW001"])
    limits: list[PollutantLimitIn]


class PermitApplicationIn(ActionIn):
    """An enterprise's application for a discharge permit, with the limits it asks for per outlet."""

    uscc: str = _uscc()
    outlets: list[OutletLimitsIn]
    applied_on: str = _day("default today; never in the future")


class IssueIn(ActionIn):
    """Issue a permit under review (its limits as applied, unless `outlets` replaces them)."""

    valid_from: str = _day("default today; never in the future")
    outlets: list[OutletLimitsIn] = Field(
        default_factory=list, description="Limits replacing the applied ones; empty keeps them"
    )


class EiaDecisionIn(ActionIn):
    """Approve or reject an EIA application."""

    approved: bool
    note: str = Field(default="", max_length=2000)
    decided_on: str = _day("default today")


class EiaIn(ActionIn):
    """An EIA application the bureau has accepted (a registration form is filed at once)."""

    uscc: str = _uscc()
    project_name: str = Field(max_length=200, examples=["年产500万米印染面料技改项目"])
    document_type: str = Field(
        description="report (报告书, 60 days), report_form (报告表, 30 days) or registration_form "
        "(登记表, filed); EIA Law art. 22",
        examples=["report_form"],
        json_schema_extra={"enum": [*EIA_DOCUMENT_TYPES]},
    )
    accepted_on: str = _day("default today; never in the future")
    green_channel: bool = Field(default=False, description="A major project: the internal target applies")


class RadiationPermitIn(ActionIn):
    """A radiation safety permit (辐射安全许可证) for an enterprise flagged with radiation sources."""

    uscc: str = _uscc()
    permit_number: str = Field(
        default="", max_length=60, description="The paper permit's number; empty: <uscc>-R01 and on"
    )
    scope: str = Field(max_length=500, examples=["使用III类射线装置"])
    valid_from: str = _day("default today; never in the future")


class RightsCapIn(In):
    """The city cap of a pollutant (tonnes a year); the difference goes to or comes from the reserve."""

    cap_tonnes: float = _tonnes("Tonnes a year", 1200.0)
    reason: str = Field(min_length=1, max_length=500, examples=["2026年度总量控制指标"])


class AllocationIn(In):
    """Rights from the reserve to an enterprise."""

    uscc: str = _uscc()
    tonnes: float = _tonnes("Tonnes a year", 12.5)
    reason: str = Field(min_length=1, max_length=500, examples=["新建项目初始排污权核定"])


class TransferIn(In):
    """Rights from one enterprise to another (a trade)."""

    from_uscc: str = _uscc("The enterprise selling (GB 32100-2015 USCC)")
    to_uscc: str = _uscc("The enterprise buying (GB 32100-2015 USCC)")
    tonnes: float = _tonnes("Tonnes a year", 2.5)
    reason: str = Field(min_length=1, max_length=500, examples=["排污权交易合同 2026-017"])


class ReturnIn(In):
    """Rights an enterprise gives back to the reserve."""

    uscc: str = _uscc()
    tonnes: float = _tonnes("Tonnes a year", 1.0)
    reason: str = Field(min_length=1, max_length=500, examples=["生产线关停"])


# ---------------------------------------------------------------- translation


def page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    """The paging of a list request."""
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


def day(raw: str, field: str) -> common_pb2.Date | None:
    """A contract date from YYYY-MM-DD; None when empty (the service's default); 400 naming the field."""
    if not raw:
        return None
    try:
        parsed = date.fromisoformat(raw)
    except ValueError:
        raise InvalidArgument(field, f"must be a date YYYY-MM-DD, got {raw!r}") from None
    return common_pb2.Date(year=parsed.year, month=parsed.month, day=parsed.day)


def outlet_limits(outlets: list[OutletLimitsIn]) -> list[permits_pb2.OutletLimits]:
    """Per-outlet limits as the service's messages."""
    return [
        permits_pb2.OutletLimits(
            outlet_id=outlet.outlet_id,
            limits=[
                permits_pb2.PollutantLimit(
                    parameter=limit.parameter,
                    concentration_limit=common_pb2.Quantity(
                        value=limit.concentration_limit.value, unit=limit.concentration_limit.unit
                    ),
                    annual_tonnes=limit.annual_tonnes,
                    concentration_floor=limit.concentration_floor,
                )
                for limit in outlet.limits
            ],
        )
        for outlet in outlets
    ]


def document_type(raw: str) -> Any:
    """The EIA document type's number; 400 naming `document_type` for a name that is none."""
    return enum_value(permits_pb2.EiaDocumentType, "EIA_DOCUMENT_TYPE_", raw, "document_type")
