"""The HTTP service's front door: bearer tokens, the caller behind each request, and sessions bound to callers."""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain.caller import Caller, IdentitySource
from ..domain.errors import InvalidInput, UnauthorizedCaller
from .http_drain import Drain
from .tokens import TokenBook

CALLER_KEY = "openrouter_mcp.caller"
OPEN_PATHS = frozenset({"/healthz"})
MAX_SESSIONS = 10_000
_ENDPOINT = re.compile(rb"session_id=([0-9A-Za-z_-]{8,128})")


class HttpIdentity:
    """The ``Identity`` of requests that came through ``BearerGate``: the caller it stored in the ASGI scope.

    How it fails: a request without one (it bypassed the gate) is refused, never served as somebody.
    """

    def caller(self, request: Any | None) -> Caller:
        scope = getattr(request, "scope", None)
        caller = scope.get(CALLER_KEY) if isinstance(scope, dict) else None
        if not isinstance(caller, Caller):
            raise UnauthorizedCaller("this request carries no verified caller: send it with a valid bearer token.")
        return caller


class BearerGate:
    """ASGI middleware in front of ``/mcp``, ``/sse`` and ``/messages/``.

    Why: the service acts on users' behalf and spends money, so identity must be proven, not claimed.
    - With tokens configured, every request (``/healthz`` aside) needs ``Authorization: Bearer <token>``
      whose SHA-256 is in the tokens file; otherwise 401 with ``WWW-Authenticate: Bearer``.
    - A user token makes its subject the caller, and identity headers are ignored. A gateway token (a
      chat front-end such as LibreChat) may name the user in the user header; without it the gateway
      acts as itself. A user id is never invented: an empty or malformed header (an unresolved
      ``{{LIBRECHAT_USER_ID}}``) is refused with 400, not served as the gateway.
    - Without tokens (a loopback-only server) every request is the configured local subject, with
      source ``loopback``: not the machine's owner, so local paths stay closed.
    - MCP sessions are bound to the subject that opened them (the ``mcp-session-id`` response header,
      the SSE endpoint's ``session_id``): another caller naming that session gets 404, as if unknown, and so
      does a session the gate never saw opened or has forgotten (at most ``max_sessions`` are remembered):
      a forgotten binding must not turn into an unbound session; the client opens a new one.
    - While the server drains for shutdown, a request that would open a session gets 503; a POST to
      ``/mcp`` counts as work in flight until its response is sent.
    """

    def __init__(self, app: ASGIApp, *, tokens: TokenBook | None, user_header: str, conversation_header: str,
                 loopback_subject: str, drain: Drain | None = None, max_sessions: int = MAX_SESSIONS) -> None:
        self._app = app
        self._tokens = tokens if tokens is not None and len(tokens) else None
        self._user_header = user_header.lower().encode("latin-1")
        self._conversation_header = conversation_header.lower().encode("latin-1")
        self._loopback = Caller(loopback_subject, IdentitySource.LOOPBACK)
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._drain = drain or Drain()
        self._max_sessions = max_sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPEN_PATHS:
            await self._app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        try:
            caller = self._caller(headers)
        except UnauthorizedCaller as exc:
            await _reply(send, 401, "unauthorized", exc.message, {"www-authenticate": 'Bearer realm="mcp"'})
            return
        except InvalidInput as exc:
            await _reply(send, 400, "bad_identity", exc.message)
            return
        session = self._session_of(scope, headers)
        if session is not None and self._sessions.get(session) != caller.subject:
            await _reply(send, 404, "unknown_session", "no such session: open your own session.")
            return
        if self._drain.draining and _opens_session(scope, headers):
            await _reply(send, 503, "shutting_down", "the server is shutting down: retry shortly.",
                         {"retry-after": "5"})
            return
        scope[CALLER_KEY] = caller
        if scope["method"] == "POST" and scope["path"] == "/mcp":
            async with self._drain.track():
                await self._app(scope, receive, self._binding(send, caller.subject, scope))
            return
        await self._app(scope, receive, self._binding(send, caller.subject, scope))

    def _caller(self, headers: dict[bytes, bytes]) -> Caller:
        conversation = self._header(headers, self._conversation_header)
        if self._tokens is None:
            return self._loopback
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        grant = self._tokens.verify(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None:
            raise UnauthorizedCaller("a valid 'Authorization: Bearer <token>' header is required.")
        if not grant.gateway:
            return Caller(grant.subject, IdentitySource.TOKEN, conversation)
        named = self._header(headers, self._user_header)
        if named is None:
            return Caller(grant.subject, IdentitySource.GATEWAY, conversation)
        if not named.strip():
            raise InvalidInput("the user header is empty: the gateway must send the user's id, or no header at all.")
        return Caller(named, IdentitySource.GATEWAY, conversation)

    @staticmethod
    def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
        raw = headers.get(name)
        return None if raw is None else raw.decode("latin-1")

    @staticmethod
    def _session_of(scope: Scope, headers: dict[bytes, bytes]) -> str | None:
        raw = headers.get(b"mcp-session-id")
        if raw:
            return raw.decode("latin-1")
        if scope["path"].startswith("/messages"):
            found = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_id")
            return found[0] if found else None
        return None

    def _bind(self, session: str, subject: str) -> None:
        self._sessions[session] = subject
        self._sessions.move_to_end(session)
        while len(self._sessions) > self._max_sessions:
            self._sessions.popitem(last=False)

    def _binding(self, send: Send, subject: str, scope: Scope) -> Send:
        sniff = scope["path"] == "/sse"
        seen = bytearray()

        async def bound(message: Message) -> None:
            nonlocal sniff
            if message["type"] == "http.response.start":
                for key, value in message.get("headers", []):
                    if key.lower() == b"mcp-session-id":
                        self._bind(value.decode("latin-1"), subject)
            elif sniff and message["type"] == "http.response.body":
                seen.extend(message.get("body", b"")[:4096])
                match = _ENDPOINT.search(bytes(seen))
                if match is not None or len(seen) >= 4096:
                    sniff = False
                if match is not None:
                    self._bind(match.group(1).decode("ascii"), subject)
            await send(message)

        return bound


def _opens_session(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    """A request that starts a session: the SSE stream, or a Streamable HTTP POST with neither a session id nor
    a protocol version header (a legacy ``initialize``; later requests, and the sessionless 2026 era, carry one)."""
    if scope["path"] == "/sse":
        return True
    return (scope["path"] == "/mcp" and scope["method"] == "POST" and b"mcp-session-id" not in headers
            and b"mcp-protocol-version" not in headers)


async def _reply(send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": code, "message": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
