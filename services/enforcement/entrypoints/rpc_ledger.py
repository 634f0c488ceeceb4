"""gRPC methods of the problem ledger and the closed loop: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.entrypoints import messages
from services.enforcement.entrypoints import requests as req
from services.enforcement.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.enforcement.service_layer import cases, problems, tracing


class LedgerRpcs(RpcBase):
    """OpenProblem through CloseCase."""

    def OpenProblem(self, request: pb.OpenProblemRequest, context: Ctx) -> pb.Problem:
        """Enter a problem (or return the one its source_ref opened)."""
        problem = problems.open_problem(self.deps, req.open_problem(request, self._now()))
        found, stage = problems.get(self.deps, problem_id=problem.problem_id)
        return messages.problem(found, stage)

    def GetProblem(self, request: pb.GetProblemRequest, context: Ctx) -> pb.Problem:
        """One problem."""
        problem, stage = problems.get(self.deps, problem_id=request.problem_id)
        return messages.problem(problem, stage)

    def ListProblems(self, request: pb.ListProblemsRequest, context: Ctx) -> pb.ListProblemsResponse:
        """The ledger, filtered."""
        page, stages = problems.get_all(
            self.deps,
            source=req.source_filter(request.source),
            uscc=request.uscc.strip().upper(),
            station_id=request.station_id.strip(),
            town=request.town.strip(),
            grid_id=request.grid_id.strip(),
            stages=req.stages("stages", list(request.stages)),
            opened_from=req.when("opened_from", request.opened_from, request.HasField("opened_from")),
            opened_to=req.when("opened_to", request.opened_to, request.HasField("opened_to")),
            overdue_only=request.overdue_only,
            severities=req.severities("severities", list(request.severities)),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListProblemsResponse(
            problems=[messages.problem(p, stages[p.case_id]) for p in page.items],
            page=page_info(page.next_token, page.total),
        )

    def GetCase(self, request: pb.GetCaseRequest, context: Ctx) -> pb.Case:
        """One case."""
        return messages.case(cases.get(self.deps, case_id=request.case_id), self._now())

    def ListCases(self, request: pb.ListCasesRequest, context: Ctx) -> pb.ListCasesResponse:
        """Cases, filtered."""
        page = cases.get_all(
            self.deps,
            stages=req.stages("stages", list(request.stages)),
            uscc=request.uscc.strip().upper(),
            town=request.town.strip(),
            grid_id=request.grid_id.strip(),
            owner_department=request.owner_department.strip(),
            overdue_only=request.overdue_only,
            source=req.source_filter(request.source),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        now = self._now()
        return pb.ListCasesResponse(
            cases=[messages.case(c, now) for c in page.items], page=page_info(page.next_token, page.total)
        )

    def AssignCase(self, request: pb.AssignCaseRequest, context: Ctx) -> pb.Case:
        """Owner and deadline of the current stage."""
        case = cases.assign(
            self.deps,
            case_id=request.case_id,
            owner=req.owner("owner", request.owner),
            due_at=req.when("due_at", request.due_at, request.HasField("due_at")),
            actor=req.caller(request.actor),
        )
        return messages.case(case, self._now())

    def EscalateCase(self, request: pb.EscalateCaseRequest, context: Ctx) -> pb.Case:
        """Raise a case one level by hand."""
        case = cases.escalate(
            self.deps,
            case_id=request.case_id,
            reason=req.reason(request.reason),
            owner=req.owner("owner", request.owner) if request.HasField("owner") else None,
            due_at=req.when("due_at", request.due_at, request.HasField("due_at")),
            actor=req.caller(request.actor),
        )
        return messages.case(case, self._now())

    def SuggestSources(self, request: pb.SuggestSourcesRequest, context: Ctx) -> pb.SuggestSourcesResponse:
        """Candidate sources upstream, ranked."""
        found = tracing.suggest(
            self.deps, case_id=request.case_id, radius_m=request.radius_m, limit=request.limit
        )
        return pb.SuggestSourcesResponse(candidates=[messages.candidate(c) for c in found])

    def TraceCase(self, request: pb.TraceCaseRequest, context: Ctx) -> pb.Case:
        """DISCOVERED -> TRACED."""
        case = cases.trace(
            self.deps,
            case_id=request.case_id,
            responsible_uscc=request.responsible_uscc,
            candidates=req.candidates(list(request.candidates)),
            note=request.note,
            actor=req.caller(request.actor),
        )
        return messages.case(case, self._now())

    def LockEvidence(self, request: pb.LockEvidenceRequest, context: Ctx) -> pb.Case:
        """TRACED -> EVIDENCE_LOCKED."""
        case = cases.lock_evidence(
            self.deps,
            case_id=request.case_id,
            expected_head=request.expected_head_sha256,
            actor=req.caller(request.actor),
        )
        return messages.case(case, self._now())

    def RecordInvestigation(self, request: pb.RecordInvestigationRequest, context: Ctx) -> pb.Case:
        """EVIDENCE_LOCKED -> INVESTIGATED."""
        case = cases.investigate(
            self.deps, case_id=request.case_id, investigation=req.investigation(request.investigation)
        )
        return messages.case(case, self._now())

    def DecideCase(self, request: pb.DecideCaseRequest, context: Ctx) -> pb.Case:
        """INVESTIGATED -> DECIDED."""
        case = cases.decide_case(
            self.deps, case_id=request.case_id, decision_in=req.decision(request.decision)
        )
        return messages.case(case, self._now())

    def RecordRectification(self, request: pb.RecordRectificationRequest, context: Ctx) -> pb.Case:
        """DECIDED -> RECTIFIED."""
        r = request.rectification
        case = cases.rectify(
            self.deps,
            case_id=request.case_id,
            measures=r.measures,
            evidence_ids=list(r.evidence_ids),
            completed_at=req.when("rectification.completed_at", r.completed_at, r.HasField("completed_at")),
            actor=req.caller(r.verified_by, "rectification.verified_by"),
        )
        return messages.case(case, self._now())

    def CloseCase(self, request: pb.CloseCaseRequest, context: Ctx) -> pb.Case:
        """-> CLOSED."""
        case = cases.close(
            self.deps,
            case_id=request.case_id,
            outcome=req.outcome(request.outcome),
            note=request.note,
            actor=req.caller(request.actor),
        )
        return messages.case(case, self._now())
