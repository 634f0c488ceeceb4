"""Events the code service consumes: the registry and permits (eco.permits.events) and credit
changes (eco.evaluation.events), each translated at the edge (entrypoints/translate.py) to a domain
fact and applied to the read model."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import events_pb2
from services.codes.entrypoints import translate
from services.codes.service_layer import read_model
from services.codes.service_layer.context import Context
from shared.consumer import Handler
from shared.topology import topic_for

GROUP_ID = "codes"
TOPICS = [topic_for("permits"), topic_for("evaluation")]


def handlers(ctx: Context) -> Mapping[str, Handler]:
    """Event type -> handler, each running in the consumer's dedup transaction."""

    def registered(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        read_model.record_profile(conn, ctx, translate.profile_fact(envelope, payload), registered=True)

    def updated(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        read_model.record_profile(conn, ctx, translate.profile_fact(envelope, payload), registered=False)

    def permit(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        read_model.record_permit(conn, translate.permit_fact(envelope, payload))

    def credit(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        read_model.record_credit(conn, translate.credit_fact(envelope, payload))

    return {
        "EnterpriseRegistered": registered,
        "EnterpriseUpdated": updated,
        "PermitIssued": permit,
        "PermitRenewed": permit,
        "PermitExpired": permit,
        "PermitRevoked": permit,
        "PermitSuspended": permit,
        "PermitReinstated": permit,
        "CreditChanged": credit,
    }
