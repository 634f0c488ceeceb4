"""Unified social credit code (统一社会信用代码) validation, GB 32100-2015, shared by every service.

Input handling, decided once for every caller: surrounding whitespace is stripped, full-width
characters are folded to ASCII (NFKC, as codes pasted from Chinese documents often are) and lower
case is upper-cased. Anything else that is wrong is refused with the 1-based position that fails.
"""

from __future__ import annotations

import unicodedata

from shared.errors import InvalidArgument

# GB 32100-2015 §4.2: 31 symbols, no I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_INDEX = {symbol: i for i, symbol in enumerate(ALPHABET)}
# GB 32100-2015 §4.3: weight of position i is 3^(i-1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# GB 11714-1997: organisation-code check over its 8 body characters.
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
LENGTH = 18


def normalise(raw: str) -> str:
    """Strip, fold full-width characters and upper-case (no validation)."""
    return unicodedata.normalize("NFKC", raw).strip().upper()


def _org_value(symbol: str) -> int:
    # GB 11714: digits are their value, letters A=10 ... Z=35.
    return int(symbol) if symbol.isdigit() else ord(symbol) - ord("A") + 10


def org_check_character(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body."""
    c = 11 - sum(_org_value(s) * w for s, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) of the first 17 characters."""
    total = sum(_INDEX[s] * w for s, w in zip(first17, USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def with_check_characters(first16: str) -> str:
    """Complete 16 characters (positions 1-16) into a valid code by adding both check characters."""
    body = normalise(first16)
    if len(body) != 16 or any(s not in _INDEX for s in body):
        raise InvalidArgument("uscc", "need 16 characters of the GB 32100 alphabet to complete")
    first17 = body + org_check_character(body[8:16])
    return first17 + uscc_check_character(first17)


def validate_uscc(raw: str, field: str = "uscc") -> str:
    """The normalised code, or InvalidArgument(field, "position N: ...") naming what fails."""
    code = normalise(raw or "")
    if not code:
        raise InvalidArgument(field, "required (18 characters, GB 32100-2015)")
    for position, symbol in enumerate(code[:LENGTH], start=1):
        if symbol not in _INDEX:
            raise InvalidArgument(
                field,
                f"position {position}: {symbol!r} is not a GB 32100 symbol "
                "(digits and upper-case letters except I, O, S, V, Z)",
            )
    if len(code) != LENGTH:
        raise InvalidArgument(field, f"must be {LENGTH} characters (GB 32100-2015), got {len(code)}")
    expected_org = org_check_character(code[8:16])
    if code[16] != expected_org:
        raise InvalidArgument(
            field,
            f"position 17: organisation-code check character should be {expected_org!r}, "
            f"got {code[16]!r} (GB 11714 check over positions 9-16)",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise InvalidArgument(
            field,
            f"position 18: check character should be {expected!r}, got {code[17]!r} "
            "(GB 32100 check over positions 1-17)",
        )
    return code
