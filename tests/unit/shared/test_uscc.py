"""GB 32100-2015 USCC validation: real codes pass, every single-character change fails."""

from __future__ import annotations

import pytest

from shared.errors import InvalidArgument
from shared.uscc import ALPHABET, validate_uscc, with_check_characters

# Real codes from REFERENCE.md.
REAL = ["91330100716105852F", "914403001922038216", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_pass_unchanged(code: str) -> None:
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", REAL)
def test_every_single_character_change_fails(code: str) -> None:
    tried = 0
    for position in range(18):
        for symbol in ALPHABET + "IOSVZ-":
            if symbol == code[position]:
                continue
            changed = code[:position] + symbol + code[position + 1 :]
            with pytest.raises(InvalidArgument) as err:
                validate_uscc(changed)
            assert err.value.field == "uscc"
            assert "position" in err.value.reason
            tried += 1
    assert tried == 18 * 36  # 30 other symbols + 5 excluded letters + "-"


def test_error_names_the_failing_position() -> None:
    with pytest.raises(InvalidArgument, match=r"position 18: check character should be 'F', got 'G'"):
        validate_uscc("91330100716105852G")
    # Positions 9-16 are covered by the organisation-code check first (GB 11714).
    with pytest.raises(InvalidArgument, match=r"position 17: organisation-code check character should be"):
        validate_uscc("91330100716105862F")
    with pytest.raises(InvalidArgument, match=r"position 5: 'O' is not a GB 32100 symbol"):
        validate_uscc("9133O100716105852F")


def test_lower_case_and_surrounding_space_are_normalised() -> None:
    assert validate_uscc("  91440300708461136t\n") == "91440300708461136T"


def test_full_width_characters_are_folded() -> None:
    assert validate_uscc("９１３３０１００７１６１０５８５２Ｆ") == "91330100716105852F"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "required"),
        ("9133010071610585", "must be 18 characters"),
        ("91330100716105852F0", "must be 18 characters"),
        ("913301 0716105852F", "position 7: ' '"),
    ],
)
def test_malformed_input_is_refused_clearly(raw: str, reason: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        validate_uscc(raw)
    assert reason in err.value.reason


def test_with_check_characters_completes_real_codes() -> None:
    for code in REAL:
        assert with_check_characters(code[:16]) == code
