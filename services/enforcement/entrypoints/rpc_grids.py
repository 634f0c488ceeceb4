"""gRPC methods of grids and commissioners: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.entrypoints import messages
from services.enforcement.entrypoints import requests as req
from services.enforcement.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.enforcement.service_layer import grids
from shared.errors import InvalidArgument


class GridRpcs(RpcBase):
    """CreateGrid through ListCommissioners."""

    def CreateGrid(self, request: pb.CreateGridRequest, context: Ctx) -> pb.Grid:
        """A new grid."""
        return messages.grid(grids.create_grid(self.deps, req.grid_in(request.grid)))

    def UpdateGrid(self, request: pb.UpdateGridRequest, context: Ctx) -> pb.Grid:
        """Change the masked fields of a grid."""
        changed = grids.update_grid(
            self.deps, req.grid_changes(request.grid), list(request.update_mask.paths)
        )
        return messages.grid(changed)

    def GetGrid(self, request: pb.GetGridRequest, context: Ctx) -> pb.Grid:
        """One grid."""
        return messages.grid(grids.get_grid(self.deps, grid_id=request.grid_id))

    def ListGrids(self, request: pb.ListGridsRequest, context: Ctx) -> pb.ListGridsResponse:
        """Grids by town and parent."""
        page = grids.get_grids(
            self.deps,
            town=request.town.strip(),
            parent_grid_id=request.parent_grid_id.strip(),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListGridsResponse(
            grids=[messages.grid(g) for g in page.items], page=page_info(page.next_token, page.total)
        )

    def LocateGrid(self, request: pb.LocateGridRequest, context: Ctx) -> pb.Grid:
        """The grid a point is routed to."""
        if not request.HasField("location"):
            raise InvalidArgument("location", "required")
        point = req.location("location", request.location, True)
        assert point is not None
        return messages.grid(grids.locate(self.deps, point=point))

    def CreateCommissioner(self, request: pb.CreateCommissionerRequest, context: Ctx) -> pb.Commissioner:
        """A new commissioner."""
        return messages.commissioner(
            grids.create_commissioner(self.deps, req.commissioner_in(request.commissioner))
        )

    def UpdateCommissioner(self, request: pb.UpdateCommissionerRequest, context: Ctx) -> pb.Commissioner:
        """Change the masked fields of a commissioner."""
        changed = grids.update_commissioner(
            self.deps, req.commissioner_in(request.commissioner), list(request.update_mask.paths)
        )
        return messages.commissioner(changed)

    def ListCommissioners(
        self, request: pb.ListCommissionersRequest, context: Ctx
    ) -> pb.ListCommissionersResponse:
        """Commissioners by grid."""
        page = grids.get_commissioners(
            self.deps,
            grid_id=request.grid_id.strip(),
            active_only=request.active_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListCommissionersResponse(
            commissioners=[messages.commissioner(c) for c in page.items],
            page=page_info(page.next_token, page.total),
        )
