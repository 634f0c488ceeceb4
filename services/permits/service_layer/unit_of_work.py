"""Permits' dependencies and unit of work: the shared skeleton (shared.unit_of_work), named for permits."""

from __future__ import annotations

from dataclasses import dataclass

from shared.unit_of_work import Deps as BaseDeps
from shared.unit_of_work import Translate, Tx, transaction

SOURCE = "permits"

__all__ = ["SOURCE", "Deps", "Tx", "transaction"]


def _as_is(event: object) -> object:
    return event


@dataclass(kw_only=True)
class Deps(BaseDeps):
    """What every permits use case needs (nothing beyond the shared bundle)."""

    source: str = SOURCE
    translate: Translate = _as_is  # type: ignore[assignment]
