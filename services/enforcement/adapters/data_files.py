"""The versioned data files of data/: legal provisions, the minor-violation list, stage deadlines
and river lines, parsed into domain objects (migrations load the first three into tables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.enforcement.domain.case import Stage
from services.enforcement.domain.deadlines import Schedule
from services.enforcement.domain.decisions import (
    Catalogue,
    Harm,
    PenaltyKind,
    Provision,
    WaiverItem,
    WaiverList,
)
from services.enforcement.domain.tracing import River

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name: str) -> dict[str, Any]:
    """One data file of data/ as JSON."""
    loaded: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return loaded


def catalogue(doc: dict[str, Any]) -> Catalogue:
    """The provision catalogue of a document."""
    provisions = {
        p["code"]: Provision(
            p["code"],
            p["citation"],
            p["violation"],
            frozenset(PenaltyKind(k) for k in p["penalties"]),
            int(p["fine_min_fen"]),
            int(p["fine_max_fen"]),
        )
        for p in doc["provisions"]
    }
    return Catalogue(doc["version"], provisions)


def waiver_list(doc: dict[str, Any]) -> WaiverList:
    """The minor-violation list of a document."""
    items = {
        i["code"]: WaiverItem(i["code"], i["text"], bool(i["first_violation_required"]), Harm(i["max_harm"]))
        for i in doc["items"]
    }
    return WaiverList(doc["version"], items)


def schedule(doc: dict[str, Any]) -> Schedule:
    """The stage deadlines of a document."""
    return Schedule(doc["version"], {Stage(k): int(v) for k, v in doc["hours"].items()})


def rivers(path: Path | None = None) -> dict[str, River]:
    """River centre lines by name (data/rivers.json unless another file is given)."""
    doc = json.loads((path or DATA / "rivers.json").read_text(encoding="utf-8"))
    return {
        r["name"]: River(r["name"], tuple((float(lon), float(lat)) for lon, lat in r["line"]))
        for r in doc["rivers"]
    }
