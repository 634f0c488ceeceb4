"""Investigations and decisions: a penalty under a legal provision of the catalogue, or a waiver
under the minor-violation list (Administrative Penalty Law art. 33).

Both the catalogue and the list are versioned data (data/*.json, loaded into tables by migrations);
a decision records the version it was checked against, so a later edition never rewrites an old one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from services.enforcement.domain.values import Actor, text
from shared.errors import FailedPrecondition, InvalidArgument


class Harm(enum.StrEnum):
    """Harm caused, as art. 33 weighs it (ordered: NONE < SLIGHT < SERIOUS)."""

    NONE = "none"
    SLIGHT = "slight"
    SERIOUS = "serious"


HARM_ORDER = {Harm.NONE: 0, Harm.SLIGHT: 1, Harm.SERIOUS: 2}


class PenaltyKind(enum.StrEnum):
    """Penalty kinds (Administrative Penalty Law art. 9; Environmental Protection Law arts. 59-63)."""

    WARNING = "warning"
    FINE = "fine"
    CONFISCATION = "confiscation"
    DAILY_FINE = "daily_fine"
    RESTRICT_PRODUCTION = "restrict_production"
    SUSPEND_PRODUCTION = "suspend_production"
    SUSPEND_PERMIT = "suspend_permit"
    REVOKE_PERMIT = "revoke_permit"
    TRANSFER_DETENTION = "transfer_detention"


@dataclass(frozen=True)
class Investigation:
    """What the investigation found (EVIDENCE_LOCKED → INVESTIGATED)."""

    findings: str
    violations: tuple[str, ...]
    first_violation: bool
    harm: Harm
    corrected_in_time: bool
    inspector_ids: tuple[str, ...]
    investigated_at: datetime
    actor: Actor


@dataclass(frozen=True)
class Provision:
    """One legal provision of the catalogue: what it forbids, what it allows, the fine's range in fen."""

    code: str
    citation: str
    violation: str
    penalties: frozenset[PenaltyKind]
    fine_min_fen: int
    fine_max_fen: int


@dataclass(frozen=True)
class Catalogue:
    """One edition of the legal-provision catalogue."""

    version: str
    provisions: dict[str, Provision]

    def find(self, ref: str) -> Provision | None:
        """The provision named by its code or its exact citation."""
        ref = ref.strip()
        return self.provisions.get(ref.upper()) or next(
            (p for p in self.provisions.values() if p.citation == ref), None
        )


@dataclass(frozen=True)
class WaiverItem:
    """One item of the minor-violation list, with the art. 33 conditions it rests on."""

    code: str
    text: str
    first_violation_required: bool
    max_harm: Harm


@dataclass(frozen=True)
class WaiverList:
    """One edition of the province's minor-violation list (轻微环境违法行为不予行政处罚目录)."""

    version: str
    items: dict[str, WaiverItem]


@dataclass(frozen=True)
class DecisionIn:
    """A decision as the officer enters it."""

    document_number: str
    waived: bool
    waiver_list_item: str
    violation: str
    legal_basis: str
    penalties: tuple[PenaltyKind, ...]
    fine_fen: int
    confiscated_fen: int
    permit_number: str
    suspension_days: int
    rectify_by: datetime | None
    decided_by: Actor


@dataclass(frozen=True)
class Decision:
    """A decision as recorded: checked, with the provision's citation and the editions used."""

    decision_id: str
    uscc: str
    decided_at: datetime
    fields: DecisionIn
    rectify_by: datetime
    catalogue_version: str

    @property
    def waived(self) -> bool:
        """Whether the violation went unpunished under art. 33."""
        return self.fields.waived

    @property
    def suspends_permit(self) -> bool:
        """Whether the decision orders permits to suspend a permit."""
        return PenaltyKind.SUSPEND_PERMIT in self.fields.penalties


def decide(
    d: DecisionIn,
    *,
    investigation: Investigation | None,
    uscc: str,
    catalogue: Catalogue,
    waivers: WaiverList,
    decision_id: str,
    now: datetime,
) -> Decision:
    """The decision checked against the investigation, the catalogue and the minor-violation list."""
    if not uscc:
        raise FailedPrecondition("the case has no responsible enterprise: trace it to one before deciding")
    if investigation is None:
        raise FailedPrecondition("the case has no investigation recorded")
    text("decision.document_number", d.document_number, max_len=100)
    if d.rectify_by is None:
        raise InvalidArgument("decision.rectify_by", "required: a waived violation is still rectified")
    if d.rectify_by <= now:
        raise InvalidArgument("decision.rectify_by", f"must be after the decision ({now.isoformat()})")
    provision = catalogue.find(d.legal_basis) if d.legal_basis.strip() else None
    if d.legal_basis.strip() and provision is None:
        raise InvalidArgument(
            "decision.legal_basis",
            f"{d.legal_basis!r} is not in the provision catalogue {catalogue.version}; "
            f"known: {', '.join(sorted(catalogue.provisions))}",
        )
    if d.waived:
        _check_waiver(d, investigation, waivers)
    else:
        if provision is None:
            raise InvalidArgument("decision.legal_basis", "required for a penalty (a provision code)")
        _check_penalty(d, provision)
    fields = replace(
        d,
        violation=text("decision.violation", d.violation, required=False, max_len=500)
        or (provision.violation if provision else ""),
        legal_basis=provision.citation if provision else "",
    )
    version = f"{catalogue.version}+{waivers.version}" if d.waived else catalogue.version
    return Decision(decision_id, uscc, now, fields, d.rectify_by, version)


def _check_waiver(d: DecisionIn, inv: Investigation, waivers: WaiverList) -> None:
    """Art. 33: a first minor violation corrected in time with slight harm, or minor with none."""
    item = waivers.items.get(d.waiver_list_item.strip().upper())
    if item is None:
        raise InvalidArgument(
            "decision.waiver_list_item",
            f"{d.waiver_list_item!r} is not an item of the minor-violation list {waivers.version}",
        )
    if d.penalties or d.fine_fen or d.confiscated_fen:
        raise InvalidArgument(
            "decision.penalties", "a waived violation carries no penalty, fine or confiscation"
        )
    if not inv.corrected_in_time:
        raise InvalidArgument(
            "decision.waived", "art. 33 waives only a violation corrected in time; it was not"
        )
    if item.first_violation_required and not inv.first_violation:
        raise InvalidArgument(
            "decision.waived",
            f"list item {item.code} needs a first violation; the investigation found a prior one",
        )
    if HARM_ORDER[inv.harm] > HARM_ORDER[item.max_harm]:
        raise InvalidArgument(
            "decision.waived",
            f"list item {item.code} allows harm up to {item.max_harm.value}; "
            f"the investigation found {inv.harm.value}",
        )


def _check_penalty(d: DecisionIn, p: Provision) -> None:
    """The penalties are among the provision's, the fine inside its range, and each has what it needs."""
    if d.waiver_list_item.strip():
        raise InvalidArgument("decision.waiver_list_item", "only a waived decision names a list item")
    if not d.penalties:
        raise InvalidArgument("decision.penalties", "at least one penalty is required (or waive it)")
    for kind in d.penalties:
        if kind not in p.penalties:
            allowed = ", ".join(sorted(k.value for k in p.penalties))
            raise InvalidArgument(
                "decision.penalties", f"{p.code} does not provide {kind.value}; it provides {allowed}"
            )
    fined = PenaltyKind.FINE in d.penalties or PenaltyKind.DAILY_FINE in d.penalties
    if fined and not p.fine_min_fen <= d.fine_fen <= p.fine_max_fen:
        raise InvalidArgument(
            "decision.fine_fen", f"{p.code} fines {p.fine_min_fen} to {p.fine_max_fen} fen, got {d.fine_fen}"
        )
    if not fined and d.fine_fen:
        raise InvalidArgument("decision.fine_fen", "a fine amount needs the FINE penalty")
    if d.confiscated_fen < 0 or (PenaltyKind.CONFISCATION in d.penalties) != (d.confiscated_fen > 0):
        raise InvalidArgument("decision.confiscated_fen", "an amount goes with, and only with, CONFISCATION")
    suspends = {PenaltyKind.SUSPEND_PERMIT, PenaltyKind.SUSPEND_PRODUCTION} & set(d.penalties)
    if suspends and d.suspension_days <= 0:
        raise InvalidArgument("decision.suspension_days", "a suspension needs its length in days")
    permit_kinds = {PenaltyKind.SUSPEND_PERMIT, PenaltyKind.REVOKE_PERMIT} & set(d.penalties)
    if permit_kinds and not d.permit_number.strip():
        raise InvalidArgument("decision.permit_number", "required to suspend or revoke a permit")
