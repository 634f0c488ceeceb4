"""gRPC methods of assessments, enterprise risk and hidden hazards: protobuf <-> service layer."""

from __future__ import annotations

from eco.v1 import risk_pb2
from services.risk.entrypoints import messages
from services.risk.entrypoints import requests as req
from services.risk.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.risk.service_layer import assessments, enterprise_risk, hazards
from shared.uscc import validate_uscc


class RiskRpcs(RpcBase):
    """RecordAssessment, ListAssessments, GetEnterpriseRisk, ListEnterpriseRisks."""

    def RecordAssessment(
        self, request: risk_pb2.RecordAssessmentRequest, context: Ctx
    ) -> risk_pb2.RiskAssessment:
        """Grade and record an assessment."""
        a = request.assessment
        recorded = assessments.record(
            self.deps,
            uscc=a.uscc,
            inputs=req.assessment_inputs(a.inputs, a.HasField("inputs")),
            source=req.enum_value("assessment.source", a.source, req.ASSESSMENT_SOURCE),
            assessed_on=req.day("assessment.assessed_on", a.assessed_on, a.HasField("assessed_on")),
            review_by=req.day("assessment.review_by", a.review_by, a.HasField("review_by")),
            document_ref=a.document_ref,
            assessor=req.caller(a.assessor),
        )
        return messages.assessment(recorded)

    def ListAssessments(
        self, request: risk_pb2.ListAssessmentsRequest, context: Ctx
    ) -> risk_pb2.ListAssessmentsResponse:
        """Assessments of an enterprise (or all)."""
        page = assessments.get_all(
            self.deps, uscc=request.uscc, page_size=request.page.page_size, page_token=request.page.page_token
        )
        return risk_pb2.ListAssessmentsResponse(
            assessments=[messages.assessment(a) for a in page.items],
            page=page_info(page.next_token, page.total),
        )

    def GetEnterpriseRisk(
        self, request: risk_pb2.GetEnterpriseRiskRequest, context: Ctx
    ) -> risk_pb2.EnterpriseRisk:
        """An enterprise's effective level and dynamic score."""
        return messages.enterprise_risk(enterprise_risk.get(self.deps, uscc=validate_uscc(request.uscc)))

    def ListEnterpriseRisks(
        self, request: risk_pb2.ListEnterpriseRisksRequest, context: Ctx
    ) -> risk_pb2.ListEnterpriseRisksResponse:
        """Enterprises by level, town and overdue hazards."""
        page = enterprise_risk.get_all(
            self.deps,
            levels=req.levels("levels", request.levels),
            town=request.town,
            overdue_only=request.with_overdue_hazards_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListEnterpriseRisksResponse(
            risks=[messages.enterprise_risk(r) for r in page.items],
            page=page_info(page.next_token, page.total),
        )


class HazardRpcs(RpcBase):
    """ReportHazard, GetHazard, ListHazards, ExtendHazardDeadline, RecordHazardRectification,
    VerifyHazardRectification."""

    def ReportHazard(self, request: risk_pb2.ReportHazardRequest, context: Ctx) -> risk_pb2.Hazard:
        """Record a hazard with its deadline."""
        hazard = hazards.report(
            self.deps,
            uscc=request.uscc,
            title=request.title,
            description=request.description,
            grade=req.enum_value("grade", request.grade, req.HAZARD_GRADE),
            source=req.enum_value("source", request.source, req.HAZARD_SOURCE),
            location=req.point("location", request.location, request.HasField("location"), required=False),
            found_at=req.instant("found_at", request.found_at, request.HasField("found_at")),
            rectify_by=req.instant("rectify_by", request.rectify_by, request.HasField("rectify_by")),
            required_measures=request.required_measures,
            actor=req.caller(request.actor),
        )
        return messages.hazard(hazard)

    def GetHazard(self, request: risk_pb2.GetHazardRequest, context: Ctx) -> risk_pb2.Hazard:
        """One hazard."""
        return messages.hazard(hazards.get(self.deps, hazard_id=request.hazard_id))

    def ListHazards(self, request: risk_pb2.ListHazardsRequest, context: Ctx) -> risk_pb2.ListHazardsResponse:
        """Hazards by enterprise, status, grade, town, overdue."""
        page = hazards.get_all(
            self.deps,
            uscc=request.uscc,
            statuses=req.enum_list("statuses", request.statuses, req.HAZARD_STATUS),
            grade=req.enum_value("grade", request.grade, req.HAZARD_GRADE, required=False),
            town=request.town,
            overdue_only=request.overdue_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListHazardsResponse(
            hazards=[messages.hazard(h) for h in page.items], page=page_info(page.next_token, page.total)
        )

    def ExtendHazardDeadline(
        self, request: risk_pb2.ExtendHazardDeadlineRequest, context: Ctx
    ) -> risk_pb2.Hazard:
        """Move the deadline later, once, with a reason."""
        hazard = hazards.extend(
            self.deps,
            hazard_id=request.hazard_id,
            rectify_by=req.instant("rectify_by", request.rectify_by, request.HasField("rectify_by")),
            reason=request.reason,
            actor=req.caller(request.actor),
        )
        return messages.hazard(hazard)

    def RecordHazardRectification(
        self, request: risk_pb2.RecordHazardRectificationRequest, context: Ctx
    ) -> risk_pb2.Hazard:
        """The enterprise reports the hazard rectified."""
        hazard = hazards.record_rectification(
            self.deps,
            hazard_id=request.hazard_id,
            measures=request.measures,
            evidence_refs=list(request.evidence_refs),
            completed_at=req.instant("completed_at", request.completed_at, request.HasField("completed_at")),
            actor=req.caller(request.actor),
        )
        return messages.hazard(hazard)

    def VerifyHazardRectification(
        self, request: risk_pb2.VerifyHazardRectificationRequest, context: Ctx
    ) -> risk_pb2.Hazard:
        """An officer accepts or rejects a rectification."""
        hazard = hazards.verify(
            self.deps,
            hazard_id=request.hazard_id,
            accepted=request.accepted,
            note=request.note,
            actor=req.caller(request.actor),
        )
        return messages.hazard(hazard)
