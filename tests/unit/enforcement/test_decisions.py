"""Decisions: a penalty within its provision, a waiver only under the list and art. 33's conditions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.enforcement.domain.decisions import Decision, Harm, PenaltyKind, decide
from shared.errors import FailedPrecondition, InvalidArgument
from tests.unit.enforcement.factories import CATALOGUE, NOW, USCC, WAIVERS, decision_in, investigation


def _decide(**kw: object) -> Decision:
    inv = kw.pop("inv", investigation())
    return decide(
        decision_in(**kw),
        investigation=inv,  # type: ignore[arg-type]
        uscc=USCC,
        catalogue=CATALOGUE,
        waivers=WAIVERS,
        decision_id="d1",
        now=NOW,
    )


def test_a_fine_under_water_law_art_83_records_the_citation_and_edition() -> None:
    d = _decide()
    assert d.fields.legal_basis == "《中华人民共和国水污染防治法》第八十三条第（二）项"
    assert d.fields.violation.startswith("超过水污染物排放标准")
    assert d.catalogue_version == CATALOGUE.version and not d.waived


@pytest.mark.parametrize("fen", [9_999_999, 100_000_001])
def test_a_fine_outside_the_provisions_range_is_refused(fen: int) -> None:
    with pytest.raises(InvalidArgument, match=r"decision\.fine_fen: WPPL-83-2 fines 10000000 to 100000000"):
        _decide(fine_fen=fen)


def test_an_unknown_provision_or_a_penalty_it_does_not_provide_is_refused() -> None:
    with pytest.raises(
        InvalidArgument, match=r"decision\.legal_basis: 'XYZ-1' is not in the provision catalogue"
    ):
        _decide(legal_basis="XYZ-1")
    with pytest.raises(InvalidArgument, match="does not provide revoke_permit"):
        _decide(penalties=(PenaltyKind.FINE, PenaltyKind.REVOKE_PERMIT), permit_number="P1")


def test_suspending_a_permit_needs_the_permit_and_the_days() -> None:
    kinds = (PenaltyKind.FINE, PenaltyKind.SUSPEND_PERMIT)
    with pytest.raises(InvalidArgument, match=r"decision\.suspension_days"):
        _decide(penalties=kinds, permit_number="P1")
    with pytest.raises(InvalidArgument, match=r"decision\.permit_number"):
        _decide(penalties=kinds, suspension_days=30)
    assert _decide(penalties=kinds, permit_number="P1", suspension_days=30).suspends_permit


def test_a_waiver_under_the_list_carries_no_penalty_but_a_rectification_date() -> None:
    d = _decide(waived=True, waiver_list_item="ZJ-W-03", legal_basis="", penalties=(), fine_fen=0)
    assert d.waived and d.rectify_by == NOW + timedelta(days=30)
    assert WAIVERS.version in d.catalogue_version
    with pytest.raises(InvalidArgument, match=r"decision\.rectify_by: required"):
        _decide(
            waived=True, waiver_list_item="ZJ-W-03", legal_basis="", penalties=(), fine_fen=0, rectify_by=None
        )
    with pytest.raises(InvalidArgument, match="carries no penalty"):
        _decide(waived=True, waiver_list_item="ZJ-W-03")


def test_a_waiver_needs_art_33s_conditions() -> None:
    waiver = dict(waived=True, waiver_list_item="ZJ-W-03", legal_basis="", penalties=(), fine_fen=0)
    with pytest.raises(InvalidArgument, match="needs a first violation"):
        _decide(inv=investigation(first=False), **waiver)
    with pytest.raises(InvalidArgument, match="allows harm up to slight; the investigation found serious"):
        _decide(inv=investigation(harm=Harm.SERIOUS), **waiver)
    with pytest.raises(InvalidArgument, match="corrected in time"):
        _decide(inv=investigation(corrected=False), **waiver)
    with pytest.raises(InvalidArgument, match="not an item of the minor-violation list"):
        _decide(**{**waiver, "waiver_list_item": "NOPE"})
    # An item for a violation with no harm at all accepts a repeat offender but not slight harm.
    with pytest.raises(InvalidArgument, match="allows harm up to none"):
        _decide(inv=investigation(first=False), **{**waiver, "waiver_list_item": "ZJ-W-01"})
    assert _decide(
        inv=investigation(first=False, harm=Harm.NONE), **{**waiver, "waiver_list_item": "ZJ-W-01"}
    )


def test_a_decision_needs_a_responsible_enterprise_and_an_investigation() -> None:
    with pytest.raises(FailedPrecondition, match="no responsible enterprise"):
        decide(
            decision_in(),
            investigation=investigation(),
            uscc="",
            catalogue=CATALOGUE,
            waivers=WAIVERS,
            decision_id="d",
            now=NOW,
        )
    with pytest.raises(FailedPrecondition, match="no investigation"):
        decide(
            decision_in(),
            investigation=None,
            uscc=USCC,
            catalogue=CATALOGUE,
            waivers=WAIVERS,
            decision_id="d",
            now=NOW,
        )
