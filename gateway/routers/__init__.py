"""The gateway's routers, mounted in this order (imported here, in one place, so a reader and the
type checker see every route the app serves)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.routers import (
    accounts,
    codes,
    console,
    enterprises,
    evaluation,
    grids,
    health,
    inspections,
    map,
    monitoring,
    permits,
    petitions,
    problems,
    public,
    risk,
    search,
    session,
)


def all_routers() -> list[APIRouter]:
    """Every router of the gateway, in mounting order."""
    return [
        health.router,
        # Routes are matched one by one in this order: search, the busiest operator route, early (at
        # place 56, matching it took about a tenth of its CPU under load; README "Benchmarks").
        search.router,
        codes.router,
        public.router,
        enterprises.router,
        risk.router,
        session.router,
        accounts.router,
        grids.router,  # before map: its path is a special case of map's
        map.router,
        problems.router,
        console.router,
        monitoring.router,
        permits.router,
        evaluation.router,
        inspections.router,
        petitions.router,
    ]
