"""Operators' passwords: argon2id (RFC 9106) through argon2-cffi, and the rule a new password meets."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.errors import InvalidArgument

# RFC 9106 section 4, second recommended option (argon2id, t=3, 64 MiB, p=4): argon2-cffi's default.
_HASHER = PasswordHasher()
MIN_LENGTH = 10  # NIST SP 800-63B 5.1.1.2 asks at least 8; operators' accounts reach every record
MAX_LENGTH = 200
# A hash of nothing anyone knows, verified when the username is unknown so that the answer takes as
# long as for a known one (no telling accounts apart by timing).
_DECOY = _HASHER.hash("decoy password never issued")


def check_new(password: str, *, username: str, field: str = "password") -> None:
    """InvalidArgument unless `password` may be set: long enough, not the username, printable."""
    if len(password) < MIN_LENGTH:
        raise InvalidArgument(field, f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidArgument(field, f"must be at most {MAX_LENGTH} characters")
    if username and username.lower() in password.lower():
        raise InvalidArgument(field, "must not contain the username")
    if not password.isprintable():
        raise InvalidArgument(field, "must hold printable characters only")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt included) to store for a password."""
    return _HASHER.hash(password)


def verify(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (an empty or damaged hash matches nothing)."""
    try:
        return _HASHER.verify(stored or _DECOY, password) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (rehash at sign-in)."""
    return _HASHER.check_needs_rehash(stored)
