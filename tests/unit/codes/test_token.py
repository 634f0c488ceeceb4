"""Signed tokens: round trip, and each way a token can be refused before any lookup."""

import base64
import string

import pytest

from services.codes.domain.token import Claims, KeyRing, SigningKey, TokenRefused, Verdict, sign, verify
from tests.unit.codes.factories import OLD_KEY, TEST_KEY, keys, make_uscc


def _refusal(ring: KeyRing, token: str) -> Verdict:
    with pytest.raises(TokenRefused) as err:
        verify(ring, token)
    return err.value.verdict


def test_round_trip_gives_back_the_claims() -> None:
    code = make_uscc()
    token = sign(TEST_KEY, code, 7)
    assert verify(keys(), token) == Claims(uscc=code, version=7, kid="test-1")
    # Compact and URL-safe: fits a QR code comfortably and needs no escaping in a path.
    assert len(token) <= 64
    assert all(c.isalnum() or c in "-_" for c in token)


def test_every_single_character_change_is_detected() -> None:
    token = sign(TEST_KEY, make_uscc(), 1)
    for i in range(len(token)):
        replacement = "A" if token[i] != "A" else "B"
        altered = token[:i] + replacement + token[i + 1 :]
        try:
            verify(keys(), altered)
        except TokenRefused as refused:
            assert refused.verdict in (Verdict.TAMPERED, Verdict.MALFORMED)
        else:  # pragma: no cover - the assertion below reports it
            pytest.fail(f"changing character {i} was not detected")


def test_changing_the_uscc_or_version_inside_breaks_the_signature() -> None:
    code = make_uscc()
    raw = bytearray(base64.urlsafe_b64decode(sign(TEST_KEY, code, 1) + "=="))
    raw[4] = 2  # version 1 -> 2 (big-endian, last byte of the 4)
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert _refusal(keys(), forged) is Verdict.TAMPERED


@pytest.mark.parametrize("garbage", ["", "hello", "!!!!", "A" * 500, "AAAA"])
def test_garbage_is_malformed(garbage: str) -> None:
    assert _refusal(keys(), garbage) is Verdict.MALFORMED


def test_a_key_nobody_configured_is_tampered() -> None:
    stranger = SigningKey("test-1", b"same id, a secret we never had!!")
    assert _refusal(keys(), sign(stranger, make_uscc(), 1)) is Verdict.TAMPERED


def test_key_rotation_keeps_old_stickers_until_their_key_is_removed() -> None:
    code = make_uscc()
    old_sticker = sign(OLD_KEY, code, 1)
    assert verify(keys(), old_sticker).kid == "test-0"
    assert _refusal(KeyRing([TEST_KEY]), old_sticker) is Verdict.TAMPERED


def test_key_ring_rules() -> None:
    with pytest.raises(ValueError, match="at least"):
        SigningKey("k", b"short")
    with pytest.raises(ValueError, match="key id"):
        SigningKey("bad id!", b"x" * 32)
    with pytest.raises(ValueError, match="duplicate"):
        KeyRing([TEST_KEY, TEST_KEY])
    assert keys().signer is TEST_KEY


def _with_byte(token: str, index: int, value: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[index] = value
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_tampered_and_malformed_are_told_apart() -> None:
    token = sign(TEST_KEY, make_uscc(), 1)
    size = len(base64.urlsafe_b64decode(token + "=="))
    # Well formed, but any signed byte changed (version, key id, USCC, MAC): the signature fails.
    for index in [1, 2, 3, 4, *range(6, size)]:
        original = base64.urlsafe_b64decode(token + "==")[index]
        assert _refusal(keys(), _with_byte(token, index, original ^ 0x01)) is Verdict.TAMPERED, index
    # Not a token of ours at all: unknown format, a key-id length that does not fit, a non-canonical
    # spelling of the same bytes, a truncated token.
    assert _refusal(keys(), _with_byte(token, 0, 2)) is Verdict.MALFORMED
    assert _refusal(keys(), _with_byte(token, 5, 200)) is Verdict.MALFORMED
    assert size * 8 % 6 != 0  # the last character carries unused low bits
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    same_bytes = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]  # flips an unused bit only
    assert base64.urlsafe_b64decode(same_bytes + "==") == base64.urlsafe_b64decode(token + "==")
    assert _refusal(keys(), same_bytes) is Verdict.MALFORMED
    assert _refusal(keys(), token[:-8]) is Verdict.MALFORMED
