"""What every part of enforcement's gRPC servicer shares: the dependencies and page info."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import grpc

from eco.v1 import common_pb2
from services.enforcement.service_layer.unit_of_work import Deps

Ctx: TypeAlias = grpc.ServicerContext


def page_info(next_token: str, total: int) -> common_pb2.PageInfo:
    """The paging part of a list reply."""
    return common_pb2.PageInfo(next_page_token=next_token, total=total)


class RpcBase:
    """Holds the service's dependencies for the servicer's parts (one per area of the contract)."""

    deps: Deps

    def _now(self) -> datetime:
        """Now by the service's clock (a case's `overdue` is judged against it)."""
        return self.deps.clock.now()
