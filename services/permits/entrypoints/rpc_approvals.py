"""gRPC methods of EIA approvals and radiation-safety permits: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import permits_pb2
from services.permits.domain.radiation import HOLDING_RATE_TARGET
from services.permits.entrypoints import messages
from services.permits.entrypoints import requests as req
from services.permits.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.permits.service_layer import eia, radiation


class EiaRpcs(RpcBase):
    """AcceptEia, StartEiaReview, DecideEia, GetEia, ListEia."""

    def AcceptEia(self, request: permits_pb2.AcceptEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """Record an accepted application."""
        application = eia.accept(
            self.deps,
            uscc=request.uscc,
            project_name=request.project_name,
            document_type=req.eia_type(request.document_type),
            accepted_on=req.day("accepted_on", request.accepted_on, request.HasField("accepted_on")),
            green_channel=request.green_channel,
            actor=req.caller(request.actor),
        )
        return messages.eia(application, self._today())

    def StartEiaReview(
        self, request: permits_pb2.EiaActionRequest, context: Ctx
    ) -> permits_pb2.EiaApplication:
        """accepted -> under review."""
        application = eia.start_review(self.deps, eia_id=request.eia_id, actor=req.caller(request.actor))
        return messages.eia(application, self._today())

    def DecideEia(self, request: permits_pb2.DecideEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """Approve or reject."""
        application = eia.decide(
            self.deps,
            eia_id=request.eia_id,
            approved=request.approved,
            decided_on=req.day("decided_on", request.decided_on, request.HasField("decided_on")),
            note=request.note,
            actor=req.caller(request.actor),
        )
        return messages.eia(application, self._today())

    def GetEia(self, request: permits_pb2.GetEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """One application with its deadline."""
        return messages.eia(eia.get(self.deps, eia_id=request.eia_id), self._today())

    def ListEia(self, request: permits_pb2.ListEiaRequest, context: Ctx) -> permits_pb2.ListEiaResponse:
        """Applications by enterprise and state, or the overdue ones."""
        page = eia.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.eia_status(request.status),
            overdue_only=request.overdue_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        today = self._today()
        return permits_pb2.ListEiaResponse(
            applications=[messages.eia(a, today) for a in page.items],
            page=page_info(page.next_token, page.total),
        )


class RadiationRpcs(RpcBase):
    """IssueRadiationPermit, RenewRadiationPermit, GetRadiationPermit, ListRadiationPermits,
    GetRadiationHoldingRate."""

    def IssueRadiationPermit(
        self, request: permits_pb2.IssueRadiationPermitRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """Issue a radiation permit."""
        permit = radiation.issue(
            self.deps,
            uscc=request.uscc,
            permit_number=request.permit_number,
            scope=request.scope,
            valid_from=req.day("valid_from", request.valid_from, request.HasField("valid_from")),
            actor=req.caller(request.actor),
        )
        return messages.radiation_permit(permit)

    def RenewRadiationPermit(
        self, request: permits_pb2.RadiationPermitActionRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """Renew a radiation permit inside its window."""
        return messages.radiation_permit(
            radiation.renew(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def GetRadiationPermit(
        self, request: permits_pb2.RadiationPermitActionRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """One radiation permit."""
        return messages.radiation_permit(radiation.get(self.deps, permit_number=request.permit_number))

    def ListRadiationPermits(
        self, request: permits_pb2.ListRadiationPermitsRequest, context: Ctx
    ) -> permits_pb2.ListRadiationPermitsResponse:
        """Radiation permits by enterprise and state."""
        page = radiation.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.radiation_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListRadiationPermitsResponse(
            permits=[messages.radiation_permit(p) for p in page.items],
            page=page_info(page.next_token, page.total),
        )

    def GetRadiationHoldingRate(
        self, request: permits_pb2.GetRadiationHoldingRateRequest, context: Ctx
    ) -> permits_pb2.RadiationHoldingRate:
        """The holding-rate KPI at a date."""
        rate = radiation.holding_rate(self.deps, at=req.day("at", request.at, request.HasField("at")))
        return messages.holding_rate(rate, HOLDING_RATE_TARGET)
