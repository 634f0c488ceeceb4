"""The gateway's search settings."""

from __future__ import annotations

import pytest

from gateway import config
from shared.settings import SettingsError


def test_the_indexer_is_on_by_default_over_every_topic() -> None:
    settings = config.load({})
    assert settings.indexer_enabled is True
    assert settings.search_index_prefix == "eco-" and settings.search_topics == ()


def test_tests_choose_their_topics_and_prefix_and_may_turn_the_indexer_off() -> None:
    env = {
        "ECO_GATEWAY_INDEXER": "0",
        "ECO_SEARCH_TOPICS": " a.events, b.events ,",
        "ECO_SEARCH_INDEX_PREFIX": "t1-",
    }
    settings = config.load(env)
    assert settings.indexer_enabled is False
    assert settings.search_topics == ("a.events", "b.events") and settings.search_index_prefix == "t1-"


def test_a_malformed_switch_stops_the_start() -> None:
    with pytest.raises(SettingsError, match="ECO_GATEWAY_INDEXER"):
        config.load({"ECO_GATEWAY_INDEXER": "yes"})
