"""A loopback OpenRouter whose chat answer waits for the test's word, and which notices a closed connection.

The chat reply's shape is the documented non-streamed ``POST /chat/completions`` body (``id``, ``model``,
``provider``, ``choices[].message``, ``usage.cost``), as in the cassettes built from recordings.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.loopback import serving

MODEL = "test/slow-thinker"
ANSWER = "After long thought: 42."
COST = 0.0123
HOLD_STEPS = 600
"""How many 50 ms looks a held answer takes at most (30 s) before the stub gives up on the test."""


class SlowChat:
    """What the stub saw; ``release`` lets the held answers go, ``closed`` is set when a client hung up on one."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.closed = threading.Event()
        self.answered = threading.Event()
        self.chats = 0


def _reply() -> dict[str, Any]:
    return {"id": "gen-slow-1", "object": "chat.completion", "model": MODEL, "provider": "Loopback",
            "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "stop",
                         "message": {"role": "assistant", "content": ANSWER}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16, "cost": COST}}


@contextlib.contextmanager
def slow_openrouter() -> Iterator[tuple[str, SlowChat]]:
    """Yields the base URL for OPENROUTER_BASE_URL and the stub's state."""
    state = SlowChat()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, payload: Any) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def _peer_closed(self) -> bool:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

        def do_GET(self) -> None:
            if self.path.partition("?")[0] == "/api/v1/models":
                self._json(200, {"data": []})
            else:
                self._json(404, {"error": {"code": 404, "message": "no such route"}})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/api/v1/chat/completions":
                self._json(404, {"error": {"code": 404, "message": "no such route"}})
                return
            state.chats += 1
            for _ in range(HOLD_STEPS):
                if state.release.wait(0.05):
                    break
                if self._peer_closed():
                    state.closed.set()
                    return
            else:
                return
            self._json(200, _reply())
            state.answered.set()

    with serving(Handler) as port:
        try:
            yield f"http://127.0.0.1:{port}/api/v1", state
        finally:
            state.release.set()
