"""What every part of risk's gRPC servicer shares: the dependencies and page info."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from eco.v1 import common_pb2
from services.risk.service_layer.unit_of_work import Deps

Ctx: TypeAlias = grpc.ServicerContext


def page_info(next_token: str, total: int) -> common_pb2.PageInfo:
    """The paging part of a list reply."""
    return common_pb2.PageInfo(next_page_token=next_token, total=total)


class RpcBase:
    """Holds the service's dependencies for the servicer's parts (one per area of the contract)."""

    deps: Deps
