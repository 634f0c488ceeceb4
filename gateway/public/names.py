"""Public names of the protobuf enums the code page shows: the enum value's name, lower case, without
its prefix ("CREDIT_LEVEL_YELLOW" -> "yellow"), and a chosen word for UNSPECIFIED. These are the same
words the code service uses (a unit test holds the two to each other); the gateway derives them from
the contract instead of importing a service's code."""

from __future__ import annotations

from typing import Any

from eco.v1 import codes_pb2, common_pb2


def enum_word(enum: Any, value: int, prefix: str, unspecified: str) -> str:
    """The public word of one enum value (`unspecified` for UNSPECIFIED or an unknown number)."""
    try:
        name: str = enum.Name(value)
    except ValueError:
        return unspecified
    return unspecified if name.endswith("_UNSPECIFIED") else name.removeprefix(prefix).lower()


def credit_level(value: int) -> str:
    """ "green" ... "black", or "unrated" (no evaluation yet)."""
    return enum_word(common_pb2.CreditLevel, value, "CREDIT_LEVEL_", "unrated")


def permit_class(value: int) -> str:
    """ "key", "simplified", "registration", or "" when not known."""
    return enum_word(common_pb2.PermitClass, value, "PERMIT_CLASS_", "")


def permit_state(value: int) -> str:
    """ "valid", "expired", "revoked", "suspended", or "none" (no permit seen)."""
    return enum_word(codes_pb2.PermitState, value, "PERMIT_STATE_", "none")
