"""Test data for permits: valid random USCCs of Cixi (division 330282) and ready-made inputs."""

from __future__ import annotations

import random

from eco.v1 import common_pb2, permits_pb2
from services.permits.domain.enterprise import EnterpriseFields, PermitClass, RiskFlag
from services.permits.domain.values import GeoPoint
from shared.uscc import ALPHABET, with_check_characters

# Cixi centre, REFERENCE.md (the demo city).
CIXI = GeoPoint(30.17, 121.27)


def random_uscc(rng: random.Random | None = None) -> str:
    """A valid code: 9 (market regulator), 1 (enterprise), Cixi's division, a random organisation body."""
    rng = rng or random.Random()
    body = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGH") for _ in range(8))
    return with_check_characters(f"91330282{body}")


def fields(
    *,
    name: str = "慈溪市测试电镀有限公司",
    town: str = "周巷",
    industry_code: str = "C3360",
    permit_class: PermitClass = PermitClass.KEY,
    flags: frozenset[RiskFlag] = frozenset(),
) -> EnterpriseFields:
    """Valid enterprise fields (a Zhouxiang electroplater by default)."""
    return EnterpriseFields(
        name=name,
        legal_representative="王伟",
        industry_code=industry_code,
        address="浙江省慈溪市周巷镇工业园区1号",
        town=town,
        grid="周巷-01",
        location=CIXI,
        permit_class=permit_class,
        risk_flags=flags,
    )


def fields_pb(
    *,
    name: str = "慈溪市测试化工有限公司",
    town: str = "庵东",
    industry_code: str = "C2614",
    permit_class: common_pb2.PermitClass = common_pb2.PERMIT_CLASS_KEY,
    flags: tuple[permits_pb2.RiskFlag, ...] = (),
) -> permits_pb2.EnterpriseFields:
    """Valid enterprise fields as protobuf."""
    return permits_pb2.EnterpriseFields(
        name=name,
        legal_representative="李强",
        contact=permits_pb2.Contact(person="张敏", phone="0574-63000000"),
        industry_code=industry_code,
        address="浙江省慈溪市庵东镇",
        town=town,
        grid="庵东-03",
        location=common_pb2.GeoPoint(lat=30.29, lon=121.18),
        risk_flags=list(flags),
        permit_class=permit_class,
    )


def limits_pb(outlet_id: str, *, cod: float = 50.0, nh3n: float = 5.0) -> permits_pb2.OutletLimits:
    """Wastewater limits for one outlet: COD and ammonia nitrogen (GB 8978-1996 class 1 style values)."""
    return permits_pb2.OutletLimits(
        outlet_id=outlet_id,
        limits=[
            permits_pb2.PollutantLimit(
                parameter="COD",
                concentration_limit=common_pb2.Quantity(value=cod, unit="mg/L"),
                annual_tonnes=12.5,
            ),
            permits_pb2.PollutantLimit(
                parameter="NH3N",
                concentration_limit=common_pb2.Quantity(value=nh3n, unit="mg/L"),
                annual_tonnes=1.2,
            ),
        ],
    )
