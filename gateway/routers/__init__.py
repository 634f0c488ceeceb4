"""The gateway's routers. Each module exposes `router`; ROUTERS lists those the app mounts."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter

log = logging.getLogger(__name__)

# Module names under gateway.routers, mounted in this order.
ROUTER_MODULES = ("health", "codes", "public", "enterprises", "session", "search", "map", "console")


def all_routers() -> list[APIRouter]:
    """Import and return every router listed in ROUTER_MODULES."""
    return [importlib.import_module(f"gateway.routers.{name}").router for name in ROUTER_MODULES]
