"""gRPC methods of emergencies, their notification stream, depots and dispatch: protobuf <->
service layer, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc

from eco.v1 import risk_pb2
from services.risk.entrypoints import messages
from services.risk.entrypoints import requests as req
from services.risk.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.risk.service_layer import depots, dispatching, emergencies
from shared.errors import InvalidArgument

# How often a caught-up notification stream looks for new notifications.
POLL_SECONDS = 0.5


class EmergencyRpcs(RpcBase):
    """DeclareEmergency, GetEmergency, ListEmergencies, RegradeEmergency, CloseEmergency,
    StreamEmergencyNotifications."""

    def DeclareEmergency(self, request: risk_pb2.DeclareEmergencyRequest, context: Ctx) -> risk_pb2.Emergency:
        """Declare an emergency; its needs are dispatched in the same step."""
        emergency, _order = emergencies.declare(
            self.deps,
            title=request.title,
            kind=request.kind,
            grade=request.grade,
            location=req.point("location", request.location, request.HasField("location")),  # type: ignore[arg-type]
            radius_m=request.radius_m,
            uscc=request.uscc,
            description=request.description,
            needs=req.amounts("needs", request.needs),
            max_distance_m=request.max_distance_m,
            occurred_at=req.instant("occurred_at", request.occurred_at, request.HasField("occurred_at")),
            actor=req.caller(request.actor),
        )
        return messages.emergency(emergency)

    def GetEmergency(self, request: risk_pb2.GetEmergencyRequest, context: Ctx) -> risk_pb2.Emergency:
        """One emergency."""
        return messages.emergency(emergencies.get(self.deps, emergency_id=request.emergency_id))

    def ListEmergencies(
        self, request: risk_pb2.ListEmergenciesRequest, context: Ctx
    ) -> risk_pb2.ListEmergenciesResponse:
        """Emergencies by status, town, enterprise."""
        page = emergencies.get_all(
            self.deps,
            statuses=req.enum_list("statuses", request.statuses, req.EMERGENCY_STATUS),
            town=request.town,
            uscc=request.uscc,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListEmergenciesResponse(
            emergencies=[messages.emergency(e) for e in page.items],
            page=page_info(page.next_token, page.total),
        )

    def RegradeEmergency(self, request: risk_pb2.RegradeEmergencyRequest, context: Ctx) -> risk_pb2.Emergency:
        """A new grade with its reason."""
        return messages.emergency(
            emergencies.regrade(
                self.deps,
                emergency_id=request.emergency_id,
                grade=request.grade,
                reason=request.reason,
                actor=req.caller(request.actor),
            )
        )

    def CloseEmergency(self, request: risk_pb2.CloseEmergencyRequest, context: Ctx) -> risk_pb2.Emergency:
        """Close with a summary."""
        return messages.emergency(
            emergencies.close(
                self.deps,
                emergency_id=request.emergency_id,
                summary=request.summary,
                actor=req.caller(request.actor),
            )
        )

    async def StreamEmergencyNotifications(
        self, request: risk_pb2.StreamEmergencyNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[risk_pb2.EmergencyNotification]:
        """Every notification after the given position, then each new one; a coroutine, so a waiting
        subscriber holds no worker thread (each read runs in one)."""
        position = request.after_position
        if position < 0:
            raise InvalidArgument("after_position", f"must not be negative, got {position}")
        while True:
            batch = await asyncio.to_thread(emergencies.notifications_after, self.deps, position=position)
            for n in batch:
                yield messages.notification(n)
                position = n.position
            if not batch:
                await asyncio.sleep(POLL_SECONDS)


class DepotRpcs(RpcBase):
    """CreateDepot, UpdateDepot, GetDepot, ListDepots, AdjustStock."""

    def CreateDepot(self, request: risk_pb2.CreateDepotRequest, context: Ctx) -> risk_pb2.SupplyDepot:
        """A new depot with its initial stock."""
        d = request.depot
        stock = []
        for i, line in enumerate(d.stock):
            a = line.amount
            stock.append(
                (
                    req.amounts(f"depot.stock[{i}].amount", [a])[0],
                    line.minimum.value if line.HasField("minimum") else 0.0,
                )
            )
        depot = depots.create(
            self.deps,
            name=d.name,
            location=req.point("depot.location", d.location, d.HasField("location")),  # type: ignore[arg-type]
            town=d.town,
            department=d.department,
            contact=d.contact,
            stock=stock,
        )
        return messages.depot(depot)

    def UpdateDepot(self, request: risk_pb2.UpdateDepotRequest, context: Ctx) -> risk_pb2.SupplyDepot:
        """Change the masked details."""
        d = request.depot
        paths = list(request.update_mask.paths)
        location = (
            req.point("depot.location", d.location, d.HasField("location"), required=False)
            if "location" in paths
            else None
        )
        return messages.depot(
            depots.update(
                self.deps,
                depot_id=d.depot_id,
                paths=paths,
                name=d.name,
                location=location,
                town=d.town,
                department=d.department,
                contact=d.contact,
                active=d.active,
            )
        )

    def GetDepot(self, request: risk_pb2.GetDepotRequest, context: Ctx) -> risk_pb2.SupplyDepot:
        """One depot with its stock."""
        return messages.depot(depots.get(self.deps, depot_id=request.depot_id))

    def ListDepots(self, request: risk_pb2.ListDepotsRequest, context: Ctx) -> risk_pb2.ListDepotsResponse:
        """Depots by town and item, nearest first with `near`."""
        page = depots.get_all(
            self.deps,
            town=request.town,
            item_code=request.item_code,
            near=req.point("near", request.near, request.HasField("near"), required=False),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListDepotsResponse(
            depots=[messages.depot(d) for d in page.items], page=page_info(page.next_token, page.total)
        )

    def AdjustStock(self, request: risk_pb2.AdjustStockRequest, context: Ctx) -> risk_pb2.SupplyDepot:
        """Restock, write off, or set the minimum."""
        return messages.depot(
            depots.adjust_stock(
                self.deps,
                depot_id=request.depot_id,
                item_code=request.item_code,
                delta=request.delta.value,
                unit=request.delta.unit,
                minimum=request.minimum.value if request.HasField("minimum") else None,
                reason=request.reason,
                actor=req.caller(request.actor),
            )
        )


class DispatchRpcs(RpcBase):
    """PlanDispatch, DispatchSupplies, GetDispatchOrder, ListDispatchOrders, ConfirmDelivery,
    ReturnSupplies."""

    def PlanDispatch(self, request: risk_pb2.PlanDispatchRequest, context: Ctx) -> risk_pb2.DispatchPlan:
        """The preview: nearest depots first, nothing reserved."""
        plan = dispatching.plan(
            self.deps,
            location=req.point("location", request.location, request.HasField("location")),  # type: ignore[arg-type]
            needs=req.amounts("needs", request.needs),
            max_distance_m=request.max_distance_m,
        )
        return messages.plan(plan)

    def DispatchSupplies(
        self, request: risk_pb2.DispatchSuppliesRequest, context: Ctx
    ) -> risk_pb2.DispatchOrder:
        """Reserve supplies for an emergency atomically."""
        return messages.order(
            dispatching.dispatch(
                self.deps,
                emergency_id=request.emergency_id,
                needs=req.amounts("needs", request.needs),
                max_distance_m=request.max_distance_m,
                actor=req.caller(request.actor),
            )
        )

    def GetDispatchOrder(
        self, request: risk_pb2.GetDispatchOrderRequest, context: Ctx
    ) -> risk_pb2.DispatchOrder:
        """One order."""
        return messages.order(dispatching.get(self.deps, dispatch_id=request.dispatch_id))

    def ListDispatchOrders(
        self, request: risk_pb2.ListDispatchOrdersRequest, context: Ctx
    ) -> risk_pb2.ListDispatchOrdersResponse:
        """Orders by emergency or depot."""
        page = dispatching.get_all(
            self.deps,
            emergency_id=request.emergency_id,
            depot_id=request.depot_id,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListDispatchOrdersResponse(
            orders=[messages.order(o) for o in page.items], page=page_info(page.next_token, page.total)
        )

    def ConfirmDelivery(
        self, request: risk_pb2.ConfirmDeliveryRequest, context: Ctx
    ) -> risk_pb2.DispatchOrder:
        """The supplies arrived."""
        return messages.order(
            dispatching.confirm_delivery(
                self.deps, dispatch_id=request.dispatch_id, actor=req.caller(request.actor)
            )
        )

    def ReturnSupplies(self, request: risk_pb2.ReturnSuppliesRequest, context: Ctx) -> risk_pb2.DispatchOrder:
        """Unused supplies back to stock."""
        returns = []
        for i, line in enumerate(request.lines):
            a = req.amounts(
                f"lines[{i}]", [risk_pb2.SupplyAmount(item_code=line.item_code, quantity=line.quantity)]
            )[0]
            returns.append((line.depot_id, a))
        return messages.order(
            dispatching.return_supplies(
                self.deps, dispatch_id=request.dispatch_id, returns=returns, actor=req.caller(request.actor)
            )
        )
