"""gRPC methods of pollutant-discharge permits: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import permits_pb2
from services.permits.entrypoints import messages
from services.permits.entrypoints import requests as req
from services.permits.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.permits.service_layer import permits, permits_in_force, renewals


class PermitRpcs(RpcBase):
    """ApplyPermit through ListExpiringPermits, with RejectPermit, WithdrawPermit, ReinstatePermit."""

    def ApplyPermit(self, request: permits_pb2.ApplyPermitRequest, context: Ctx) -> permits_pb2.Permit:
        """Apply for a permit."""
        permit = permits.apply(
            self.deps,
            uscc=request.uscc,
            outlets_in=req.outlet_limits(list(request.outlets)),
            applied_on=req.day("applied_on", request.applied_on, request.HasField("applied_on")),
            actor=req.caller(request.actor),
        )
        return messages.permit(permit)

    def StartPermitReview(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """applied -> under review."""
        return messages.permit(
            permits.start_review(
                self.deps, permit_number=request.permit_number, actor=req.caller(request.actor)
            )
        )

    def IssuePermit(self, request: permits_pb2.IssuePermitRequest, context: Ctx) -> permits_pb2.Permit:
        """under review -> issued."""
        permit = permits.issue(
            self.deps,
            permit_number=request.permit_number,
            valid_from=req.day("valid_from", request.valid_from, request.HasField("valid_from")),
            outlets_in=req.outlet_limits(list(request.outlets)),
            actor=req.caller(request.actor),
        )
        return messages.permit(permit)

    def RejectPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """under review -> rejected."""
        return messages.permit(
            permits.reject(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def WithdrawPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """applied / under review -> withdrawn."""
        return messages.permit(
            permits.withdraw(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def ApplyPermitRenewal(
        self, request: permits_pb2.PermitActionRequest, context: Ctx
    ) -> permits_pb2.Permit:
        """Record a renewal application (flagged late after the art. 14 deadline)."""
        return messages.permit(
            renewals.apply(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def RenewPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Grant the renewal under review."""
        return messages.permit(
            renewals.grant(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def RefusePermitRenewal(
        self, request: permits_pb2.PermitActionRequest, context: Ctx
    ) -> permits_pb2.Permit:
        """Refuse the renewal under review."""
        return messages.permit(
            renewals.refuse(self.deps, permit_number=request.permit_number, actor=req.caller(request.actor))
        )

    def RevokePermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Revoke."""
        return messages.permit(
            permits_in_force.revoke(
                self.deps, permit_number=request.permit_number, actor=req.caller(request.actor)
            )
        )

    def SuspendPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Suspend."""
        return messages.permit(
            permits_in_force.suspend(
                self.deps, permit_number=request.permit_number, actor=req.caller(request.actor)
            )
        )

    def ReinstatePermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """suspended -> in force again."""
        return messages.permit(
            permits_in_force.reinstate(
                self.deps, permit_number=request.permit_number, actor=req.caller(request.actor)
            )
        )

    def GetPermit(self, request: permits_pb2.GetPermitRequest, context: Ctx) -> permits_pb2.Permit:
        """One permit."""
        return messages.permit(permits.get(self.deps, permit_number=request.permit_number))

    def ListPermits(
        self, request: permits_pb2.ListPermitsRequest, context: Ctx
    ) -> permits_pb2.ListPermitsResponse:
        """Permits by enterprise and state."""
        page = permits.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.permit_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListPermitsResponse(
            permits=[messages.permit(p) for p in page.items], page=page_info(page.next_token, page.total)
        )

    def ListExpiringPermits(
        self, request: permits_pb2.ListExpiringPermitsRequest, context: Ctx
    ) -> permits_pb2.ListPermitsResponse:
        """Permits in force ending within a date range."""
        page = permits.expiring(
            self.deps,
            start=req.day("from", getattr(request, "from"), request.HasField("from")),
            end=req.day("to", request.to, request.HasField("to")),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListPermitsResponse(
            permits=[messages.permit(p) for p in page.items], page=page_info(page.next_token, page.total)
        )
