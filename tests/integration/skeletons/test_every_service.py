"""Every service that exists is discoverable and guarded the same way (DESIGN.md, Contracts and Security).

For each service in shared.topology.SERVICES whose `services.<name>.bootstrap` exists, start it
in-process on a fresh PostgreSQL database with the real Kafka, then check with ordinary gRPC tools
only: health says SERVING, reflection serves its contract, a call without a token is
UNAUTHENTICATED, a call to a method not granted is PERMISSION_DENIED, and each call is audited.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator

import grpc
import pytest
import sqlalchemy as sa
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from shared.grpc.auth import Department, Grants
from shared.grpc.client import channel
from shared.runtime import RunningService
from shared.schema import audit_log
from shared.topology import GRPC_SERVICE_NAMES, SERVICES
from shared.tracing import TRACE_METADATA_KEY, new_trace_id
from tests.support import infra

pytestmark = pytest.mark.integration

# Departments whose grants are narrow, in order of preference. Water is granted every monitoring
# method (deploy/local/grants.json), so for monitoring the courts' token is the one that is denied.
RESTRICTED_TOKENS = (infra.WATER_TOKEN, "dev-courts-token")
TIMEOUT = 5.0


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package does not exist yet
        return False


def _existing_services() -> list[str]:
    """Services whose team has written a bootstrap so far (the others are built concurrently)."""
    return [name for name in SERVICES if _has_module(f"services.{name}.bootstrap")]


@pytest.fixture(params=_existing_services())
def service(
    request: pytest.FixtureRequest, pg_url: str, start_service: Callable[..., RunningService]
) -> Iterator[tuple[str, RunningService, grpc.Channel]]:
    """One service started on its own fresh database, and a channel to it.

    `pg_url` comes before `start_service` so that teardown, which runs in reverse, stops the
    service before its database is dropped.
    """
    name = request.param
    build = importlib.import_module(f"services.{name}.bootstrap").build
    running = start_service(name, build, pg_url)
    ch = channel(f"127.0.0.1:{running.port}")
    yield name, running, ch
    ch.close()


def _reflected_service(ch: grpc.Channel, full_name: str) -> ServiceDescriptor:
    """The service's descriptor as the server's reflection serves it (its file and dependencies)."""
    pool = DescriptorPool(ProtoReflectionDescriptorDatabase(ch))
    return pool.FindServiceByName(full_name)


def _call(
    ch: grpc.Channel, full_name: str, method: MethodDescriptor, metadata: tuple[tuple[str, str], ...]
) -> grpc.StatusCode:
    """Call a unary method with an empty request (b"" is an empty message) and return the status."""
    invoke = ch.unary_unary(f"/{full_name}/{method.name}")
    try:
        invoke(b"", metadata=metadata, timeout=TIMEOUT)
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return,attr-defined]
    return grpc.StatusCode.OK


def _denied(grants: Grants, service: ServiceDescriptor) -> tuple[str, Department, MethodDescriptor]:
    """A restricted department's token and a unary method of this service it is not granted."""
    for token in RESTRICTED_TOKENS:
        department = grants.authenticate(f"Bearer {token}")
        for method in service.methods:
            if method.client_streaming or method.server_streaming:
                continue  # an empty unary request is the one call every method of this shape accepts
            if not department.may_call(f"{service.full_name}/{method.name}"):
                return token, department, method
    raise AssertionError(f"every restricted department may call every method of {service.full_name}")


def test_health_says_serving_for_the_full_service_name(
    service: tuple[str, RunningService, grpc.Channel],
) -> None:
    name, _, ch = service
    stub = health_pb2_grpc.HealthStub(ch)
    reply = stub.Check(health_pb2.HealthCheckRequest(service=GRPC_SERVICE_NAMES[name]), timeout=TIMEOUT)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_serves_the_contract_generated_from_proto(
    service: tuple[str, RunningService, grpc.Channel],
) -> None:
    name, _, ch = service
    full_name = GRPC_SERVICE_NAMES[name]
    assert full_name in list(ProtoReflectionDescriptorDatabase(ch).get_services())

    reflected = _reflected_service(ch, full_name)
    assert reflected.file.package == "eco.v1"
    # The served contract is the one built from proto/, method for method.
    generated = importlib.import_module(f"eco.v1.{name}_pb2").DESCRIPTOR.services_by_name[
        full_name.split(".")[-1]
    ]
    assert [m.name for m in reflected.methods] == [m.name for m in generated.methods]
    assert reflected.methods, f"{full_name} declares no methods"


def test_calls_are_authenticated_authorised_and_audited(
    service: tuple[str, RunningService, grpc.Channel],
) -> None:
    name, running, ch = service
    full_name = GRPC_SERVICE_NAMES[name]
    reflected = _reflected_service(ch, full_name)
    token, department, method = _denied(Grants.load(infra.GRANTS_FILE), reflected)
    full_method = f"{full_name}/{method.name}"

    anonymous_trace, denied_trace = new_trace_id(), new_trace_id()
    anonymous = _call(ch, full_name, method, ((TRACE_METADATA_KEY, anonymous_trace),))
    denied = _call(
        ch, full_name, method, (("authorization", f"Bearer {token}"), (TRACE_METADATA_KEY, denied_trace))
    )
    # The same method passes the guard for a department granted everything, so the refusal above
    # comes from the grants, not from the method (a skeleton answers UNIMPLEMENTED).
    allowed = _call(ch, full_name, method, (("authorization", f"Bearer {infra.BUREAU_TOKEN}"),))

    assert anonymous == grpc.StatusCode.UNAUTHENTICATED
    assert denied == grpc.StatusCode.PERMISSION_DENIED, f"{department.name} calling {full_method}"
    assert allowed not in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)

    engine = sa.create_engine(running.app.settings.database_url)
    try:

        def audited() -> dict[str, tuple[str, str, str]]:
            query = sa.select(
                audit_log.c.trace_id, audit_log.c.department, audit_log.c.method, audit_log.c.status
            )
            with engine.connect() as conn:
                rows = conn.execute(
                    query.where(audit_log.c.trace_id.in_([anonymous_trace, denied_trace]))
                ).all()
            found = {row.trace_id: (row.department, row.method, row.status) for row in rows}
            return found if len(found) == 2 else {}

        rows = infra.wait_for(audited, timeout=10, what=f"audit rows of {full_method}")
    finally:
        engine.dispose()
    assert rows[anonymous_trace] == ("-", full_method, "UNAUTHENTICATED")
    assert rows[denied_trace] == (department.name, full_method, "PERMISSION_DENIED")
