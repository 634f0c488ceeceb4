"""enforcement.proto keeps the promises others already rely on (the gateway, the grants, the events)."""

from __future__ import annotations

import json

import pytest
from google.protobuf.descriptor import FieldDescriptor

from eco.v1 import enforcement_pb2
from shared.grpc.auth import Department
from shared.topology import GRPC_SERVICE_NAMES
from tests.support import infra

SERVICE = enforcement_pb2.DESCRIPTOR.services_by_name["EnforcementService"]
MESSAGES = enforcement_pb2.DESCRIPTOR.message_types_by_name


def _type_name(field: FieldDescriptor) -> str:
    """The full name of a message-typed field's message."""
    assert field.message_type is not None, f"{field.name} is not a message field"
    return field.message_type.full_name


def test_service_name_is_the_one_the_platform_routes_to() -> None:
    assert SERVICE.full_name == GRPC_SERVICE_NAMES["enforcement"]


def test_submit_petition_takes_what_the_public_code_page_sends() -> None:
    method = SERVICE.methods_by_name["SubmitPetition"]
    assert (method.input_type.name, method.output_type.name) == ("SubmitPetitionRequest", "Petition")
    fields = {f.name: (f.number, f.type, f.has_presence) for f in method.input_type.fields}
    assert fields == {
        "uscc": (1, FieldDescriptor.TYPE_STRING, False),
        "source": (2, FieldDescriptor.TYPE_STRING, False),
        "category": (3, FieldDescriptor.TYPE_STRING, False),
        "text": (4, FieldDescriptor.TYPE_STRING, False),
        # Optional: the gateway tells "not given" from "empty".
        "contact": (5, FieldDescriptor.TYPE_STRING, True),
        "location": (6, FieldDescriptor.TYPE_MESSAGE, True),
    }
    assert _type_name(method.input_type.fields_by_name["location"]) == "eco.v1.GeoPoint"


@pytest.mark.parametrize(
    "method", [m for m in SERVICE.methods if m.name.startswith("List")], ids=lambda m: m.name
)
def test_list_methods_page_with_the_common_types(method) -> None:  # type: ignore[no-untyped-def]
    assert _type_name(method.input_type.fields_by_name["page"]) == "eco.v1.PageRequest"
    assert _type_name(method.output_type.fields_by_name["page"]) == "eco.v1.PageInfo"


@pytest.mark.parametrize(
    "event",
    [
        "ProblemOpened",
        "CaseAdvanced",
        "PenaltyDecided",
        "ViolationWaived",
        "InspectionPublished",
        "PetitionClosed",
        "DrawMade",
        "RectificationOverdue",
        "CaseEscalated",
    ],
)
def test_published_event_payloads_are_declared_here(event: str) -> None:
    assert event in MESSAGES


def test_suspend_permit_order_stays_in_permits_proto() -> None:
    # permits.proto declares it; a second declaration in eco.v1 would not even compile together.
    assert "SuspendPermitOrder" not in MESSAGES


def test_evidence_items_carry_both_hashes_of_the_chain() -> None:
    evidence = MESSAGES["Evidence"].fields_by_name
    for name in ("content_sha256", "previous_sha256", "item_sha256", "sequence"):
        assert name in evidence, name


def test_every_grant_naming_this_service_matches_a_method() -> None:
    """A grant that matches nothing (a typo, a renamed method) would silently deny a department."""
    departments = json.loads(infra.GRANTS_FILE.read_text(encoding="utf-8"))["departments"]
    method_names = [f"{SERVICE.full_name}/{m.name}" for m in SERVICE.methods]
    for name, entry in departments.items():
        for pattern in entry["grants"]:
            if pattern.startswith(SERVICE.full_name + "/"):
                department = Department(name=name, token_sha256="", grants=(pattern,))
                assert any(department.may_call(m) for m in method_names), f"{name}: {pattern}"
