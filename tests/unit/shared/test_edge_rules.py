"""The one text rule (shared.strings) and the request walker (shared.grpc.validation)."""

from __future__ import annotations

import pytest
from google.protobuf import struct_pb2, timestamp_pb2

from eco.v1 import monitoring_pb2
from shared.errors import InvalidArgument
from shared.grpc.validation import check_message
from shared.strings import check_text, forbidden_character


@pytest.mark.parametrize(
    "text",
    [
        *("\x00", "a\x01b", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\x9f"),
        *("name\u202e", "\u202a", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"),
    ],
)
def test_control_and_bidi_characters_are_refused_naming_the_code_point(text: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_text(text, "name")
    assert raised.value.field == "name"
    bad = next(c for c in text if forbidden_character(c))
    if ord(bad) < 0x100:
        assert raised.value.reason == "must not contain control characters"
    else:  # invisible where the message is read, so named
        assert raised.value.reason == f"must not contain bidirectional control characters (U+{ord(bad):04X})"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "慈溪市浒山街道",
        "line one\nline two\r\n\tindented",
        "O'Brien & Sons <Ltd>",
        "🙂",
        "\u00a0",
        "\u2065",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    assert check_text(text, "name") == text
    assert forbidden_character(text) is None


def test_the_walker_names_the_first_bad_field_in_a_repeated_nested_message() -> None:
    batch = monitoring_pb2.ReadingBatch(
        readings=[monitoring_pb2.Reading(station_id=f"s{i}", parameter="cod") for i in range(5)]
    )
    check_message(batch)
    batch.readings[3].parameter = "co\x00d"
    with pytest.raises(InvalidArgument) as raised:
        check_message(batch)
    assert raised.value.field == "readings[3].parameter"
    assert raised.value.reason == "must not contain control characters"


def test_repeated_strings_and_top_level_strings_are_checked() -> None:
    with pytest.raises(InvalidArgument) as raised:
        check_message(monitoring_pb2.ListStationStatusRequest(station_ids=["a", "b\u202e"]))
    assert raised.value.field == "station_ids[1]"
    with pytest.raises(InvalidArgument) as raised:
        check_message(monitoring_pb2.ListStationsRequest(town="浒山\x00"))
    assert raised.value.field == "town"


@pytest.mark.parametrize(
    ("seconds", "nanos", "reason"),
    [
        (1_700_000_000, -1, "nanos must be from 0 to 999999999"),
        (1_700_000_000, 1_000_000_000, "nanos must be from 0 to 999999999"),
        (-62_135_596_801, 0, "between 0001-01-01 and 9999-12-31"),
        (253_402_300_800, 0, "between 0001-01-01 and 9999-12-31"),
    ],
)
def test_timestamps_outside_the_well_known_types_range_are_refused(
    seconds: int, nanos: int, reason: str
) -> None:
    batch = monitoring_pb2.ReadingBatch(readings=[monitoring_pb2.Reading(station_id="s", parameter="cod")])
    batch.readings[0].time.CopyFrom(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
    with pytest.raises(InvalidArgument) as raised:
        check_message(batch)
    assert raised.value.field == "readings[0].time"
    assert reason in raised.value.reason


def test_valid_timestamps_at_both_ends_pass() -> None:
    for seconds, nanos in ((-62_135_596_800, 0), (253_402_300_799, 999_999_999), (0, 0)):
        batch = monitoring_pb2.ReadingBatch(readings=[monitoring_pb2.Reading(station_id="s")])
        batch.readings[0].time.CopyFrom(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))
        check_message(batch)


def test_map_keys_values_and_recursive_types_are_walked() -> None:
    value = struct_pb2.Struct()
    value.update({"outer": {"inner": ["fine", "bad\x07"]}})
    with pytest.raises(InvalidArgument) as raised:
        check_message(value)
    assert (
        raised.value.field == "fields['outer'].struct_value.fields['inner'].list_value.values[1].string_value"
    )
    key = struct_pb2.Struct()
    key.update({"k\u2067": 1})
    with pytest.raises(InvalidArgument) as raised:
        check_message(key)
    # The key is quoted with repr, so the message does not carry the control character itself.
    assert raised.value.field == "fields['k\\u2067']"


def test_fields_named_like_python_keywords_are_checked() -> None:
    request = monitoring_pb2.GetTimeSeriesRequest(station_id="s")
    getattr(request, "from").nanos = -1
    with pytest.raises(InvalidArgument) as raised:
        check_message(request)
    assert raised.value.field == "from"
