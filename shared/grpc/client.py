"""Calling a platform service: a channel plus the metadata every call carries (token, trace id)."""

from __future__ import annotations

import grpc

from shared.tracing import TRACE_METADATA_KEY, current_trace_id, new_trace_id


def channel(address: str) -> grpc.Channel:
    """An insecure channel for loopback and in-cluster traffic (mTLS is configured in production)."""
    return grpc.insecure_channel(
        address,
        options=[
            ("grpc.max_receive_message_length", 32 * 1024 * 1024),
            ("grpc.max_send_message_length", 32 * 1024 * 1024),
        ],
    )


def call_metadata(token: str, trace_id: str | None = None) -> tuple[tuple[str, str], ...]:
    """Metadata for one call: the department's bearer token and the trace id to carry on."""
    return (
        ("authorization", f"Bearer {token}"),
        (TRACE_METADATA_KEY, trace_id or current_trace_id() or new_trace_id()),
    )
