"""The code service over gRPC with real Kafka and PostgreSQL."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from eco.v1 import codes_pb2, common_pb2
from shared import china_time
from tests.integration.codes.harness import CodesHarness, codes_events_from_now
from tests.support import infra
from tests.unit.codes import factories
from tests.unit.codes.factories import make_uscc

pytestmark = pytest.mark.integration


def _error(call: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        call()  # type: ignore[operator]
    return err.value


def _resolve(codes: CodesHarness, token: str, scan: bool = False) -> codes_pb2.ResolveTokenResponse:
    return codes.call("ResolveToken", codes_pb2.ResolveTokenRequest(token=token, record_scan=scan))  # type: ignore[return-value]


def test_registration_issues_a_code_and_publishes_code_issued(codes: CodesHarness) -> None:
    uscc = make_uscc()
    with codes_events_from_now() as read:
        code = codes.register(uscc)
        [event] = read(uscc, 1)
    assert event.type == "CodeIssued" and event.source == "codes"
    assert (code.version, code.status) == (1, codes_pb2.CODE_STATUS_ACTIVE)
    assert code.url.endswith(f"/c/{code.token}")
    found = _resolve(codes, code.token)
    assert found.verdict == codes_pb2.TOKEN_VERDICT_VALID
    assert (found.status.name, found.status.town, found.status.industry) == (
        "慈溪市绿水化工有限公司",
        "观海卫",
        "C2614",
    )
    assert found.status.industry_section == "制造业"


def test_every_kind_of_bad_token_is_refused_with_its_verdict(codes: CodesHarness) -> None:
    uscc = make_uscc()
    v1 = codes.register(uscc)
    codes.wait_until_published()  # its CodeIssued must not reach the reader below
    with codes_events_from_now() as read:
        v2 = codes.call("RotateCode", codes_pb2.RotateCodeRequest(uscc=uscc, reason="sticker faded"))
        revoked = codes.call("RevokeCode", codes_pb2.RevokeCodeRequest(uscc=uscc, reason="closed for refit"))
        assert [e.type for e in read(uscc, 2)] == ["CodeRotated", "CodeRevoked"]
    assert revoked.status == codes_pb2.CODE_STATUS_REVOKED  # type: ignore[attr-defined]
    stranger = make_uscc()
    verdicts = {
        "superseded": _resolve(codes, v1.token).verdict,
        "revoked": _resolve(codes, v2.token).verdict,  # type: ignore[attr-defined]
        "tampered": _resolve(codes, factories.flip_mac_bit(v1.token)).verdict,
        "malformed": _resolve(codes, "not-a-token!").verdict,
        "unknown": _resolve(codes, _signed_for(stranger)).verdict,
    }
    assert verdicts == {
        "superseded": codes_pb2.TOKEN_VERDICT_SUPERSEDED,
        "revoked": codes_pb2.TOKEN_VERDICT_REVOKED,
        "tampered": codes_pb2.TOKEN_VERDICT_TAMPERED,
        "malformed": codes_pb2.TOKEN_VERDICT_MALFORMED,
        "unknown": codes_pb2.TOKEN_VERDICT_UNKNOWN,
    }
    reissued = codes.call("ReissueCode", codes_pb2.ReissueCodeRequest(uscc=uscc, reason="reopened"))
    assert _resolve(codes, reissued.token).verdict == codes_pb2.TOKEN_VERDICT_VALID  # type: ignore[attr-defined]


def _signed_for(uscc: str) -> str:
    from services.codes.domain.token import sign

    return sign(factories.TEST_KEY, uscc, 1)


def test_errors_name_the_field_and_change_nothing(codes: CodesHarness) -> None:
    uscc = make_uscc()
    codes.register(uscc)
    bad = _error(lambda: codes.call("GetCode", codes_pb2.GetCodeRequest(uscc="91330100716105853F")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT and "uscc" in (bad.details() or "")  # type: ignore[attr-defined]
    no_reason = _error(lambda: codes.call("RevokeCode", codes_pb2.RevokeCodeRequest(uscc=uscc)))
    assert no_reason.code() == grpc.StatusCode.INVALID_ARGUMENT and "reason" in (no_reason.details() or "")  # type: ignore[attr-defined]
    assert codes.code_of(uscc).status == codes_pb2.CODE_STATUS_ACTIVE
    # An enterprise never seen here is looked up in the registry; with permits down, nothing is issued.
    stranger = make_uscc()
    down = _error(lambda: codes.call("IssueCode", codes_pb2.IssueCodeRequest(uscc=stranger)))
    assert down.code() == grpc.StatusCode.UNAVAILABLE and "registry" in (down.details() or "")  # type: ignore[attr-defined]
    assert _error(lambda: codes.call("GetCode", codes_pb2.GetCodeRequest(uscc=stranger))).code() == (
        grpc.StatusCode.NOT_FOUND
    )  # type: ignore[attr-defined]
    twice = _error(lambda: codes.call("IssueCode", codes_pb2.IssueCodeRequest(uscc=uscc)))
    assert twice.code() == grpc.StatusCode.ALREADY_EXISTS  # type: ignore[attr-defined]
    out_of_order = _error(lambda: codes.call("ReissueCode", codes_pb2.ReissueCodeRequest(uscc=uscc)))
    assert out_of_order.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
    denied = _error(
        lambda: codes.call("GetCode", codes_pb2.GetCodeRequest(uscc=uscc), token=infra.WATER_TOKEN)
    )
    assert denied.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]


def test_the_colour_follows_credit_changed_from_kafka(codes: CodesHarness) -> None:
    uscc = make_uscc()
    code = codes.register(uscc)
    green = codes.call(
        "RenderCode", codes_pb2.RenderCodeRequest(uscc=uscc, format=codes_pb2.IMAGE_FORMAT_PNG)
    )
    assert _corner(green.content) == (0x7B, 0x87, 0x94)  # type: ignore[attr-defined]  # unrated grey
    at = datetime.now(UTC)
    codes.publish(
        factories.credit_changed(uscc, common_pb2.CREDIT_LEVEL_RED, at), topic=codes.evaluation_topic
    )
    infra.wait_for(
        lambda: _resolve(codes, code.token).status.credit_level == common_pb2.CREDIT_LEVEL_RED,
        what="the red credit level",
    )
    red = codes.call("RenderCode", codes_pb2.RenderCodeRequest(uscc=uscc, format=codes_pb2.IMAGE_FORMAT_PNG))
    assert red.credit_level == common_pb2.CREDIT_LEVEL_RED  # type: ignore[attr-defined]
    assert _corner(red.content) == (0xD7, 0x30, 0x1F)  # type: ignore[attr-defined]
    assert decode(Image.open(io.BytesIO(red.content)))[0].data.decode() == code.url  # type: ignore[attr-defined]
    status = _resolve(codes, code.token).status
    assert abs(status.credit_as_of.ToDatetime(tzinfo=UTC) - at) < timedelta(seconds=1)


def _corner(png: bytes) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((1, 1))  # type: ignore[return-value]


def test_permit_events_show_on_the_public_status(codes: CodesHarness) -> None:
    uscc = make_uscc()
    code = codes.register(uscc)
    codes.publish(factories.permit_issued(uscc, datetime.now(UTC)), topic=codes.permits_topic)
    permit = infra.wait_for(
        lambda: _resolve(codes, code.token).status.permit.permit_number, what="the permit"
    )
    assert permit == f"{uscc}001P"
    shown = _resolve(codes, code.token).status.permit
    assert (shown.state, shown.valid_to.year, shown.permit_class) == (
        codes_pb2.PERMIT_STATE_VALID,
        2030,
        common_pb2.PERMIT_CLASS_KEY,
    )


def test_concurrent_scans_are_all_counted(codes: CodesHarness) -> None:
    uscc = make_uscc()
    token = codes.register(uscc).token
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: _resolve(codes, token, scan=True), range(40)))
    _resolve(codes, "garbage", scan=True)
    today = china_time.local_day(datetime.now(UTC))
    day = common_pb2.Date(year=today.year, month=today.month, day=today.day)
    request = codes_pb2.GetScanStatsRequest(uscc=uscc, to=day)
    getattr(request, "from").CopyFrom(day)
    stats = codes.call("GetScanStats", request)
    assert stats.total == 40  # type: ignore[attr-defined]
    assert [(c.uscc, c.count) for c in stats.counts] == [(uscc, 40)]  # type: ignore[attr-defined]


def test_sheet_of_a_town(codes: CodesHarness) -> None:
    town = infra.unique("town-")
    for _ in range(3):
        codes.register(make_uscc(), town=town)
    sheet = codes.call("RenderSheet", codes_pb2.RenderSheetRequest(town=town))
    assert (sheet.codes, sheet.pages) == (3, 1)  # type: ignore[attr-defined]
    assert sheet.pdf.startswith(b"%PDF-")  # type: ignore[attr-defined]
