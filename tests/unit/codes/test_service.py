"""The use cases end to end on SQLite: events in, codes out, each kind of token refused."""

from datetime import timedelta
from typing import cast

import pytest
import sqlalchemy as sa

from eco.v1 import codes_pb2, common_pb2, permits_pb2
from services.codes.adapters.tables import enterprise_status
from services.codes.domain.status import CreditLevel, EnterpriseStatus, PermitState
from services.codes.domain.token import Verdict
from services.codes.service_layer import codes, render, resolve
from services.codes.service_layer.context import Context
from shared import china_time, events
from shared.clock import ManualClock
from shared.consumer import EventConsumer
from shared.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from shared.schema import outbox
from tests.unit.codes import factories
from tests.unit.codes.factories import T0, make_uscc


def _outbox(ctx: Context) -> list[tuple[str, object]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id)).all()
    return [(row.event_type, events.unpack(events.decode(bytes(row.envelope)))) for row in rows]


def _register(consumer: EventConsumer, uscc: str, town: str = "观海卫") -> None:
    assert consumer.handle_raw(factories.registered(uscc, town=town).SerializeToString())


def test_registration_issues_one_code_with_its_event(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    envelope = factories.registered(uscc).SerializeToString()
    assert consumer.handle_raw(envelope)
    assert not consumer.handle_raw(envelope)  # redelivery: no second code, no second event
    issued = codes.get_code(ctx, uscc=uscc)
    assert (issued.code.version, issued.url) == (1, f"https://eco.example.cn/c/{issued.token}")
    [(kind, payload)] = _outbox(ctx)
    assert kind == "CodeIssued"
    assert isinstance(payload, codes_pb2.CodeIssued) and (payload.uscc, payload.url) == (uscc, issued.url)
    with pytest.raises(AlreadyExists):
        codes.issue_code(ctx, uscc=uscc)


def test_issue_on_demand_needs_a_known_enterprise_and_a_valid_uscc(ctx: Context) -> None:
    with pytest.raises(NotFound):
        codes.issue_code(ctx, uscc=make_uscc())
    with pytest.raises(InvalidArgument) as err:
        codes.issue_code(ctx, uscc="not-a-code")
    assert err.value.field == "uscc"


def test_each_kind_of_token_gets_its_verdict(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    v1 = codes.get_code(ctx, uscc=uscc)
    found = resolve.resolve_token(ctx, token=v1.token, record_scan=False)
    assert found.verdict is Verdict.VALID and found.status is not None and found.status.name

    v2 = codes.rotate_code(ctx, uscc=uscc, reason="sticker faded")
    assert resolve.resolve_token(ctx, token=v1.token, record_scan=False).verdict is Verdict.SUPERSEDED
    assert resolve.resolve_token(ctx, token=v2.token, record_scan=False).verdict is Verdict.VALID

    with pytest.raises(InvalidArgument):
        codes.revoke_code(ctx, uscc=uscc, reason="")
    codes.revoke_code(ctx, uscc=uscc, reason="enterprise closed")
    assert resolve.resolve_token(ctx, token=v2.token, record_scan=False).verdict is Verdict.REVOKED
    with pytest.raises(FailedPrecondition):
        codes.rotate_code(ctx, uscc=uscc, reason="")

    v3 = codes.reissue_code(ctx, uscc=uscc, reason="reopened")
    assert v3.code.version == 3
    assert resolve.resolve_token(ctx, token=v3.token, record_scan=False).verdict is Verdict.VALID
    assert resolve.resolve_token(ctx, token=v2.token, record_scan=False).verdict is Verdict.REVOKED

    tampered = factories.flip_mac_bit(v3.token)
    assert resolve.resolve_token(ctx, token=tampered, record_scan=False).verdict is Verdict.TAMPERED
    assert resolve.resolve_token(ctx, token="garbage", record_scan=False).verdict is Verdict.MALFORMED
    assert resolve.resolve_token(ctx, token=v3.token + "A", record_scan=False).verdict is Verdict.MALFORMED
    # Correctly signed, but for an enterprise this service never issued a code to.
    stranger = codes.present(ctx, codes.model.first(make_uscc(), factories.TEST_KEY.kid, T0))
    assert resolve.resolve_token(ctx, token=stranger.token, record_scan=False).verdict is Verdict.UNKNOWN
    assert [kind for kind, _ in _outbox(ctx)] == ["CodeIssued", "CodeRotated", "CodeRevoked", "CodeIssued"]


def test_credit_and_permit_events_change_the_live_status(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    token = codes.get_code(ctx, uscc=uscc).token
    consumer.handle_raw(
        factories.credit_changed(
            uscc, common_pb2.CREDIT_LEVEL_YELLOW, T0 + timedelta(hours=2)
        ).SerializeToString()
    )
    # An older event delivered later (another topic, another partition) changes nothing.
    consumer.handle_raw(
        factories.credit_changed(
            uscc, common_pb2.CREDIT_LEVEL_GREEN, T0 + timedelta(hours=1)
        ).SerializeToString()
    )
    consumer.handle_raw(factories.permit_issued(uscc, T0 + timedelta(hours=3)).SerializeToString())
    status = resolve.resolve_token(ctx, token=token, record_scan=False).status
    assert status is not None
    assert status.credit_level is CreditLevel.YELLOW
    assert (status.permit_state, status.permit_number) == (PermitState.VALID, f"{uscc}001P")
    assert render.render_code(ctx, uscc=uscc, fmt=render.Format.PNG).credit_level is CreditLevel.YELLOW


def test_the_read_model_keeps_no_private_registry_field(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(enterprise_status).where(enterprise_status.c.uscc == uscc)).one()
    stored = " ".join(str(v) for v in row)
    summary = factories.summary(uscc)
    for private in (summary.address, summary.grid, str(summary.location.lat), str(summary.location.lon)):
        assert private not in stored


def test_scans_are_counted_per_local_day(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    token = codes.get_code(ctx, uscc=uscc).token
    clock = ctx.clock
    assert isinstance(clock, ManualClock)
    clock.set(T0.replace(hour=15, minute=30))  # 23:30 in Cixi
    resolve.resolve_token(ctx, token=token, record_scan=True)
    resolve.resolve_token(ctx, token=token, record_scan=False)  # not a page view: not counted
    clock.set(T0.replace(hour=16, minute=30))  # 00:30 the next day in Cixi
    resolve.resolve_token(ctx, token=token, record_scan=True)
    resolve.resolve_token(ctx, token=token, record_scan=True)
    resolve.resolve_token(ctx, token="garbage", record_scan=True)  # refused tokens are not scans of anyone
    day = china_time.local_day(T0)
    rows = resolve.scan_stats(ctx, uscc="", first=day, last=day + timedelta(days=1))
    assert rows == [(uscc, day, 1), (uscc, day + timedelta(days=1), 2)]
    with pytest.raises(InvalidArgument) as err:
        resolve.scan_stats(ctx, uscc=uscc, first=day, last=day - timedelta(days=1))
    assert err.value.field == "to"


def test_sheet_by_list_or_town_and_its_refusals(ctx: Context, consumer: EventConsumer) -> None:
    town_a, town_b = make_uscc(), make_uscc()
    _register(consumer, town_a, town="坎墩")
    _register(consumer, town_b, town="坎墩")
    assert render.render_sheet(ctx, usccs=[], town="坎墩").codes == 2
    assert render.render_sheet(ctx, usccs=[town_a], town="").codes == 1
    with pytest.raises(InvalidArgument):
        render.render_sheet(ctx, usccs=[town_a], town="坎墩")
    with pytest.raises(NotFound):
        render.render_sheet(ctx, usccs=[make_uscc()], town="")
    codes.revoke_code(ctx, uscc=town_a, reason="closed")
    with pytest.raises(FailedPrecondition):
        render.render_sheet(ctx, usccs=[town_a], town="")
    with pytest.raises(FailedPrecondition):
        render.render_code(ctx, uscc=town_a, fmt=render.Format.SVG)
    assert render.render_sheet(ctx, usccs=[], town="坎墩").codes == 1


def test_a_code_whose_key_was_removed_must_be_rotated(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    ctx.keys = factories.KeyRing([factories.OLD_KEY])
    with pytest.raises(FailedPrecondition, match="rotate"):
        codes.get_code(ctx, uscc=uscc)
    assert codes.rotate_code(ctx, uscc=uscc, reason="key rotation").code.key_id == factories.OLD_KEY.kid


def test_a_reinstated_permit_shows_valid_again(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    _register(consumer, uscc)
    token = codes.get_code(ctx, uscc=uscc).token
    consumer.handle_raw(factories.permit_issued(uscc, T0 + timedelta(hours=1)).SerializeToString())
    number = f"{uscc}001P"
    suspended = permits_pb2.PermitSuspended(uscc=uscc, permit_number=number)
    consumer.handle_raw(
        events.make_envelope(
            source="permits", subject_id=uscc, payload=suspended, occurred_at=T0 + timedelta(hours=2)
        ).SerializeToString()
    )
    assert (
        cast(EnterpriseStatus, resolve.resolve_token(ctx, token=token, record_scan=False).status).permit_state
        is PermitState.SUSPENDED
    )
    reinstated = permits_pb2.PermitReinstated(
        uscc=uscc,
        permit_number=number,
        permit_class=common_pb2.PERMIT_CLASS_KEY,
        valid_from=common_pb2.Date(year=2025, month=3, day=1),
        valid_until=common_pb2.Date(year=2030, month=2, day=28),
    )
    consumer.handle_raw(
        events.make_envelope(
            source="permits", subject_id=uscc, payload=reinstated, occurred_at=T0 + timedelta(hours=3)
        ).SerializeToString()
    )
    status = resolve.resolve_token(ctx, token=token, record_scan=False).status
    assert status is not None
    assert (status.permit_state, status.permit_number) == (PermitState.VALID, number)
