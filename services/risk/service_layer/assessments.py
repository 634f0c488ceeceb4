"""Use cases of risk assessments (HJ 941-2018)."""

from __future__ import annotations

import uuid
from datetime import date

from services.risk.adapters import assessment_repository as repo
from services.risk.domain import classification as cls
from services.risk.domain import events as ev
from services.risk.domain.records import Assessment, AssessmentSource
from services.risk.domain.values import Actor, text
from services.risk.service_layer import enterprise_risk
from services.risk.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def record(
    deps: Deps,
    *,
    uscc: str,
    inputs: cls.AssessmentInput,
    source: AssessmentSource | None,
    assessed_on: date | None,
    review_by: date | None,
    document_ref: str,
    assessor: Actor,
) -> Assessment:
    """Grade an assessment, record it, make it the enterprise's latest, and announce it
    (RiskAssessed, and RiskLevelChanged if the level moved)."""
    code = validate_uscc(uscc, field="uscc")
    if source is None:
        raise InvalidArgument("assessment.source", "required: self or bureau")
    classification = cls.classify(inputs)
    ref = text("assessment.document_ref", document_ref, required=False, max_len=200)
    with transaction(deps) as tx:
        on = assessed_on or tx.today
        if on > tx.today:
            raise InvalidArgument("assessment.assessed_on", f"{on} is after today ({tx.today})")
        if review_by is not None and review_by <= on:
            raise InvalidArgument("assessment.review_by", "must be after assessed_on")
        assessment = Assessment(
            assessment_id=str(uuid.uuid4()),
            uscc=code,
            classification=classification,
            inputs=inputs,
            source=source,
            assessed_on=on,
            review_by=review_by,
            document_ref=ref,
            assessor=assessor,
            recorded_at=tx.now,
        )
        repo.create(tx.conn, assessment_in=assessment)
        known = repo.get_enterprise(tx.conn, uscc=code)
        repo.lock_enterprise(tx.conn, uscc=code, town=known.town if known else "", now=tx.now)
        repo.save_risk(
            tx.conn,
            uscc=code,
            values=dict(
                assessed_level=int(classification.level),
                latest_assessment_id=assessment.assessment_id,
                code=classification.code,
                counted_penalty=inputs.penalised_within_3_years,
                updated_at=tx.now,
            ),
        )
        tx.publish(code, ev.RiskAssessed(assessment))
        enterprise_risk.refresh(
            tx, uscc=code, cause=ev.ChangeCause.ASSESSMENT, source_ref=assessment.assessment_id
        )
    return assessment


def get_all(deps: Deps, *, uscc: str, page_size: int, page_token: str) -> paging.Page[Assessment]:
    """Assessments, optionally of one enterprise."""
    code = validate_uscc(uscc, field="uscc") if uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_all(conn, uscc=code, page_size=page_size, page_token=page_token)
