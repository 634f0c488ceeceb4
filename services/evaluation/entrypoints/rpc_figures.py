"""gRPC methods of KPIs, scorecards, hotspots and the status report: protobuf <-> service layer."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from eco.v1 import evaluation_pb2
from services.evaluation.domain.periods import period
from services.evaluation.entrypoints import messages
from services.evaluation.entrypoints import requests as req
from services.evaluation.service_layer import figures, report
from services.evaluation.service_layer.unit_of_work import Deps

Ctx: TypeAlias = grpc.ServicerContext
PDF = evaluation_pb2.REPORT_FORMAT_PDF


class FigureRpcs:
    """GetKpi, ListKpis, GetScorecard, ListScorecards, GetHotspots, GetStatusReport."""

    deps: Deps

    def GetKpi(self, request: evaluation_pb2.GetKpiRequest, context: Ctx) -> evaluation_pb2.Kpi:
        """One KPI with numerator, denominator, target and newest event."""
        start, end = req.period_of(request)
        found = figures.get_kpi(
            self.deps,
            name=request.name,
            at=req.day("at", request.at),
            start=start,
            end=end,
            town=request.town,
        )
        return messages.kpi(found)

    def ListKpis(
        self, request: evaluation_pb2.ListKpisRequest, context: Ctx
    ) -> evaluation_pb2.ListKpisResponse:
        """Every KPI."""
        start, end = req.period_of(request)
        found = figures.list_kpis(
            self.deps, at=req.day("at", request.at), start=start, end=end, town=request.town
        )
        return evaluation_pb2.ListKpisResponse(kpis=[messages.kpi(k) for k in found])

    def GetScorecard(
        self, request: evaluation_pb2.GetScorecardRequest, context: Ctx
    ) -> evaluation_pb2.Scorecard:
        """One town's or department's card, ranked among its kind."""
        start, end = req.period_of(request)
        card = figures.get_scorecard(self.deps, subject=request.subject, start=start, end=end)
        return messages.scorecard(card, period(start, end, self.deps.today()), self.deps.targets.eco_share)

    def ListScorecards(
        self, request: evaluation_pb2.ListScorecardsRequest, context: Ctx
    ) -> evaluation_pb2.ListScorecardsResponse:
        """Every town's card, best first."""
        start, end = req.period_of(request)
        p = period(start, end, self.deps.today())
        cards = figures.list_scorecards(self.deps, start=start, end=end)
        return evaluation_pb2.ListScorecardsResponse(
            scorecards=[messages.scorecard(c, p, self.deps.targets.eco_share) for c in cards]
        )

    def GetHotspots(
        self, request: evaluation_pb2.GetHotspotsRequest, context: Ctx
    ) -> evaluation_pb2.Hotspots:
        """Where problems and petitions concentrate."""
        start, end = req.period_of(request)
        dimension, p, spots, offenders = figures.hotspots(
            self.deps, dimension=request.dimension, start=start, end=end, limit=request.limit
        )
        return messages.hotspots(dimension, p, spots, offenders)

    def GetStatusReport(
        self, request: evaluation_pb2.GetStatusReportRequest, context: Ctx
    ) -> evaluation_pb2.StatusReport:
        """The status report of a period, as HTML or PDF."""
        start, end = req.period_of(request)
        rendered = report.render(self.deps, start=start, end=end, pdf=request.format == PDF)
        msg = evaluation_pb2.StatusReport(
            title=rendered.title,
            media_type=rendered.media_type,
            content=rendered.content,
            to=messages.date_pb(rendered.period.end),
        )
        getattr(msg, "from").CopyFrom(messages.date_pb(rendered.period.start))
        return msg
