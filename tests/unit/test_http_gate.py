"""``BearerGate`` on its own: sessions it forgot (or never saw opened) are refused, not served unbound."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from openrouter_multimodal.entrypoints.http_auth import BearerGate
from openrouter_multimodal.entrypoints.tokens import TokenBook, file_line

pytestmark = pytest.mark.anyio
ALICE, BOB = "ormcp_alice-token", "ormcp_bob-token"


class SessionApp:
    """Stands in for the SDK's Streamable HTTP app: a request without a session id opens one (the id comes back
    in the ``mcp-session-id`` header); a request naming one is answered 200."""

    def __init__(self) -> None:
        self._ids = (f"session{n:04d}" for n in itertools.count())
        self.served: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        named = dict(scope["headers"]).get(b"mcp-session-id")
        session = named.decode() if named else next(self._ids)
        self.served.append(session)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"mcp-session-id", session.encode())]})
        await send({"type": "http.response.body", "body": b"{}"})


def gate(app: SessionApp, max_sessions: int) -> BearerGate:
    book = TokenBook.parse("\n".join([file_line(ALICE, "alice"), file_line(BOB, "bob")]))
    return BearerGate(app, tokens=book, user_header="x-user-id", conversation_header="x-conversation-id",
                      loopback_subject="local", max_sessions=max_sessions)


async def post(client: httpx.AsyncClient, token: str, session: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **({"mcp-session-id": session} if session else {})}
    return await client.post("http://127.0.0.1/mcp", headers=headers, content=b"{}")


async def test_a_forgotten_session_is_refused_to_everyone_not_left_unbound() -> None:
    app = SessionApp()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate(app, max_sessions=2))) as client:
        opened = [(await post(client, ALICE)).headers["mcp-session-id"] for _ in range(3)]
        assert (await post(client, ALICE, opened[2])).status_code == 200
        for token in (BOB, ALICE):
            answer = await post(client, token, opened[0])
            assert answer.status_code == 404 and answer.json()["error"] == "unknown_session"
        assert (await post(client, BOB, opened[1])).status_code == 404
    assert app.served.count(opened[0]) == 1


async def test_a_session_id_the_gate_never_saw_opened_is_refused() -> None:
    app = SessionApp()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate(app, max_sessions=10))) as client:
        answer = await post(client, BOB, "session-made-up")
    assert answer.status_code == 404
    assert app.served == []
