"""The gateway as `python -m gateway` serves it (uvicorn with gateway.serve's settings), over a real
socket: no Server header, X-Forwarded-For from 127.0.0.1 not believed, and bodies refused before
they are read whole (issue 10, points 3, 4 and 6)."""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway import config
from gateway.app import create_app
from gateway.edge.limits import PUBLIC_FORM_LIMIT
from gateway.serve import GatewayServer, server_config
from tests.unit.gateway.support import gateway_env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The gateway served by uvicorn on a free port of 127.0.0.1; its base URL."""
    settings = config.load(gateway_env(tmp_path, ECO_PUBLIC_RATE_PER_MINUTE="2")).model_copy(
        update={"port": 0}
    )
    server = GatewayServer(server_config(create_app(settings), settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        gc.unfreeze()  # the test process goes on: its objects may be freed again


def test_what_start_up_made_is_frozen_out_of_the_garbage_collectors_passes(served: str) -> None:
    assert httpx.get(f"{served}/login").status_code == 200
    assert gc.get_freeze_count() > 10_000


def test_no_server_header_and_the_security_headers(served: str) -> None:
    response = httpx.get(f"{served}/login")
    assert response.status_code == 200
    assert "server" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


def test_forwarded_for_sent_from_127_0_0_1_does_not_reset_the_public_limit(served: str) -> None:
    codes = [
        httpx.get(f"{served}/c/sometoken", headers={"X-Forwarded-For": f"10.1.1.{i}"}).status_code
        for i in range(6)
    ]
    assert codes[2:] == [429] * 4, codes


def _raw(served: str, head: bytes, body_chunks: Iterator[bytes]) -> tuple[bytes, int]:
    """Send a request over a socket, body chunk by chunk until the server answers; (answer, bytes sent)."""
    host, port = served.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        sock.settimeout(0.05)
        answer = b""
        for chunk in body_chunks:
            try:
                answer = sock.recv(65536)
                if answer:
                    break
            except TimeoutError:
                pass
            try:
                sock.sendall(chunk)
            except OSError:  # the server closed the connection after answering
                break
            sent += len(chunk)
        sock.settimeout(10)
        while b"\r\n\r\n" not in answer:
            more = sock.recv(65536)
            if not more:
                break
            answer += more
    return answer, sent


def test_a_declared_100_mb_form_is_refused_before_its_body_is_sent(served: str) -> None:
    head = (
        b"POST /c/sometoken/petitions HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 104857600\r\n\r\n"
    )
    answer, sent = _raw(served, head, iter([b"x" * 65536] * 1600))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 10 * 1024 * 1024


def test_a_chunked_form_is_refused_once_it_passes_the_limit(served: str) -> None:
    head = b"POST /c/sometoken/petitions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    answer, sent = _raw(served, head, iter([chunk] * 1600))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert PUBLIC_FORM_LIMIT < sent < 10 * 1024 * 1024


def test_a_100_kb_header_is_refused(served: str) -> None:
    response = httpx.get(f"{served}/healthz", headers={"X-Padding": "x" * 100_000})
    assert response.status_code in (400, 431)  # h11 refuses an oversized head itself, as 400


def test_a_head_that_keeps_growing_is_refused_before_it_is_whole(served: str) -> None:
    # One header sent 8 KiB at a time with no end: refused once the head passes its limit, not held.
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: "
    answer, sent = _raw(served, head, iter([b"x" * 8192] * 512))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert sent < 256 * 1024
