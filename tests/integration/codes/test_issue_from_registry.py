"""IssueCode for an enterprise whose registration event the code service never saw: it asks a real
permits service (GetEnterprise, with the code service's own department token) and fills its read
model with the public fields only. Also ListCodes / RotateCodes over gRPC."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import grpc
import pytest
import sqlalchemy as sa

from eco.v1 import codes_pb2, permits_pb2, permits_pb2_grpc
from services.codes.adapters.tables import enterprise_status
from services.permits import bootstrap as permits_bootstrap
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, codes_events_from_now, running_codes
from tests.support import infra
from tests.unit.codes import factories
from tests.unit.permits.factories import fields_pb, random_uscc

pytestmark = pytest.mark.integration


@pytest.fixture
def permits_address(start_service: Callable[..., RunningService]) -> Iterator[str]:
    """A real permits service on its own fresh database."""
    with infra.fresh_postgres_database() as url:
        service = start_service(
            "permits", permits_bootstrap.build, url, consumer_group=infra.unique("permits-test-")
        )
        yield service.address
        service.stop(grace=0)


@pytest.fixture
def codes_with_registry(
    pg_url: str, permits_address: str, start_service: Callable[..., RunningService]
) -> Iterator[CodesHarness]:
    """The code service on its own topics (it never sees permits' events) with permits to ask."""
    with running_codes(start_service, pg_url, permits_address=permits_address) as harness:
        yield harness


def test_issue_code_fetches_an_unseen_enterprise_from_the_registry(
    codes_with_registry: CodesHarness, permits_address: str, pg_url: str
) -> None:
    codes = codes_with_registry
    uscc = random_uscc()
    ch = channel(permits_address)
    try:
        permits_pb2_grpc.PermitsServiceStub(ch).RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(
                uscc=uscc, fields=fields_pb(name="慈溪市补发测试化工有限公司")
            ),
            metadata=call_metadata(infra.BUREAU_TOKEN),
            timeout=10,
        )
    finally:
        ch.close()
    with codes_events_from_now() as read:
        issued = codes.call("IssueCode", codes_pb2.IssueCodeRequest(uscc=uscc))
        [event] = read(uscc, 1)
    assert event.type == "CodeIssued"
    assert (issued.version, issued.status) == (1, codes_pb2.CODE_STATUS_ACTIVE)  # type: ignore[attr-defined]
    found = codes.call("ResolveToken", codes_pb2.ResolveTokenRequest(token=issued.token))  # type: ignore[attr-defined]
    assert found.verdict == codes_pb2.TOKEN_VERDICT_VALID  # type: ignore[attr-defined]
    status = found.status  # type: ignore[attr-defined]
    assert (status.name, status.town, status.industry) == ("慈溪市补发测试化工有限公司", "庵东", "C2614")
    assert status.profile_as_of.seconds > 0
    # Only public fields crossed over: the registry's contact, address and grid are not stored.
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(enterprise_status).where(enterprise_status.c.uscc == uscc)).one()
    finally:
        engine.dispose()
    stored = " ".join(str(v) for v in row)
    fields = fields_pb()
    for private in (
        fields.contact.person,
        fields.contact.phone,
        fields.address,
        fields.grid,
        fields.legal_representative,
    ):
        assert private not in stored
    with pytest.raises(grpc.RpcError) as again:
        codes.call("IssueCode", codes_pb2.IssueCodeRequest(uscc=uscc))
    assert again.value.code() == grpc.StatusCode.ALREADY_EXISTS  # type: ignore[attr-defined]


def test_an_enterprise_the_registry_does_not_know_is_not_found(codes_with_registry: CodesHarness) -> None:
    with pytest.raises(grpc.RpcError) as err:
        codes_with_registry.call("IssueCode", codes_pb2.IssueCodeRequest(uscc=random_uscc()))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]


def test_list_and_rotate_codes_by_signing_key(codes: CodesHarness) -> None:
    uscc = factories.make_uscc()
    codes.register(uscc)
    listed = codes.call("ListCodes", codes_pb2.ListCodesRequest(key_id=factories.TEST_KEY.kid))
    assert uscc in [c.uscc for c in listed.codes] and listed.page.total >= 1  # type: ignore[attr-defined]
    # Nothing was signed with the older key, and the signing key itself cannot be "retired" by rotation.
    rotated = codes.call("RotateCodes", codes_pb2.RotateCodesRequest(key_id=factories.OLD_KEY.kid))
    assert rotated.rotated == 0  # type: ignore[attr-defined]
    for key_id, field in ((factories.TEST_KEY.kid, "key_id"), ("", "key_id")):
        with pytest.raises(grpc.RpcError) as err:
            codes.call("RotateCodes", codes_pb2.RotateCodesRequest(key_id=key_id))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert (err.value.details() or "").startswith(field)  # type: ignore[attr-defined]
    assert codes.code_of(uscc).version == 1
