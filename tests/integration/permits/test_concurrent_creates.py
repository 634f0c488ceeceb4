"""Concurrent duplicate creates from 8 real gRPC clients on PostgreSQL: one wins, the others get
ALREADY_EXISTS (never INTERNAL); concurrent first caps of a pollutant queue and all apply."""

from __future__ import annotations

import grpc
import pytest

from eco.v1 import common_pb2, permits_pb2
from tests.integration.permits.clients import run_concurrently
from tests.integration.permits.conftest import Permits
from tests.unit.permits.factories import fields_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="concurrency-test", reason="并发测试")
CLIENTS = 8


def test_concurrent_registrations_of_one_uscc_give_one_enterprise(permits: Permits) -> None:
    p = permits
    code = random_uscc()
    md = p.md()
    request = permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb())
    results = run_concurrently(
        p, [lambda stub: stub.RegisterEnterprise(request, metadata=md)] * CLIENTS, workers=CLIENTS
    )
    codes = [c for c, _ in results]
    assert codes.count(grpc.StatusCode.OK) == 1
    assert codes.count(grpc.StatusCode.ALREADY_EXISTS) == CLIENTS - 1
    assert all(code in details for c, details in results if c is grpc.StatusCode.ALREADY_EXISTS)
    listed = p.stub.ListEnterprises(permits_pb2.ListEnterprisesRequest(), metadata=md)
    assert [e.uscc for e in listed.enterprises] == [code]


def test_concurrent_radiation_permits_with_one_number_give_one_permit(permits: Permits) -> None:
    p = permits
    md = p.md()
    holders = [random_uscc() for _ in range(CLIENTS)]
    for code in holders:
        p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(
                uscc=code, fields=fields_pb(flags=(permits_pb2.RISK_FLAG_RADIATION_SOURCES,))
            ),
            metadata=md,
        )
    number = "浙环辐证[B0001]"
    calls = [
        (
            lambda stub, code=code: stub.IssueRadiationPermit(
                permits_pb2.IssueRadiationPermitRequest(
                    uscc=code, permit_number=number, scope="使用III类射线装置", actor=WHO
                ),
                metadata=md,
            )
        )
        for code in holders  # different enterprises: only the number's key serialises them
    ]
    results = run_concurrently(p, calls, workers=CLIENTS)
    codes = [c for c, _ in results]
    assert codes.count(grpc.StatusCode.OK) == 1
    assert codes.count(grpc.StatusCode.ALREADY_EXISTS) == CLIENTS - 1
    listed = p.stub.ListRadiationPermits(permits_pb2.ListRadiationPermitsRequest(), metadata=md)
    [permit] = listed.permits
    assert permit.permit_number == number and permit.uscc == holders[codes.index(grpc.StatusCode.OK)]


def test_concurrent_first_caps_queue_and_conserve_the_ledger(permits: Permits) -> None:
    p = permits
    md = p.md()
    calls = [
        (
            lambda stub, tonnes=float(i + 1): stub.SetRightsCap(
                permits_pb2.SetRightsCapRequest(pollutant="SO2", cap_tonnes=tonnes, actor=WHO), metadata=md
            )
        )
        for i in range(CLIENTS)
    ]
    results = run_concurrently(p, calls, workers=CLIENTS)
    assert [c for c, _ in results] == [grpc.StatusCode.OK] * CLIENTS
    position = p.stub.GetRightsPosition(permits_pb2.GetRightsPositionRequest(pollutant="SO2"), metadata=md)
    assert position.cap_tonnes in {float(i + 1) for i in range(CLIENTS)}
    assert position.reserve_tonnes == position.cap_tonnes and list(position.holdings) == []
    entries = p.stub.ListRightsEntries(
        permits_pb2.ListRightsEntriesRequest(pollutant="SO2", page=common_pb2.PageRequest(page_size=100)),
        metadata=md,
    ).entries
    # Each cap was applied after the one before it: the signed changes add up to the last cap.
    assert len(entries) == CLIENTS
    assert round(sum(e.tonnes for e in entries), 6) == position.cap_tonnes
    assert all(e.kind == permits_pb2.RIGHTS_ENTRY_KIND_CAP_SET for e in entries)
