"""gRPC methods of the discharge-rights ledger: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import permits_pb2
from services.permits.entrypoints import messages
from services.permits.entrypoints import requests as req
from services.permits.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.permits.service_layer import rights


class RightsRpcs(RpcBase):
    """SetRightsCap, AllocateRights, TransferRights, ReturnRights, GetRightsPosition, ListRightsEntries."""

    def SetRightsCap(
        self, request: permits_pb2.SetRightsCapRequest, context: Ctx
    ) -> permits_pb2.RightsPosition:
        """Set a pollutant's city cap."""
        position = rights.set_cap(
            self.deps,
            pollutant=request.pollutant,
            cap_tonnes=request.cap_tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_position(position)

    def AllocateRights(
        self, request: permits_pb2.AllocateRightsRequest, context: Ctx
    ) -> permits_pb2.RightsEntry:
        """Reserve -> enterprise."""
        entry = rights.allocate(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def TransferRights(
        self, request: permits_pb2.TransferRightsRequest, context: Ctx
    ) -> permits_pb2.RightsEntry:
        """Enterprise -> enterprise."""
        entry = rights.transfer(
            self.deps,
            pollutant=request.pollutant,
            from_uscc=request.from_uscc,
            to_uscc=request.to_uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def ReturnRights(self, request: permits_pb2.ReturnRightsRequest, context: Ctx) -> permits_pb2.RightsEntry:
        """Enterprise -> reserve."""
        entry = rights.return_to_reserve(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def GetRightsPosition(
        self, request: permits_pb2.GetRightsPositionRequest, context: Ctx
    ) -> permits_pb2.RightsPosition:
        """Cap, reserve and holdings of one pollutant."""
        return messages.rights_position(rights.position(self.deps, pollutant=request.pollutant))

    def ListRightsEntries(
        self, request: permits_pb2.ListRightsEntriesRequest, context: Ctx
    ) -> permits_pb2.ListRightsEntriesResponse:
        """Ledger entries, newest first."""
        page = rights.entries(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListRightsEntriesResponse(
            entries=[messages.rights_entry(e) for e in page.items],
            page=page_info(page.next_token, page.total),
        )
