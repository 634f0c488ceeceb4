"""The public names of credit levels, permit classes and permit states, by their protobuf numbers.

One table each, used by the code service's translation and by the gateway's public page, so the
page says what the service means ("unrated", "key", "expired") and the two cannot drift apart.
"""

from __future__ import annotations

from eco.v1 import codes_pb2, common_pb2
from services.codes.domain.status import CreditLevel, PermitState

# 企业环境信用评价办法（试行）(2013) levels; an enterprise not yet rated is "unrated", not "unspecified".
CREDIT_FROM_PROTO: dict[common_pb2.CreditLevel, CreditLevel] = {
    common_pb2.CREDIT_LEVEL_UNSPECIFIED: CreditLevel.UNRATED,
    common_pb2.CREDIT_LEVEL_GREEN: CreditLevel.GREEN,
    common_pb2.CREDIT_LEVEL_BLUE: CreditLevel.BLUE,
    common_pb2.CREDIT_LEVEL_YELLOW: CreditLevel.YELLOW,
    common_pb2.CREDIT_LEVEL_RED: CreditLevel.RED,
    common_pb2.CREDIT_LEVEL_BLACK: CreditLevel.BLACK,
}
CREDIT_TO_PROTO = {level: number for number, level in CREDIT_FROM_PROTO.items()}

# 排污许可管理条例 (2021) management classes; "" when the class is not known.
PERMIT_CLASS_FROM_PROTO: dict[common_pb2.PermitClass, str] = {
    common_pb2.PERMIT_CLASS_UNSPECIFIED: "",
    common_pb2.PERMIT_CLASS_KEY: "key",
    common_pb2.PERMIT_CLASS_SIMPLIFIED: "simplified",
    common_pb2.PERMIT_CLASS_REGISTRATION: "registration",
}
PERMIT_CLASS_TO_PROTO = {name: number for number, name in PERMIT_CLASS_FROM_PROTO.items()}

PERMIT_STATE_TO_PROTO: dict[PermitState, codes_pb2.PermitState] = {
    PermitState.NONE: codes_pb2.PERMIT_STATE_UNSPECIFIED,
    PermitState.VALID: codes_pb2.PERMIT_STATE_VALID,
    PermitState.EXPIRED: codes_pb2.PERMIT_STATE_EXPIRED,
    PermitState.REVOKED: codes_pb2.PERMIT_STATE_REVOKED,
    PermitState.SUSPENDED: codes_pb2.PERMIT_STATE_SUSPENDED,
}
PERMIT_STATE_FROM_PROTO = {number: state for state, number in PERMIT_STATE_TO_PROTO.items()}
