"""Rules every request message obeys whatever its method: text rule on every string, valid timestamps.

The interceptor runs `check_message` on each decoded request (and on each message of a request
stream) before the servicer sees it, so a NUL in a filter or a negative `nanos` is refused the same
way on every method, old or new, as INVALID_ARGUMENT naming the field.

This runs on every reading of every batch, so each message type gets a checker compiled once from
its descriptor (straight-line code reading only the fields that can hold text or a timestamp);
a field's path (`readings[3].station_id`) is only built on the way back up from a problem.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from shared.errors import InvalidArgument
from shared.strings import forbidden_character, search_forbidden

TIMESTAMP = "google.protobuf.Timestamp"
# google/protobuf/timestamp.proto: seconds from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, and
# "non-negative fractions of a second at nanosecond resolution", 0 to 999,999,999 inclusive.
MIN_SECONDS, MAX_SECONDS = -62_135_596_800, 253_402_300_799
MAX_NANOS = 999_999_999

Problem = tuple[str, str]  # (field path, reason)
Checker = Callable[[Any], Problem | None]


def check_message(message: Message) -> None:
    """InvalidArgument naming the first field (as `readings[3].station_id`) that breaks a rule."""
    problem = _checker(message.DESCRIPTOR)(message)  # type: ignore[arg-type]
    if problem is not None:
        raise InvalidArgument(problem[0] or "request", problem[1])


def timestamp_problem(timestamp: Any) -> Problem | None:
    """Why a google.protobuf.Timestamp is not a valid one, or None."""
    if not 0 <= timestamp.nanos <= MAX_NANOS:
        return "", f"nanos must be from 0 to {MAX_NANOS}, not {timestamp.nanos}"
    if not MIN_SECONDS <= timestamp.seconds <= MAX_SECONDS:
        return "", "must be between 0001-01-01 and 9999-12-31 (UTC)"
    return None


def _join(where: str, found: Problem) -> Problem:
    return (f"{where}.{found[0]}" if found[0] else where), found[1]


def _reason(value: str) -> str:
    return forbidden_character(value) or ""


class _Table(dict[str, Checker]):
    """Compiled checkers by message type name, each built on first use (a recursive type refers to
    itself through this table, so compiling one never needs another compiled first)."""

    def __missing__(self, full_name: str) -> Checker:
        checker = _compile(_DESCRIPTORS[full_name])
        self[full_name] = checker
        return checker


_DESCRIPTORS: dict[str, Descriptor] = {}
_CHECKERS = _Table()


def _checker(descriptor: Descriptor) -> Checker:
    checker = _CHECKERS.get(descriptor.full_name)
    if checker is None:
        _register(descriptor)
        checker = _CHECKERS[descriptor.full_name]
    return checker


def _register(descriptor: Descriptor) -> None:
    """Remember a type and every type reachable from it, so their checkers compile on demand."""
    pending = [descriptor]
    while pending:
        current = pending.pop()
        if current.full_name not in _DESCRIPTORS:
            _DESCRIPTORS[current.full_name] = current
            pending.extend(f.message_type for f in current.fields if f.message_type is not None)


def _compile(descriptor: Descriptor) -> Checker:
    """Straight-line Python for one message type (only its text, timestamp and message fields)."""
    if descriptor.full_name == TIMESTAMP:
        return timestamp_problem
    lines = ["def check(m):"]
    for field in descriptor.fields:
        name = field.name
        # A field may be named like a Python keyword (`from`): read it with getattr then.
        read = f"getattr(m, {name!r})" if keyword.iskeyword(name) else f"m.{name}"
        if field.type == FieldDescriptor.TYPE_STRING:
            if field.is_repeated:
                lines += [
                    f"    for i, v in enumerate({read}):",
                    "        if search(v):",
                    f"            return f'{name}[{{i}}]', reason(v)",
                ]
            else:
                lines += [
                    f"    v = {read}",
                    "    if v and search(v):",
                    f"        return {name!r}, reason(v)",
                ]
        elif (target := field.message_type) is not None and _worth_walking(target):
            if target.GetOptions().map_entry:
                lines += _map_lines(name, read, target)
            elif field.is_repeated:
                lines += [
                    f"    sub = table[{target.full_name!r}]",
                    f"    for i, item in enumerate({read}):",
                    "        found = sub(item)",
                    "        if found is not None:",
                    f"            return join(f'{name}[{{i}}]', found)",
                ]
            elif target.full_name == TIMESTAMP:
                # A default timestamp (0, 0) is valid, so there is no need to ask whether it is set.
                lines += [
                    f"    t = {read}",
                    "    if not (0 <= t.nanos <= MAX_NANOS and MIN_SECONDS <= t.seconds <= MAX_SECONDS):",
                    f"        return join({name!r}, timestamp_problem(t))",
                ]
            else:
                lines += [
                    f"    if m.HasField({name!r}):",
                    f"        found = table[{target.full_name!r}]({read})",
                    "        if found is not None:",
                    f"            return join({name!r}, found)",
                ]
    lines.append("    return None")
    namespace: dict[str, Any] = {
        "search": search_forbidden,
        "reason": _reason,
        "join": _join,
        "table": _CHECKERS,
        "timestamp_problem": timestamp_problem,
        "MAX_NANOS": MAX_NANOS,
        "MIN_SECONDS": MIN_SECONDS,
        "MAX_SECONDS": MAX_SECONDS,
    }
    exec("\n".join(lines), namespace)  # source built above from field names of a descriptor only
    return namespace["check"]  # type: ignore[no-any-return]


def _map_lines(name: str, read: str, entry: Descriptor) -> list[str]:
    key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
    lines = [f"    for k, v in {read}.items():"]
    if key.type == FieldDescriptor.TYPE_STRING:
        lines += ["        if search(k):", f"            return f'{name}[{{k!r}}]', reason(k)"]
    if value.type == FieldDescriptor.TYPE_STRING:
        lines += ["        if search(v):", f"            return f'{name}[{{k!r}}]', reason(v)"]
    elif (target := value.message_type) is not None and _worth_walking(target):
        lines += [
            f"        found = table[{target.full_name!r}](v)",
            "        if found is not None:",
            f"            return join(f'{name}[{{k!r}}]', found)",
        ]
    return lines if len(lines) > 1 else []


_worth: dict[str, bool] = {}


def _worth_walking(descriptor: Descriptor, visiting: frozenset[str] = frozenset()) -> bool:
    """Whether a message type holds, at any depth, a string or a timestamp (a cycle counts as yes)."""
    name = descriptor.full_name
    if name in _worth:
        return _worth[name]
    if name == TIMESTAMP or name in visiting:
        return True
    worth = any(
        field.type == FieldDescriptor.TYPE_STRING
        or (
            field.type == FieldDescriptor.TYPE_MESSAGE
            and field.message_type is not None
            and _worth_walking(field.message_type, visiting | {name})
        )
        for field in descriptor.fields
    )
    if not worth or not visiting:  # a yes reached by assuming a cycle is not final
        _worth[name] = worth
    return worth
