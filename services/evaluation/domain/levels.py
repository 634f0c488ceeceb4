"""Credit levels of the national measures of 2013 (企业环境信用评价办法（试行）, 环发〔2013〕150号,
art. 5: 环保诚信 green, 环保良好 blue, 环保警示 yellow, 环保不良 red), with the black level some
provinces add for serious dishonesty (REFERENCE.md "Enterprise environmental credit")."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """A credit level; `rank` orders them from best (0) to worst."""

    GREEN = "green"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    BLACK = "black"

    @property
    def rank(self) -> int:
        """0 for green … 4 for black."""
        return ORDER.index(self)

    @property
    def label(self) -> str:
        """The official Chinese name of the level."""
        return LABELS[self]


ORDER = [Level.GREEN, Level.BLUE, Level.YELLOW, Level.RED, Level.BLACK]

LABELS = {
    Level.GREEN: "环保诚信企业",
    Level.BLUE: "环保良好企业",
    Level.YELLOW: "环保警示企业",
    Level.RED: "环保不良企业",
    Level.BLACK: "环保严重失信企业",
}


def worst(*levels: Level) -> Level:
    """The worst of the levels given."""
    return max(levels, key=lambda level: level.rank)


def parse(value: str, *, field: str) -> Level:
    """A level from its name ("green"); ValueError naming the field otherwise."""
    try:
        return Level(value.strip().lower())
    except ValueError:
        raise ValueError(f"{field}: {value!r} is not one of {[level.value for level in ORDER]}") from None
