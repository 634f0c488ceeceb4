"""Woken by PostgreSQL: a thread that LISTENs on a channel and calls back on each notification.

PostgreSQL delivers a NOTIFY to every session listening on its channel in the same database when
the notifying transaction commits, and never if it rolls back, so a notification means "something
committed". It is not stored: a session that was not listening misses it. So the callback also
runs each time listening starts (what was committed meanwhile is looked at then), and whoever is
woken keeps a slow poll of its own as the safety net (`listening` says when it may be slow).
"""

from __future__ import annotations

import logging
import select
import socket
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


class Listener:
    """Calls `on_notify(payload)` whenever a transaction that ran NOTIFY `channel` commits in
    `engine`'s database, in the order they committed, and `on_notify(None)` each time it starts
    listening.

    Its connection is its own (not the engine's pool: it is held for as long as the listener runs)
    and made with the engine's connection arguments. A lost connection is made again after
    `retry_seconds`, doubling to `max_retry_seconds`; meanwhile `listening` is False.
    """

    def __init__(
        self,
        engine: Engine,
        channel: str,
        on_notify: Callable[[str | None], None],
        *,
        retry_seconds: float = 0.5,
        max_retry_seconds: float = 10.0,
    ) -> None:
        if not channel.isidentifier() or not channel.islower():
            # LISTEN takes an identifier, not a parameter: only a plain lower-case name is spelled as is.
            raise ValueError(f"channel must be a lower-case identifier, got {channel!r}")
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        self._connect = lambda: psycopg.connect(*args, **kwargs, autocommit=True)
        self.channel = channel
        self.on_notify = on_notify
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self._listening = threading.Event()
        self._stop = threading.Event()
        # stop() writes a byte here to end the wait at once: the wait is select() on the database
        # connection and this socket, with no timeout. (psycopg's own notifies(timeout=) woken ten
        # times a second cost 0.9 % of a core, more than the polling this replaces.)
        self._stop_reader, self._stop_writer = socket.socketpair()
        self._thread: threading.Thread | None = None

    @property
    def listening(self) -> bool:
        """True while notifications reach this listener (its LISTEN is in place)."""
        return self._listening.is_set()

    def wait_listening(self, timeout: float) -> bool:
        """Wait until listening (tests and start-up checks); False if `timeout` passed first."""
        return self._listening.wait(timeout)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"listen-{self.channel}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (again: nothing more)."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._stop_writer.send(b"\0")
        if self._thread is not None:
            self._thread.join(timeout)
        self._stop_reader.close()
        self._stop_writer.close()

    def _loop(self) -> None:
        pause = self.retry_seconds
        while not self._stop.is_set():
            try:
                self._listen()
                pause = self.retry_seconds
            except (psycopg.Error, OSError) as exc:  # the database restarting or unreachable
                log.warning("listening on %s failed, again in %.1fs: %s", self.channel, pause, exc)
                self._stop.wait(pause)
                pause = min(pause * 2, self.max_retry_seconds)
            finally:
                self._listening.clear()

    def _listen(self) -> None:
        with self._connect() as conn:
            conn.execute(f"LISTEN {self.channel}")
            self._listening.set()
            self.on_notify(None)  # whatever committed while nobody listened
            while not self._stop.is_set():
                # What has arrived (psycopg may hold some read with an earlier answer), then wait
                # for more or for stop(); a closed connection reads as ready and fails in notifies.
                for notification in conn.notifies(timeout=0):
                    self.on_notify(notification.payload)
                select.select([conn.fileno(), self._stop_reader.fileno()], [], [])
