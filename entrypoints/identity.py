"""Who is calling: the ``Identity`` an MCP session resolves its caller with."""

from __future__ import annotations

from typing import Any, Protocol

from mcp.server.mcpserver import Context

from ..domain.caller import Caller


class Identity(Protocol):
    """Resolves the caller of one MCP message from its transport request (a Starlette request over HTTP, None on
    stdio and in memory); raises a domain error, never returns a guess, when it cannot."""

    def caller(self, request: Any | None) -> Caller: ...


class LocalIdentity:
    """stdio: every request comes from the machine's own user (``local`` or ``OPENROUTER_USER``)."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def caller(self, request: Any | None) -> Caller:
        return self._caller


def request_of(ctx: Context[Any, Any] | None) -> Any | None:
    """The transport request behind a tool's context, if there is one."""
    if ctx is None:
        return None
    try:
        return ctx.request_context.request
    except (AttributeError, ValueError):
        return None
