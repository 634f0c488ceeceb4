"""Code versions: rotate, revoke, reissue, and what a scanned version means afterwards."""

from datetime import timedelta

import pytest

from services.codes.domain import model
from services.codes.domain.model import CodeStatus, CodeVersion, VersionEnd
from services.codes.domain.token import Verdict
from shared.errors import FailedPrecondition, InvalidArgument
from tests.unit.codes.factories import T0, make_uscc


def test_rotation_adds_a_version_and_is_refused_for_a_revoked_code() -> None:
    code = model.first(make_uscc(), "k1", T0)
    rotated = model.rotate(code, "k2", T0 + timedelta(days=1))
    assert (rotated.version, rotated.key_id, rotated.status) == (2, "k2", CodeStatus.ACTIVE)
    revoked = model.revoke(rotated, "closed down", T0)
    with pytest.raises(FailedPrecondition, match="reissue"):
        model.rotate(revoked, "k2", T0)


def test_revoke_twice_and_reissue_an_active_code_are_steps_out_of_order() -> None:
    code = model.first(make_uscc(), "k1", T0)
    with pytest.raises(FailedPrecondition, match="active"):
        model.reissue(code, "k1", T0)
    revoked = model.revoke(code, "sticker stolen", T0)
    with pytest.raises(FailedPrecondition, match="already revoked"):
        model.revoke(revoked, "again", T0)
    reissued = model.reissue(revoked, "k1", T0)
    assert (reissued.version, reissued.status, reissued.revoke_reason) == (2, CodeStatus.ACTIVE, "")


def test_reason_rules() -> None:
    with pytest.raises(InvalidArgument) as err:
        model.clean_reason("  ", required=True)
    assert err.value.field == "reason"
    with pytest.raises(InvalidArgument):
        model.clean_reason("x" * 501, required=False)
    assert model.clean_reason("  damaged ", required=False) == "damaged"


def test_judge_tells_each_case_apart() -> None:
    uscc = make_uscc()
    v1 = model.first(uscc, "k", T0)
    v2 = model.rotate(v1, "k", T0)
    rotated_v1 = CodeVersion(uscc, 1, "k", T0, end=VersionEnd.ROTATED, ended_at=T0)
    current_v2 = CodeVersion(uscc, 2, "k", T0)
    assert model.judge(current_v2, v2)[0] is Verdict.VALID
    assert model.judge(rotated_v1, v2)[0] is Verdict.SUPERSEDED
    assert model.judge(None, v2)[0] is Verdict.UNKNOWN
    assert model.judge(current_v2, None)[0] is Verdict.UNKNOWN
    revoked = model.revoke(v2, "closed", T0)
    assert model.judge(current_v2, revoked)[0] is Verdict.REVOKED
    # After a reissue the revoked version stays revoked, not merely superseded.
    revoked_v2 = CodeVersion(uscc, 2, "k", T0, end=VersionEnd.REVOKED, ended_at=T0)
    assert model.judge(revoked_v2, model.reissue(revoked, "k", T0))[0] is Verdict.REVOKED
