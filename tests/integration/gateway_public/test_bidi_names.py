"""An enterprise name holding a bidirectional control (U+202E makes it read backwards) is refused
naming the field, over gRPC (INVALID_ARGUMENT) and over REST (400), and so never reaches the public
code page (issue 10, point 10). Real permits and code services, real Kafka between them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import grpc
import pytest

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from shared.grpc.client import call_metadata, channel
from tests.integration.gateway_public.conftest import Platform
from tests.integration.gateway_public.harness import operator_headers
from tests.support import infra
from tests.unit.permits.factories import random_uscc

pytestmark = pytest.mark.integration
NAME = "慈溪市正向印染有限公司"
# UAX #9 table 4: RLO (reads the rest backwards), RLM, RLI, ALM, LRE, PDI.
BIDI = ("\u202e", "\u200f", "\u2067", "\u061c", "\u202a", "\u2069")


def _body(uscc: str, name: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": name,
        "legal_representative": "陈刚",
        "industry_code": "C1713",
        "address": "浙江省慈溪市周巷镇",
        "town": "周巷",
        "lat": 30.16,
        "lon": 121.15,
        "permit_class": "key",
    }


def test_a_bidi_control_in_the_name_is_refused_naming_it_and_never_shown(
    full_platform: Platform, permits: Any
) -> None:
    client = full_platform.client
    officer = operator_headers(client, "permit_officer")  # registering is a permit officer's act
    stub = permits_pb2_grpc.PermitsServiceStub(channel(permits.address))
    metadata = call_metadata(infra.BUREAU_TOKEN)
    refused_uscc = random_uscc()
    for mark in BIDI:
        name = f"慈溪市{mark}司公限有染印"
        over_rest = client.post("/api/v1/enterprises", json=_body(refused_uscc, name), headers=officer)
        assert over_rest.status_code == 400, (hex(ord(mark)), over_rest.text)
        assert over_rest.json()["error"] == "INVALID_ARGUMENT"
        # The gateway refuses it first (its text rule on request bodies), naming the body's field.
        assert over_rest.json()["message"].startswith("name: ")
        assert f"U+{ord(mark):04X}" in over_rest.json()["message"]
        fields = permits_pb2.EnterpriseFields(
            name=name,
            legal_representative="陈刚",
            industry_code="C1713",
            address="浙江省慈溪市周巷镇",
            town="周巷",
            location=common_pb2.GeoPoint(lat=30.16, lon=121.15),
            permit_class=common_pb2.PERMIT_CLASS_KEY,
        )
        with pytest.raises(grpc.RpcError) as over_grpc:
            stub.RegisterEnterprise(
                permits_pb2.RegisterEnterpriseRequest(uscc=refused_uscc, fields=fields),
                metadata=metadata,
                timeout=10,
            )
        assert over_grpc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert over_grpc.value.details().startswith("fields.name: ")  # type: ignore[union-attr]
    # Nothing was registered: the refused enterprise has no record.
    assert client.get(f"/api/v1/enterprises/{refused_uscc}", headers=officer).status_code == 404

    # A real enterprise: renaming it with an override is refused too, so its page keeps its name.
    uscc = random_uscc()
    assert client.post("/api/v1/enterprises", json=_body(uscc, NAME), headers=officer).status_code == 201
    renamed = permits_pb2.UpdateEnterpriseRequest(
        uscc=uscc, fields=permits_pb2.EnterpriseFields(name="\u202e" + NAME)
    )
    renamed.update_mask.paths.append("name")
    with pytest.raises(grpc.RpcError) as update:
        stub.UpdateEnterprise(renamed, metadata=metadata, timeout=10)
    assert update.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert update.value.details().startswith("fields.name: ")  # type: ignore[union-attr]

    def code_path() -> str | None:
        answer = client.get(f"/api/v1/enterprises/{uscc}/code", headers=officer)
        return urlsplit(answer.json()["url"]).path if answer.status_code == 200 else None

    path = infra.wait_for(code_path, timeout=30, what=f"the code of {uscc}")
    page_json = client.get(path, headers={"Accept": "application/json"})
    page_html = client.get(path)
    assert page_json.status_code == page_html.status_code == 200
    assert page_json.json()["name"] == NAME and NAME in page_html.text
    shown = json.dumps(page_json.json(), ensure_ascii=False) + page_html.text
    assert [hex(ord(c)) for c in shown if c in BIDI] == []
