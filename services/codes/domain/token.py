"""Signed code tokens: HMAC-SHA256 over (USCC, code version, key id), compact URL-safe base64.

Layout before encoding: format (1 byte) | code version (4 bytes, big-endian) | key id length (1) |
key id | USCC (18 ASCII) | MAC (first 16 bytes of HMAC-SHA256 over a domain tag and everything
before it). 128 bits of MAC make a token unguessable; truncation as allowed by RFC 2104 section 5.
The key id travels in the token so that signing keys rotate while printed stickers stay verifiable.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

FORMAT = 1
MAC_BYTES = 16
USCC_BYTES = 18
MIN_SECRET_BYTES = 16
# A token is about 60 characters; anything far longer is not ours and is not worth decoding.
MAX_TOKEN_CHARS = 200
_DOMAIN_TAG = b"eco.v1.codes.token\x00"
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class Verdict(StrEnum):
    """What verifying a token found; the public page explains each refusal differently."""

    VALID = "valid"
    MALFORMED = "malformed"
    TAMPERED = "tampered"
    UNKNOWN = "unknown"
    SUPERSEDED = "superseded"
    REVOKED = "revoked"


class TokenRefused(Exception):
    """A token that fails before any database lookup: malformed or tampered."""

    def __init__(self, verdict: Verdict, detail: str) -> None:
        super().__init__(detail)
        self.verdict = verdict
        self.detail = detail


@dataclass(frozen=True)
class SigningKey:
    kid: str
    secret: bytes

    def __post_init__(self) -> None:
        if not _KID.match(self.kid):
            raise ValueError(f"key id {self.kid!r}: 1-32 characters of letters, digits, '_', '.', '-'")
        if len(self.secret) < MIN_SECRET_BYTES:
            raise ValueError(f"key {self.kid!r}: the secret needs at least {MIN_SECRET_BYTES} bytes")


class KeyRing:
    """The signing keys: the first one not retired signs new codes, every one verifies.

    A retired key keeps its secret only to recognise its own stickers: a token it signed still
    verifies (and reads as superseded once its code has been rotated onto a current key), but it
    never signs a new version. A key id nobody configured at all reads as tampered."""

    def __init__(self, keys: Iterable[SigningKey], retired: Iterable[str] = ()) -> None:
        self._keys = list(keys)
        if not self._keys:
            raise ValueError("a key ring needs at least one key")
        kids = [k.kid for k in self._keys]
        if len(set(kids)) != len(kids):
            raise ValueError(f"duplicate key ids in {kids}")
        self._by_kid = {k.kid: k for k in self._keys}
        self._retired = frozenset(retired)
        strangers = sorted(self._retired - set(kids))
        if strangers:
            raise ValueError(
                f"retired key ids {strangers} are not in the ring (a retired key keeps its secret)"
            )
        active = [k for k in self._keys if k.kid not in self._retired]
        if not active:
            raise ValueError("every key is retired: one key must remain to sign new codes")
        self._signer = active[0]

    @property
    def signer(self) -> SigningKey:
        """The key that signs new code versions."""
        return self._signer

    def get(self, kid: str) -> SigningKey | None:
        """The key with this id, if it is still configured (retired or not)."""
        return self._by_kid.get(kid)

    def is_retired(self, kid: str) -> bool:
        """Whether the key only verifies old stickers and must sign nothing new."""
        return kid in self._retired


@dataclass(frozen=True)
class Claims:
    """What a verified token says: which enterprise, which version of its code, which key signed it."""

    uscc: str
    version: int
    kid: str


def _mac(secret: bytes, body: bytes) -> bytes:
    return hmac.new(secret, _DOMAIN_TAG + body, hashlib.sha256).digest()[:MAC_BYTES]


def sign(key: SigningKey, uscc: str, version: int) -> str:
    """The token of one version of an enterprise's code."""
    if len(uscc) != USCC_BYTES or not uscc.isascii():
        raise ValueError(f"uscc must be 18 ASCII characters, got {uscc!r}")
    if not 1 <= version < 2**32:
        raise ValueError(f"version must be a positive 32-bit number, got {version}")
    kid = key.kid.encode("ascii")
    body = struct.pack(">BIB", FORMAT, version, len(kid)) + kid + uscc.encode("ascii")
    return base64.urlsafe_b64encode(body + _mac(key.secret, body)).rstrip(b"=").decode("ascii")


def _decode(token: str) -> bytes:
    if not token or len(token) > MAX_TOKEN_CHARS or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise TokenRefused(Verdict.MALFORMED, "not a code token: wrong length or characters")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise TokenRefused(Verdict.MALFORMED, "not a code token: bad encoding") from None
    # Only the canonical spelling is accepted: base64's unused low bits would otherwise let several
    # strings stand for one token.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        raise TokenRefused(Verdict.MALFORMED, "not a code token: non-canonical encoding")
    return raw


def verify(keys: KeyRing, token: str) -> Claims:
    """The claims of a token whose signature checks out; TokenRefused (malformed or tampered) otherwise."""
    raw = _decode(token)
    if len(raw) < 6 + USCC_BYTES + MAC_BYTES or raw[0] != FORMAT:
        raise TokenRefused(Verdict.MALFORMED, "not a code token: unknown format or too short")
    _, version, kid_len = struct.unpack(">BIB", raw[:6])
    if len(raw) != 6 + kid_len + USCC_BYTES + MAC_BYTES:
        raise TokenRefused(Verdict.MALFORMED, "not a code token: wrong length")
    body, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    kid = body[6 : 6 + kid_len].decode("ascii", errors="replace")
    key = keys.get(kid)
    # An unknown key id cannot be told apart from an altered one: either way nobody we trust signed it.
    if key is None or not hmac.compare_digest(mac, _mac(key.secret, body)):
        raise TokenRefused(Verdict.TAMPERED, "the code's signature does not match: it was altered or forged")
    return Claims(uscc=body[6 + kid_len :].decode("ascii"), version=version, kid=kid)
