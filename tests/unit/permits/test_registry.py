"""The registry's use cases on SQLite: register, update, list, outlets, with their events."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa

from services.permits.adapters.tables import enterprises as enterprises_table
from services.permits.domain.enterprise import OutletKind, PermitClass, RiskFlag
from services.permits.domain.values import GeoPoint
from services.permits.service_layer import enterprises
from services.permits.service_layer.unit_of_work import Deps
from shared.errors import AlreadyExists, InvalidArgument, NotFound
from tests.unit.permits.factories import CIXI, fields, random_uscc
from tests.unit.permits.support import published


def _count(deps: Deps) -> int:
    with deps.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(enterprises_table)).scalar_one())


def test_register_normalises_and_announces_without_contact(deps: Deps) -> None:
    code = random_uscc()
    f = replace(fields(flags=frozenset({RiskFlag.HEAVY_METALS})), industry_code="c3360")
    enterprise = enterprises.register(deps, uscc=f"  {code.lower()} ", fields_in=f)
    assert enterprise.uscc == code
    assert enterprise.fields.industry_code == "C3360"
    [(subject, event)] = published(deps, "EnterpriseRegistered")
    assert subject == code
    assert event.enterprise.uscc == code and event.enterprise.town == "周巷"
    assert list(event.enterprise.risk_flags) == [1]  # RISK_FLAG_HEAVY_METALS
    assert "contact" not in {f.name for f in event.enterprise.DESCRIPTOR.fields}


def test_second_registration_is_already_exists_and_writes_nothing(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    with pytest.raises(AlreadyExists, match=code):
        enterprises.register(deps, uscc=code.lower(), fields_in=fields(name="another"))
    assert _count(deps) == 1
    assert len(published(deps)) == 1


@pytest.mark.parametrize(
    ("uscc", "f", "field"),
    [
        ("91330100716105852G", fields(), "uscc"),
        (None, replace(fields(), name="  "), "fields.name"),
        (None, replace(fields(), industry_code="2614"), "fields.industry_code"),
        (None, replace(fields(), location=GeoPoint(0, 0)), "fields.location"),
        (None, replace(fields(), location=GeoPoint(95, 121)), "fields.location.lat"),
        (None, replace(fields(), location=GeoPoint(30, float("nan"))), "fields.location.lon"),
        (None, replace(fields(), town=""), "fields.town"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(deps: Deps, uscc: str | None, f, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as err:
        enterprises.register(deps, uscc=uscc or random_uscc(), fields_in=f)
    assert err.value.field == field
    assert _count(deps) == 0 and published(deps) == []


def test_update_changes_only_masked_fields(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    given = replace(fields(name="ignored"), town="坎墩", risk_flags=frozenset({RiskFlag.RADIATION_SOURCES}))
    updated = enterprises.update(deps, uscc=code, fields_in=given, paths=["town", "risk_flags"])
    assert updated.fields.town == "坎墩"
    assert updated.fields.name == fields().name
    assert updated.fields.risk_flags == {RiskFlag.RADIATION_SOURCES}
    [(_, event)] = published(deps, "EnterpriseUpdated")
    assert list(event.changed_fields) == ["risk_flags", "town"]
    assert event.enterprise.town == "坎墩"


def test_update_refuses_empty_or_unknown_masks_and_unknown_enterprises(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    with pytest.raises(InvalidArgument, match=r"update_mask: name at least one field"):
        enterprises.update(deps, uscc=code, fields_in=fields(), paths=[])
    with pytest.raises(InvalidArgument, match=r"unknown field 'uscc'"):
        enterprises.update(deps, uscc=code, fields_in=fields(), paths=["uscc"])
    with pytest.raises(NotFound):
        enterprises.update(deps, uscc=random_uscc(), fields_in=fields(), paths=["name"])


def test_list_filters_and_pages(deps: Deps) -> None:
    made = {}
    for i in range(7):
        code = random_uscc()
        f = fields(
            town="周巷" if i % 2 else "观海卫",
            industry_code="C2614" if i < 3 else "C3360",
            permit_class=PermitClass.KEY if i % 3 == 0 else PermitClass.SIMPLIFIED,
            flags=frozenset({RiskFlag.HAZARDOUS_WASTE}) if i in (1, 5) else frozenset(),
        )
        made[code] = f
        enterprises.register(deps, uscc=code, fields_in=f)

    def codes(**filters: object) -> list[str]:
        return [e.uscc for e in enterprises.get_all(deps, **filters).items]  # type: ignore[arg-type]

    assert codes(town="周巷") == sorted(c for c, f in made.items() if f.town == "周巷")
    assert codes(industry_prefix="c26") == sorted(c for c, f in made.items() if f.industry_code == "C2614")
    assert codes(flag=RiskFlag.HAZARDOUS_WASTE) == sorted(c for c, f in made.items() if f.risk_flags)
    assert codes(permit_class=PermitClass.KEY) == sorted(
        c for c, f in made.items() if f.permit_class is PermitClass.KEY
    )

    seen, token = [], ""
    while True:
        page = enterprises.get_all(deps, page_size=3, page_token=token)
        assert page.total == 7
        seen += [e.uscc for e in page.items]
        token = page.next_token
        if not token:
            break
    assert seen == sorted(made)
    with pytest.raises(InvalidArgument, match=r"page.page_token"):
        enterprises.get_all(deps, page_token="%%%not-base64")


def test_outlets_get_sequential_ids_by_kind(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    first = enterprises.add_outlet(
        deps,
        uscc=code,
        kind=OutletKind.WASTEWATER,
        name="总排口",
        location=CIXI,
        receiving_river="四灶浦",
        pollutants=["cod", "NH3N", "COD"],
    )
    gas = enterprises.add_outlet(
        deps,
        uscc=code,
        kind=OutletKind.WASTE_GAS,
        name="1#排气筒",
        location=CIXI,
        receiving_river="",
        pollutants=["VOCS"],
    )
    second = enterprises.add_outlet(
        deps,
        uscc=code,
        kind=OutletKind.WASTEWATER,
        name="雨水排口",
        location=CIXI,
        receiving_river="四灶浦",
        pollutants=[],
    )
    assert (first.outlet_id, gas.outlet_id, second.outlet_id) == (
        f"{code}-DW001",
        f"{code}-DA001",
        f"{code}-DW002",
    )
    assert first.monitored_pollutants == ("COD", "NH3N")
    assert [o.outlet_id for o in enterprises.get_outlets(deps, uscc=code)] == sorted(
        [first.outlet_id, gas.outlet_id, second.outlet_id]
    )
    assert [s for s, _ in published(deps, "OutletAdded")] == [code] * 3


def test_outlet_rules(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    with pytest.raises(InvalidArgument, match=r"receiving_river: required for a wastewater outlet"):
        enterprises.add_outlet(
            deps,
            uscc=code,
            kind=OutletKind.WASTEWATER,
            name="a",
            location=CIXI,
            receiving_river="",
            pollutants=[],
        )
    with pytest.raises(InvalidArgument, match=r"kind: required"):
        enterprises.add_outlet(
            deps, uscc=code, kind=None, name="a", location=CIXI, receiving_river="", pollutants=[]
        )
    with pytest.raises(NotFound):
        enterprises.add_outlet(
            deps,
            uscc=random_uscc(),
            kind=OutletKind.WASTE_GAS,
            name="a",
            location=CIXI,
            receiving_river="",
            pollutants=[],
        )


def test_flags_come_from_the_open_periods(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields(flags=frozenset({RiskFlag.HEAVY_METALS})))
    # The old comma-list column is gone (revision permits_0102): the periods are the only copy.
    assert "risk_flags" not in {c["name"] for c in sa.inspect(deps.engine).get_columns("enterprises")}
    assert enterprises.get(deps, uscc=code).fields.risk_flags == {RiskFlag.HEAVY_METALS}
    assert [e.uscc for e in enterprises.get_all(deps, flag=RiskFlag.HEAVY_METALS).items] == [code]
    assert enterprises.get_all(deps, flag=RiskFlag.HAZARDOUS_WASTE).items == []
    enterprises.update(deps, uscc=code, fields_in=fields(), paths=["risk_flags"])
    assert enterprises.get(deps, uscc=code).fields.risk_flags == frozenset()
    assert enterprises.get_all(deps, flag=RiskFlag.HEAVY_METALS).items == []


def test_outlets_monitor_only_their_kinds_parameters(deps: Deps) -> None:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    for kind, river, bad, field in (
        (OutletKind.WASTEWATER, "四灶浦", ["COD", "SO2"], "monitored_pollutants[1]"),
        (OutletKind.WASTE_GAS, "", ["P0"], "monitored_pollutants[0]"),
    ):
        with pytest.raises(InvalidArgument) as err:
            enterprises.add_outlet(
                deps, uscc=code, kind=kind, name="x", location=CIXI, receiving_river=river, pollutants=bad
            )
        assert err.value.field == field
    assert enterprises.get_outlets(deps, uscc=code) == []


def test_control_characters_in_text_are_refused_before_anything_is_written(deps: Deps) -> None:
    with pytest.raises(InvalidArgument, match=r"fields.name: must not contain control characters"):
        enterprises.register(deps, uscc=random_uscc(), fields_in=fields(name="a\x00b"))
    with pytest.raises(InvalidArgument, match=r"fields.address: must not contain control characters"):
        enterprises.register(deps, uscc=random_uscc(), fields_in=replace(fields(), address="1号\n2号"))
    with pytest.raises(InvalidArgument, match=r"town: must not contain control characters"):
        enterprises.get_all(deps, town="周\x00巷")
    assert _count(deps) == 0 and published(deps) == []
