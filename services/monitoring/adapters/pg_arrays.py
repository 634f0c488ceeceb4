"""Numeric lists sent to PostgreSQL as binary arrays packed in one `struct.pack` call.

psycopg's own list dumper packs element by element in Python (8 calls per reading on the hot
path); these wrappers give it the finished bytes instead. Wire format: PostgreSQL's binary array
(array_send): ndim, has-null flag, element type, length and lower bound, then (length, value) pairs.
"""

from __future__ import annotations

import struct
from functools import lru_cache

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

# (array type oid, element type oid, struct code, element size) of each column type we send.
_INT4 = (1007, 23, "i", 4)
_INT8 = (1016, 20, "q", 8)
_FLOAT8 = (1022, 701, "d", 8)


@lru_cache(maxsize=64)
def _format(code: str, count: int) -> struct.Struct:
    return struct.Struct(">iiiii" + ("i" + code) * count)


def _pack(values: list[int] | list[float], spec: tuple[int, int, str, int]) -> bytes:
    _, element_oid, code, size = spec
    count = len(values)
    if count == 0:
        return struct.pack(">iii", 0, 0, element_oid)
    pairs: list[int | float] = [size] * (2 * count)
    pairs[1::2] = values
    return _format(code, count).pack(1, 0, element_oid, count, 1, *pairs)


class PackedArray:
    """A list already packed as a binary array of one type."""

    spec = _INT4

    def __init__(self, values: list[int] | list[float]) -> None:
        self.packed = _pack(values, self.spec)


class Int4Array(PackedArray):
    """int4[]"""

    spec = _INT4


class Int8Array(PackedArray):
    """int8[]"""

    spec = _INT8


class Float8Array(PackedArray):
    """float8[]"""

    spec = _FLOAT8


def _dumper(array_oid: int) -> type[Dumper]:
    class _PackedDumper(Dumper):
        format = Format.BINARY
        oid = array_oid

        def dump(self, obj: PackedArray) -> bytes:  # type: ignore[override]
            return obj.packed

    return _PackedDumper


_DUMPERS = [(cls, _dumper(cls.spec[0])) for cls in (Int4Array, Int8Array, Float8Array)]


def register(connection: psycopg.Connection[object]) -> None:
    """Teach a connection to send the wrappers as they are (a few dict writes; affects only these types)."""
    adapters = connection.adapters
    for cls, dumper in _DUMPERS:
        adapters.register_dumper(cls, dumper)
