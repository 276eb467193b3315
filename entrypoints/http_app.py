"""The HTTP service: Streamable HTTP at ``/mcp``, legacy SSE at ``/sse`` + ``/messages/``, ``/healthz``."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from ..domain.caller import LOCAL_SUBJECT
from ..domain.errors import ConfigurationError, OpenRouterMcpError
from .container import Container, resolve
from .http_auth import BearerGate, HttpIdentity
from .http_drain import Drain
from .runtime import AppRuntime
from .server import build_server
from .settings import Settings
from .tokens import TokenBook
from .version import SERVER_VERSION

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_tokens(settings: Settings) -> TokenBook | None:
    """The verified tokens file, or None when ``OPENROUTER_MCP_TOKENS_FILE`` is unset (fails as ``TokenBook``)."""
    return TokenBook.load(settings.mcp_tokens_file) if settings.mcp_tokens_file else None


def check_bind(host: str, tokens: TokenBook | None) -> None:
    """Refuse to serve a non-loopback address without tokens: every network neighbour could spend the key."""
    if not is_loopback(host) and (tokens is None or len(tokens) == 0):
        raise ConfigurationError(
            f"refusing to listen on {host} without tokens: set OPENROUTER_MCP_TOKENS_FILE to a file of hashed "
            "bearer tokens (openrouter-multimodal-mcp token new <user> prints one), or bind to 127.0.0.1.")


def transport_security(settings: Settings, host: str, port: int) -> TransportSecuritySettings:
    """The SDK's DNS-rebinding check stays on: the Host header must be the bind address (or, for a wildcard
    bind, this machine's name or loopback) or one of ``OPENROUTER_MCP_ALLOWED_HOSTS``."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host in ("0.0.0.0", "::", ""):
        names.add(socket.gethostname())
    elif not is_loopback(host):
        names.add(f"[{host}]" if ":" in host else host)
    hosts = [f"{name}:{port}" for name in sorted(names)] + settings.allowed_host_list()
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


def build_http_app(container: Container, problem: str | None, *, host: str, port: int,
                   tokens: TokenBook | None, drain: Drain | None = None) -> ASGIApp:
    """The ASGI app: the SDK's own Streamable HTTP and SSE apps (nothing of the protocol is ours), our bearer
    gate in front, and one app lifetime that holds the HTTP clients and the state store for every session."""
    settings = container.settings()
    runtime = AppRuntime(container)
    server = build_server(container, problem, identity=HttpIdentity(), runtime=runtime)
    if drain is not None:
        server.middleware.append(drain.middleware)
    security = transport_security(settings, host, port)
    streamable = server.streamable_http_app(transport_security=security, host=host)
    sse = server.sse_app(transport_security=security, host=host)

    async def healthz(request: Request) -> JSONResponse:
        state = "reachable"
        try:
            store = await resolve(container.storage.state)
            await store.ping()
        except OpenRouterMcpError as exc:
            state = f"unreachable: {exc.message}"
        body = {"status": "ok", "version": SERVER_VERSION, "state_store": state}
        return JSONResponse(body, status_code=200 if state == "reachable" else 503)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with runtime.running(), server.session_manager.run():
            yield

    app = Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), *streamable.routes, *sse.routes],
                    lifespan=lifespan)
    return BearerGate(app, tokens=tokens, user_header=settings.mcp_user_header,
                      conversation_header=settings.mcp_conversation_header,
                      loopback_subject=settings.user or LOCAL_SUBJECT, drain=drain)
