"""The public page when the code service stops answering: the last known status with its age, or
a clear 503, never a hang; and scans counted by the gateway reach the code service once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import grpc
import pytest

from eco.v1 import codes_pb2, common_pb2
from shared.china_time import local_day
from tests.integration.gateway_public.conftest import Platform
from tests.support import infra
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration
JSON = {"Accept": "application/json"}


def test_the_last_known_status_is_shown_with_its_age_when_codes_stops(platform: Platform) -> None:
    known = urlsplit(platform.codes.register(make_uscc()).url).path
    never_seen = urlsplit(platform.codes.register(make_uscc()).url).path
    first = platform.client.get(known, headers=JSON)
    assert first.status_code == 200 and "stale" not in first.json()

    platform.codes.service.stop(grace=0)
    time.sleep(2.5)  # past the gateway's 2 s freshness
    started = time.monotonic()
    stale = platform.client.get(known, headers=JSON)
    assert time.monotonic() - started < 10  # a dead peer answers within the call deadline
    assert stale.status_code == 200
    body = stale.json()
    assert body["uscc"] == first.json()["uscc"] and body["stale"]["age_seconds"] >= 2
    assert "does not answer" in body["stale"]["reason"]
    html = platform.client.get(known)
    assert html.status_code == 200 and "The code service does not answer" in html.text
    unknown = platform.client.get(never_seen, headers=JSON)
    assert unknown.status_code == 503 and unknown.json()["error"] == "unavailable"


def test_a_batch_of_scans_is_counted_once_however_often_it_is_sent(platform: Platform) -> None:
    uscc = make_uscc()
    platform.codes.register(uscc)
    today = local_day(datetime.now(UTC))
    day = common_pb2.Date(year=today.year, month=today.month, day=today.day)
    batch = codes_pb2.RecordScansRequest(
        batch_id=infra.unique("batch-"), counts=[codes_pb2.ScanCount(uscc=uscc, day=day, count=7)]
    )
    first = platform.codes.call("RecordScans", batch)
    again = platform.codes.call("RecordScans", batch)
    assert (first.duplicate, again.duplicate) == (False, True)  # type: ignore[attr-defined]
    stats = platform.codes.call(
        "GetScanStats", codes_pb2.GetScanStatsRequest(uscc=uscc, to=day, **{"from": day})
    )
    assert stats.total == 7  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("count", "field"),
    [
        (codes_pb2.ScanCount(uscc="NOT-A-CODE", count=1), "counts[0].uscc"),
        (codes_pb2.ScanCount(count=0), "counts[0]"),
    ],
)
def test_a_bad_batch_is_refused_naming_the_field(
    platform: Platform, count: codes_pb2.ScanCount, field: str
) -> None:
    today = local_day(datetime.now(UTC))
    count.day.CopyFrom(common_pb2.Date(year=today.year, month=today.month, day=today.day))
    if not count.uscc:
        count.uscc = make_uscc()
    batch = codes_pb2.RecordScansRequest(batch_id=infra.unique("batch-"), counts=[count])
    with pytest.raises(grpc.RpcError) as refused:
        platform.codes.call("RecordScans", batch)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert refused.value.details().startswith(field)  # type: ignore[attr-defined]
