"""Test data for the code service: valid Cixi USCCs, keys, facts and events."""

from __future__ import annotations

import base64
import random
import string
from datetime import UTC, datetime

from eco.v1 import common_pb2, evaluation_pb2, permits_pb2
from services.codes.domain.token import KeyRing, SigningKey
from shared import events
from shared.uscc import with_check_characters

T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
TEST_KEY = SigningKey("test-1", b"test secret for unit tests only, 32b")
OLD_KEY = SigningKey("test-0", b"an older test secret, still verifying")
_ORG_CHARS = string.digits + "ABCDEFGHJKLMNPQRTUWXY"


def keys() -> KeyRing:
    """The first key signs, the second still verifies."""
    return KeyRing([TEST_KEY, OLD_KEY])


def make_uscc(rng: random.Random | None = None) -> str:
    """A random code that passes GB 32100 and GB 11714, registered in Cixi (330282)."""
    rng = rng or random.Random()
    body = "".join(rng.choice(_ORG_CHARS) for _ in range(8))
    # "91": registered by market regulation, a company (GB 32100-2015 positions 1-2).
    return with_check_characters("91330282" + body)


def summary(
    uscc: str, name: str = "慈溪市绿水化工有限公司", town: str = "观海卫"
) -> permits_pb2.EnterpriseSummary:
    """A registry summary including fields that must never reach the public page."""
    return permits_pb2.EnterpriseSummary(
        uscc=uscc,
        name=name,
        industry_code="C2614",
        address="观海卫镇工业园区纬二路 88 号",
        town=town,
        grid="GHW-07",
        location=common_pb2.GeoPoint(lat=30.2101, lon=121.4402),
        permit_class=common_pb2.PERMIT_CLASS_KEY,
        risk_flags=[permits_pb2.RISK_FLAG_HAZARDOUS_CHEMICALS],
    )


def registered(uscc: str, at: datetime = T0, *, town: str = "观海卫") -> events.EventEnvelope:
    """An EnterpriseRegistered envelope as permits publishes it."""
    payload = permits_pb2.EnterpriseRegistered(enterprise=summary(uscc, town=town))
    return events.make_envelope(source="permits", subject_id=uscc, payload=payload, occurred_at=at)


def credit_changed(uscc: str, level: int, at: datetime) -> events.EventEnvelope:
    """A CreditChanged envelope as evaluation publishes it."""
    payload = evaluation_pb2.CreditChanged(uscc=uscc, level=level, score=71.5, rules_version="zj-2024.1")  # type: ignore[arg-type]
    return events.make_envelope(source="evaluation", subject_id=uscc, payload=payload, occurred_at=at)


def permit_issued(uscc: str, at: datetime, number: str = "") -> events.EventEnvelope:
    """A PermitIssued envelope: valid 2025-03-01 to 2030-02-28 (5 years, 排污许可管理条例)."""
    payload = permits_pb2.PermitIssued(
        uscc=uscc,
        permit_number=number or f"{uscc}001P",
        permit_class=common_pb2.PERMIT_CLASS_KEY,
        valid_from=common_pb2.Date(year=2025, month=3, day=1),
        valid_until=common_pb2.Date(year=2030, month=2, day=28),
    )
    return events.make_envelope(source="permits", subject_id=uscc, payload=payload, occurred_at=at)


def flip_mac_bit(token: str) -> str:
    """The token with one bit of its MAC changed, re-encoded canonically: well formed, badly signed."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-3] ^= 0x01
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")
