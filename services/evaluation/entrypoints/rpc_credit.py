"""gRPC methods of enterprise credit and credit repair: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from eco.v1 import common_pb2, evaluation_pb2
from services.evaluation.entrypoints import messages
from services.evaluation.entrypoints import requests as req
from services.evaluation.service_layer import credits
from services.evaluation.service_layer.unit_of_work import Deps
from shared.grpc.auth import current_department

Ctx: TypeAlias = grpc.ServicerContext


class CreditRpcs:
    """GetCredit, ListCredits, GetCreditHistory, GetCreditRules, RequestCreditRepair,
    DecideCreditRepair, ListCreditRepairs."""

    deps: Deps

    def GetCredit(self, request: evaluation_pb2.GetCreditRequest, context: Ctx) -> evaluation_pb2.Credit:
        """An enterprise's level with every event that counted."""
        return messages.credit(credits.get(self.deps, uscc=request.uscc))

    def ListCredits(
        self, request: evaluation_pb2.ListCreditsRequest, context: Ctx
    ) -> evaluation_pb2.ListCreditsResponse:
        """Levels filtered by level and town."""
        page = credits.get_all(
            self.deps,
            level=req.level(request.level),
            town=request.town,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return evaluation_pb2.ListCreditsResponse(
            credits=[messages.credit(c) for c in page.items],
            page=common_pb2.PageInfo(next_page_token=page.next_token, total=page.total),
        )

    def GetCreditHistory(
        self, request: evaluation_pb2.GetCreditRequest, context: Ctx
    ) -> evaluation_pb2.CreditHistory:
        """Which level, from when, under which rules version."""
        entries = credits.history(self.deps, uscc=request.uscc)
        return messages.history(request.uscc.strip().upper(), entries)

    def GetCreditRules(
        self, request: evaluation_pb2.GetCreditRulesRequest, context: Ctx
    ) -> evaluation_pb2.CreditRules:
        """One rules version (default: the one in force today)."""
        found = credits.rules_version(self.deps, version=request.version)
        return messages.rules(found, [v.version for v in self.deps.rules.versions])

    def RequestCreditRepair(
        self, request: evaluation_pb2.RequestCreditRepairRequest, context: Ctx
    ) -> evaluation_pb2.CreditRepair:
        """Ask for credit repair of a penalised, rectified case."""
        repair = credits.request_repair(
            self.deps, uscc=request.uscc, case_id=request.case_id, reason=request.reason
        )
        return messages.repair(repair)

    def DecideCreditRepair(
        self, request: evaluation_pb2.DecideCreditRepairRequest, context: Ctx
    ) -> evaluation_pb2.CreditRepair:
        """Approve or refuse a request (the caller's department is recorded)."""
        by = "/".join(x for x in (current_department(), request.actor.user) if x)
        repair = credits.decide_repair(
            self.deps, request_id=request.request_id, approve=request.approve, by=by, note=request.note
        )
        return messages.repair(repair)

    def ListCreditRepairs(
        self, request: evaluation_pb2.ListCreditRepairsRequest, context: Ctx
    ) -> evaluation_pb2.ListCreditRepairsResponse:
        """Requests by enterprise and status."""
        page = credits.get_all_repairs(
            self.deps,
            uscc=request.uscc,
            status=req.repair_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return evaluation_pb2.ListCreditRepairsResponse(
            repairs=[messages.repair(r) for r in page.items],
            page=common_pb2.PageInfo(next_page_token=page.next_token, total=page.total),
        )
