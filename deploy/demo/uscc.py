"""Making valid unified social credit codes for demo enterprises (GB 32100-2015, GB 11714).

The validator lives in the permits service; this only builds codes that pass it, so the demo city's
enterprises look like real ones registered in Cixi (division 330282).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: 31 symbols, no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_check(body: str) -> str:
    """The 9th character of an organisation code (GB 11714) for its first eight."""
    c = 11 - sum(_org_value(ch) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def uscc_check(first17: str) -> str:
    """The 18th character of a USCC (GB 32100) for its first seventeen."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_uscc(serial: int, *, division: str = "330282", authority: str = "9", kind: str = "1") -> str:
    """A valid USCC for a company (authority 9, type 1) in the division, from a serial number."""
    body = f"MA{serial:06d}"  # "MA" prefixes codes issued since 2015's reform
    org = body + org_check(body)
    first17 = f"{authority}{kind}{division}{org}"
    return first17 + uscc_check(first17)
