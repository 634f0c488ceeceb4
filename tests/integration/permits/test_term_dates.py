"""A permit's term through the gRPC API: 29 February and its neighbours (Civil Code art. 202)."""

from __future__ import annotations

import pytest

from eco.v1 import common_pb2, permits_pb2
from tests.integration.permits.conftest import Permits
from tests.integration.permits.test_grpc_contract import WHO, _register_with_outlet
from tests.unit.permits.factories import limits_pb

pytestmark = pytest.mark.integration


def issue_from(p: Permits, valid_from: common_pb2.Date) -> permits_pb2.Permit:
    """Apply, review and issue a permit for a new enterprise, valid from the given day."""
    code, outlet_id = _register_with_outlet(p)
    applied_on = common_pb2.Date(year=valid_from.year, month=1, day=2)
    request = permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet_id)], applied_on=applied_on)
    number = p.stub.ApplyPermit(request, metadata=p.md()).permit_number
    p.stub.StartPermitReview(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    return p.stub.IssuePermit(
        permits_pb2.IssuePermitRequest(permit_number=number, valid_from=valid_from, actor=WHO),
        metadata=p.md(),
    )


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        ((2024, 2, 29), (2029, 2, 28)),  # no 29 February in 2029: the month's last day
        ((2024, 2, 28), (2029, 2, 27)),  # leap start year, a day that exists: the day before
        ((2023, 2, 28), (2028, 2, 27)),  # common start year, leap end year
        ((2023, 3, 1), (2028, 2, 29)),  # the day before 1 March of a leap year
    ],
)
def test_issued_terms_end_as_civil_code_art_202_says(
    permits: Permits, start: tuple[int, int, int], last_day: tuple[int, int, int]
) -> None:
    issued = issue_from(permits, common_pb2.Date(year=start[0], month=start[1], day=start[2]))
    assert (issued.valid_from.year, issued.valid_from.month, issued.valid_from.day) == start
    assert (issued.valid_until.year, issued.valid_until.month, issued.valid_until.day) == last_day
