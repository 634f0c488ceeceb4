"""Industry sections (门类) of GB/T 4754-2017, to show a reader what an industry code means.

The table is the platform's (shared.vocabulary), read by the gateway too.
"""

from __future__ import annotations

from shared.vocabulary import INDUSTRY_SECTIONS, industry_section

SECTIONS = INDUSTRY_SECTIONS


def section(industry_code: str) -> str:
    """The section name of an industry code ("" when the code is empty or not GB/T 4754)."""
    return industry_section(industry_code)
