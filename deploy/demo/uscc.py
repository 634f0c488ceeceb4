"""Valid unified social credit codes for the demo enterprises (GB 32100-2015)."""

from __future__ import annotations

from shared.uscc import with_check_characters


def make_uscc(serial: int, *, division: str = "330282") -> str:
    """A valid USCC of a company (authority 9, type 1) registered in the division, from a serial."""
    return with_check_characters(f"91{division}MA{serial:06d}")  # "MA": codes issued since the 2015 reform
