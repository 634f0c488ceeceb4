"""An event consumer that applies each event once, even when Kafka delivers it twice.

For every message: open a database transaction, claim the event id in `processed_events` (a
repeat finds it taken and is skipped), run the handler in the same transaction, commit, and only
then commit the Kafka offset. A crash anywhere before the offset commit means redelivery, which the
claim turns into a no-op.

A handler that fails because the database or a peer is away is retried until they are back. One
that fails for the event itself is retried a few times, then the event is kept whole in
`dead_letters` and passed over, so that it neither blocks its partition nor disappears; after a fix,
`python -m shared.dead_letters` puts it back on its topic.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import grpc
from google.protobuf.message import Message
from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from eco.v1 import events_pb2
from shared import events
from shared.kafka import manual_commit_consumer
from shared.schema import dead_letters, processed_events
from shared.tracing import trace_scope

log = logging.getLogger(__name__)

# A handler gets the open transaction, the envelope and its unpacked payload.
Handler = Callable[[Connection, events_pb2.EventEnvelope, Message], None]


class HandlerFailed(Exception):
    """A handler raised; the message will be delivered again."""

    def __init__(self, position: tuple[str, int, int], attempts: int, *, transient: bool) -> None:
        topic, partition, offset = position
        kind = "the infrastructure is unavailable" if transient else f"attempt {attempts}"
        super().__init__(f"handling {topic}[{partition}]@{offset} failed ({kind})")
        self.transient = transient


def is_transient(exc: BaseException) -> bool:
    """Whether a handler's failure is the infrastructure's (retry forever) rather than the event's."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, grpc.RpcError):
        return exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)  # type: ignore[attr-defined]
    return isinstance(exc, ConnectionError | TimeoutError)


def claim(conn: Connection, consumer: str, event_id: str) -> bool:
    """Record that this consumer handles the event; False if it already has."""
    try:
        with conn.begin_nested():
            conn.execute(
                processed_events.insert().values(
                    consumer=consumer, event_id=event_id, processed_at=datetime.now(UTC)
                )
            )
        return True
    except IntegrityError:
        return False


class EventConsumer:
    """Runs handlers for the event types it knows; other types are acknowledged and skipped."""

    def __init__(
        self,
        engine: Engine,
        bootstrap_servers: str,
        *,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
        consumer_factory: Callable[[], KafkaConsumer] | None = None,
        max_attempts: int = 5,
        retry_pause_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        self.max_attempts = max_attempts
        self.retry_pause_seconds = retry_pause_seconds
        self._failures: dict[tuple[str, int, int], int] = {}
        self.dead_lettered = 0
        self.group_id = group_id
        self.handlers = dict(handlers)
        self._factory = consumer_factory or (
            lambda: manual_commit_consumer(bootstrap_servers, group_id=group_id, topics=topics)
        )
        self._consumer: KafkaConsumer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.handled = 0
        self.skipped_duplicates = 0

    def start(self) -> None:
        """Consume in a background thread until stop()."""
        self._thread = threading.Thread(target=self._loop, name=f"consumer-{self.group_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        if self._consumer is not None:
            self._consumer.close(autocommit=False)
            self._consumer = None

    def _loop(self) -> None:
        pause = self.retry_pause_seconds
        while not self._stop.is_set():
            try:
                self.poll_once(timeout_ms=500)
                pause = self.retry_pause_seconds
            except HandlerFailed as failed:
                log.warning(
                    "consumer %s: %s; retrying in %.1fs",
                    self.group_id,
                    failed,
                    pause,
                    exc_info=failed.__cause__,
                )
                self._stop.wait(pause)
                if failed.transient:  # the database or a peer is away: wait longer each time, never give up
                    pause = min(pause * 2, 30.0)
            except Exception:
                # A broker outage or a failed commit: nothing past the committed offsets is lost, a
                # fresh consumer resumes from them after the pause.
                log.exception("consumer %s: poll failed; retrying", self.group_id)
                self._reset()
                self._stop.wait(2.0)

    def _reset(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close(autocommit=False)
            except Exception:
                log.debug("consumer %s: close failed", self.group_id, exc_info=True)
            self._consumer = None

    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Handle what one poll returns; returns how many messages were handled (or skipped)."""
        if self._consumer is None:
            self._consumer = self._factory()
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        # The first offset not yet handled, per partition: where to rewind if a handler fails, since
        # poll() has already moved every partition of the batch past its messages.
        pending = {partition: messages[0].offset for partition, messages in batches.items() if messages}
        count = 0
        try:
            for partition, messages in batches.items():
                for message in messages:
                    self._handle_or_set_aside(message)
                    # Commit each offset right after its event: a crash then repeats at most one event.
                    self._commit(partition, message.offset + 1, message.leader_epoch)
                    pending[partition] = message.offset + 1
                    count += 1
        except HandlerFailed:
            for partition, offset in pending.items():
                self._consumer.seek(partition, offset)
            raise
        return count

    def _handle_or_set_aside(self, message: Any) -> None:
        """Handle a message; a repeatable failure is kept in dead_letters after max_attempts.

        Failures of the infrastructure (database, a peer service) are retried without limit: the
        event is fine and will apply once they are back. Anything else fails the same way every
        time (a payload this version cannot apply, a bug), so after a few attempts it is set aside
        whole, to be replayed after a fix (`python -m shared.dead_letters`), and the partition moves on.
        """
        position = (message.topic, message.partition, message.offset)
        try:
            self.handle_raw(message.value)
            self._failures.pop(position, None)
            return
        except Exception as exc:
            if is_transient(exc):
                raise HandlerFailed(position, 0, transient=True) from exc
            attempts = self._failures.get(position, 0) + 1
            self._failures[position] = attempts
            if attempts < self.max_attempts:
                raise HandlerFailed(position, attempts, transient=False) from exc
            error = exc
        self._failures.pop(position, None)
        with self.engine.begin() as conn:
            conn.execute(
                dead_letters.insert().values(
                    consumer=self.group_id,
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    raw=message.value,
                    error=f"{type(error).__name__}: {error}"[:4000],
                    attempts=attempts,
                    failed_at=datetime.now(UTC),
                )
            )
        self.dead_lettered += 1
        log.error("consumer %s: set aside %s after %d attempts: %s", self.group_id, position, attempts, error)

    def _commit(self, partition: TopicPartition, offset: int, leader_epoch: int | None) -> None:
        assert self._consumer is not None
        self._consumer.commit(
            {partition: OffsetAndMetadata(offset, "", leader_epoch if leader_epoch else -1)}
        )

    def handle_raw(self, raw: bytes) -> bool:
        """Apply one message's event if it is new; returns False for a duplicate or unknown type."""
        envelope = events.decode(raw)
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return False
        with trace_scope(envelope.trace_id or None), self.engine.begin() as conn:
            if not claim(conn, self.group_id, envelope.event_id):
                self.skipped_duplicates += 1
                log.info("skipping event %s (%s): already handled", envelope.event_id, envelope.type)
                return False
            handler(conn, envelope, events.unpack(envelope))
        self.handled += 1
        return True
