"""The gateway imports no service's code and no demo data (issue 8); shared vocabularies hold."""

from __future__ import annotations

from pathlib import Path

from eco.v1 import codes_pb2, common_pb2
from gateway.public import names
from gateway.routers.console import CREDIT_COLOURS
from services.codes.domain.credit import look
from services.codes.domain.status import CreditLevel
from services.codes.entrypoints.translate import (
    CREDIT_FROM_PROTO,
    PERMIT_CLASS_FROM_PROTO,
    PERMIT_STATE_FROM_PROTO,
)
from tests.boundaries.__main__ import violations


def test_nothing_under_gateway_imports_services_or_deploy() -> None:
    assert violations() == []


def test_the_check_finds_a_forbidden_import(tmp_path: Path) -> None:
    (tmp_path / "gateway").mkdir()
    (tmp_path / "gateway" / "bad.py").write_text("import os\nfrom services.codes.domain import status\n")
    assert violations(tmp_path) == ["gateway/bad.py:2 imports services.codes.domain"]


def test_the_map_and_the_printed_frame_use_one_colour_per_level() -> None:
    for level, colour in CREDIT_COLOURS.items():
        assert look(CreditLevel(level)).colour == colour


def test_the_gateways_public_words_are_the_code_services() -> None:
    for number in common_pb2.CreditLevel.values():
        assert names.credit_level(number) == str(CREDIT_FROM_PROTO[number])  # type: ignore[index]
    for number in common_pb2.PermitClass.values():
        assert names.permit_class(number) == PERMIT_CLASS_FROM_PROTO[number]  # type: ignore[index]
    for number in codes_pb2.PermitState.values():
        assert names.permit_state(number) == str(PERMIT_STATE_FROM_PROTO[number])  # type: ignore[index]
