"""The gateway's routers, mounted in this order (imported here, in one place, so a reader and the
type checker see every route the app serves)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.routers import (
    codes,
    console,
    enterprises,
    health,
    inspections,
    map,
    petitions,
    public,
    search,
    session,
)


def all_routers() -> list[APIRouter]:
    """Every router of the gateway, in mounting order."""
    return [
        health.router,
        codes.router,
        public.router,
        enterprises.router,
        session.router,
        search.router,
        map.router,
        console.router,
        inspections.router,
        petitions.router,
    ]
