"""Department tokens and per-method grants."""

import pytest

from shared.errors import PermissionDenied, Unauthenticated
from shared.grpc.auth import Department, Grants, is_open, token_digest

GRANTS = Grants(
    [
        Department("bureau", token_digest("t-bureau"), ("*",)),
        Department(
            "water", token_digest("t-water"), ("eco.v1.MonitoringService/*", "eco.v1.PermitsService/Get*")
        ),
    ]
)


def test_known_token_authenticates() -> None:
    assert GRANTS.authenticate("Bearer t-water").name == "water"
    assert GRANTS.authenticate("bearer t-bureau").name == "bureau"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic t-water", "Bearer wrong"])
def test_missing_or_bad_token_is_unauthenticated(header: str | None) -> None:
    with pytest.raises(Unauthenticated):
        GRANTS.authenticate(header)


def test_grants_are_per_method() -> None:
    water = GRANTS.authenticate("Bearer t-water")
    GRANTS.authorize(water, "eco.v1.PermitsService/GetEnterprise")
    GRANTS.authorize(water, "eco.v1.MonitoringService/IngestReadings")
    with pytest.raises(PermissionDenied, match=r"'water' is not granted eco\.v1\.PermitsService/IssuePermit"):
        GRANTS.authorize(water, "eco.v1.PermitsService/IssuePermit")


def test_health_and_reflection_are_open() -> None:
    assert is_open("grpc.health.v1.Health/Check")
    assert is_open("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    assert not is_open("eco.v1.PermitsService/GetEnterprise")
