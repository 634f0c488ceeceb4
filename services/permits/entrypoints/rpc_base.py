"""What every part of permits' gRPC servicer shares: the dependencies, today, page info."""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

import grpc

from eco.v1 import common_pb2
from services.permits.service_layer.unit_of_work import Deps
from shared import china_time

Ctx: TypeAlias = grpc.ServicerContext


def page_info(next_token: str, total: int) -> common_pb2.PageInfo:
    """The paging part of a list reply."""
    return common_pb2.PageInfo(next_page_token=next_token, total=total)


class RpcBase:
    """Holds the service's dependencies for the servicer's parts (one per area of the contract)."""

    deps: Deps

    def _today(self) -> date:
        """The city's date by the service's clock (EIA days left are counted from it)."""
        return china_time.local_day(self.deps.clock.now())
