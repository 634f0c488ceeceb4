"""risk.proto keeps the promises others rely on (the platform's routing, the grants, the events)."""

from __future__ import annotations

import json

import pytest
from google.protobuf.descriptor import FieldDescriptor

from eco.v1 import risk_pb2
from shared.grpc.auth import Department
from shared.topology import GRPC_SERVICE_NAMES
from tests.support import infra

SERVICE = risk_pb2.DESCRIPTOR.services_by_name["RiskService"]
MESSAGES = risk_pb2.DESCRIPTOR.message_types_by_name


def _type_name(field: FieldDescriptor) -> str:
    """The full name of a message-typed field's message."""
    assert field.message_type is not None, f"{field.name} is not a message field"
    return field.message_type.full_name


def test_service_name_is_the_one_the_platform_routes_to() -> None:
    assert SERVICE.full_name == GRPC_SERVICE_NAMES["risk"]


@pytest.mark.parametrize(
    "method", [m for m in SERVICE.methods if m.name.startswith("List")], ids=lambda m: m.name
)
def test_list_methods_page_with_the_common_types(method) -> None:  # type: ignore[no-untyped-def]
    assert _type_name(method.input_type.fields_by_name["page"]) == "eco.v1.PageRequest"
    assert _type_name(method.output_type.fields_by_name["page"]) == "eco.v1.PageInfo"


@pytest.mark.parametrize(
    "event",
    [
        "RiskLevelChanged",
        "HazardOverdue",
        "EmergencyDeclared",
        "SuppliesDispatched",
        "SupplyShortage",
        "StockChanged",
    ],
)
def test_published_event_payloads_are_declared_here(event: str) -> None:
    assert event in MESSAGES


def test_emergencies_and_depots_are_placed_on_the_map() -> None:
    # Dispatch picks the nearest depots, so both ends need a position (DESIGN.md flow 6).
    for message, field in (
        ("Emergency", "location"),
        ("SupplyDepot", "location"),
        ("DeclareEmergencyRequest", "location"),
    ):
        assert _type_name(MESSAGES[message].fields_by_name[field]) == "eco.v1.GeoPoint"


def test_stock_quantities_use_the_common_quantity() -> None:
    amount = MESSAGES["SupplyAmount"].fields_by_name["quantity"]
    assert _type_name(amount) == "eco.v1.Quantity"


def test_every_grant_naming_this_service_matches_a_method() -> None:
    """A grant that matches nothing (a typo, a renamed method) would silently deny a department."""
    departments = json.loads(infra.GRANTS_FILE.read_text(encoding="utf-8"))["departments"]
    method_names = [f"{SERVICE.full_name}/{m.name}" for m in SERVICE.methods]
    for name, entry in departments.items():
        for pattern in entry["grants"]:
            if pattern.startswith(SERVICE.full_name + "/"):
                department = Department(name=name, token_sha256="", grants=(pattern,))
                assert any(department.may_call(m) for m in method_names), f"{name}: {pattern}"
