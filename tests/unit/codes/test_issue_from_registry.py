"""IssueCode for an enterprise the code service never heard of: the registry is asked first."""

from datetime import timedelta

import pytest

from eco.v1 import permits_pb2
from services.codes.domain.status import ProfileFact
from services.codes.service_layer import codes, resolve
from services.codes.service_layer.context import Context, RegistryUnavailable
from shared import events
from shared.consumer import EventConsumer
from shared.errors import NotFound
from tests.unit.codes import factories
from tests.unit.codes.factories import T0, make_uscc
from tests.unit.codes.test_service import _outbox


class FakeRegistry:
    """The registry as the service layer sees it: known profiles, or down."""

    def __init__(self, known: dict[str, ProfileFact], *, down: bool = False) -> None:
        self.known = known
        self.down = down
        self.asked: list[str] = []

    def get(self, *, uscc: str) -> ProfileFact | None:
        self.asked.append(uscc)
        if self.down:
            raise RegistryUnavailable("permits did not answer")
        return self.known.get(uscc)


def test_an_unseen_enterprise_is_fetched_then_issued(ctx: Context, consumer: EventConsumer) -> None:
    uscc = make_uscc()
    ctx.registry = FakeRegistry({uscc: ProfileFact(uscc, "慈溪市补发化工有限公司", "庵东", "C2614", T0)})
    issued = codes.issue_code(ctx, uscc=uscc)
    assert issued.code.version == 1
    status = resolve.resolve_token(ctx, token=issued.token, record_scan=False).status
    assert status is not None and (status.name, status.town, status.profile_as_of) == (
        "慈溪市补发化工有限公司",
        "庵东",
        T0,
    )
    assert [kind for kind, _ in _outbox(ctx)] == ["CodeIssued"]
    # The registry's fact keeps its own time: an older event arriving later changes nothing, a newer wins.
    for at, name in ((T0 - timedelta(days=1), "旧名"), (T0 + timedelta(days=1), "新名")):
        summary = factories.summary(uscc, name=name)
        envelope = events.make_envelope(
            source="permits",
            subject_id=uscc,
            payload=permits_pb2.EnterpriseUpdated(enterprise=summary),
            occurred_at=at,
        )
        consumer.handle_raw(envelope.SerializeToString())
    status = resolve.resolve_token(ctx, token=issued.token, record_scan=False).status
    assert status is not None and status.name == "新名"


def test_the_registry_is_asked_only_for_enterprises_without_a_profile(
    ctx: Context, consumer: EventConsumer
) -> None:
    rated_only = make_uscc()
    consumer.handle_raw(factories.credit_changed(rated_only, 2, T0).SerializeToString())  # no profile yet
    updated = make_uscc()
    envelope = events.make_envelope(
        source="permits",
        subject_id=updated,
        payload=permits_pb2.EnterpriseUpdated(enterprise=factories.summary(updated)),
        occurred_at=T0,
    )
    consumer.handle_raw(envelope.SerializeToString())  # a profile, but no registration (so no code)
    registry = FakeRegistry({})
    ctx.registry = registry
    with pytest.raises(NotFound):
        codes.issue_code(ctx, uscc=rated_only)
    assert codes.issue_code(ctx, uscc=updated).code.version == 1
    assert registry.asked == [rated_only]


def test_with_the_registry_down_nothing_is_written(ctx: Context) -> None:
    uscc = make_uscc()
    ctx.registry = FakeRegistry({}, down=True)
    with pytest.raises(RegistryUnavailable):
        codes.issue_code(ctx, uscc=uscc)
    with pytest.raises(NotFound):
        codes.get_code(ctx, uscc=uscc)
    assert _outbox(ctx) == []
