"""gRPC methods of petitions (信访): protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.entrypoints import petition_messages as msg
from services.enforcement.entrypoints.requests import caller, owner
from services.enforcement.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.enforcement.service_layer import petitions
from shared.grpc.auth import current_department


class PetitionRpcs(RpcBase):
    """SubmitPetition through ClosePetition."""

    def SubmitPetition(self, request: pb.SubmitPetitionRequest, context: Ctx) -> pb.Petition:
        """A petition from the code page, the hotline (an operator) or another department."""
        record = petitions.submit(self.deps, msg.intake_in(request), department=current_department())
        return msg.petition(record, self._now())

    def GetPetition(self, request: pb.GetPetitionRequest, context: Ctx) -> pb.Petition:
        """One petition, whole."""
        return msg.petition(petitions.get(self.deps, petition_id=request.petition_id.strip()), self._now())

    def TrackPetition(self, request: pb.TrackPetitionRequest, context: Ctx) -> pb.Petition:
        """A petition by tracking code, public fields only."""
        return msg.public(petitions.track(self.deps, tracking_code=request.tracking_code), self._now())

    def ListPetitions(self, request: pb.ListPetitionsRequest, context: Ctx) -> pb.ListPetitionsResponse:
        """Petitions by status, enterprise, town, grid, overdue."""
        page = petitions.get_all(
            self.deps,
            statuses=msg.statuses(list(request.statuses)),
            uscc=request.uscc.strip().upper(),
            town=request.town.strip(),
            grid_id=request.grid_id.strip(),
            overdue_only=request.overdue_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        now = self._now()
        return pb.ListPetitionsResponse(
            petitions=[msg.petition(r, now) for r in page.items], page=page_info(page.next_token, page.total)
        )

    def AcceptPetition(self, request: pb.AcceptPetitionRequest, context: Ctx) -> pb.Petition:
        """Accept (opening its problem) or decline a received petition."""
        given = request.HasField("owner") and (request.owner.department or request.owner.commissioner_id)
        record = petitions.decide(
            self.deps,
            petition_id=request.petition_id.strip(),
            accept=request.accept,
            decline_reason=request.decline_reason,
            owner=owner("owner", request.owner) if given else None,
            actor=caller(request.actor),
        )
        return msg.petition(record, self._now())

    def ExtendPetition(self, request: pb.ExtendPetitionRequest, context: Ctx) -> pb.Petition:
        """The one extension of the handling deadline."""
        record = petitions.extend(
            self.deps,
            petition_id=request.petition_id.strip(),
            days=request.days,
            reason=request.reason,
            actor=caller(request.actor),
        )
        return msg.petition(record, self._now())

    def AnswerPetition(self, request: pb.AnswerPetitionRequest, context: Ctx) -> pb.Petition:
        """The written answer."""
        record = petitions.answer(
            self.deps,
            petition_id=request.petition_id.strip(),
            text=request.answer,
            substantiated=request.substantiated,
            actor=caller(request.actor),
        )
        return msg.petition(record, self._now())

    def ClosePetition(self, request: pb.ClosePetitionRequest, context: Ctx) -> pb.Petition:
        """Close an answered or declined petition."""
        record = petitions.close(
            self.deps, petition_id=request.petition_id.strip(), actor=caller(request.actor)
        )
        return msg.petition(record, self._now())
