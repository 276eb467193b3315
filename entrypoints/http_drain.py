"""Graceful stop of the HTTP service: on SIGTERM refuse new connections and sessions, finish calls in flight."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

import uvicorn
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from sse_starlette.sse import AppStatus

STREAMS_CLOSE_S = 3
"""How long uvicorn waits, once calls are drained, for the remaining (idle) streams to close."""


class Drain:
    """Counts MCP work in flight (every inbound MCP message, and every POST to ``/mcp`` until its response is
    sent) and tells the bearer gate to refuse new sessions once draining starts."""

    def __init__(self) -> None:
        self.draining = False
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def active(self) -> int:
        return self._active

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self._active += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    async def middleware(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        async with self.track():
            return await call_next(ctx)

    async def wait_idle(self, timeout_s: float) -> bool:
        """True once nothing is in flight, False if ``timeout_s`` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True


class DrainingServer(uvicorn.Server):
    """uvicorn, stopped in two steps on SIGTERM/SIGINT.

    Why: uvicorn alone (with sse-starlette) ends every open SSE stream at the signal, which cuts the
    response of each call in flight (Streamable HTTP answers over SSE too), and then cancels the calls;
    a paid generation would be lost. Here the first signal stops listening (new connections are refused),
    makes the gate refuse new sessions, and waits up to ``grace_s`` for calls in flight; only then are
    streams ended and uvicorn stopped. A second signal stops at once. The process exits 0 (the signal is
    handled, not re-raised as uvicorn would).
    """

    def __init__(self, config: uvicorn.Config, *, drain: Drain, grace_s: float, log: Any) -> None:
        super().__init__(config)
        self._drain = drain
        self._grace_s = grace_s
        self._log = log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Task[None] | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._loop is None:
            self.should_exit = True
            return
        self._loop.call_soon_threadsafe(self._on_signal, sig)

    def _on_signal(self, sig: int) -> None:
        if self._stopping is None:
            self._stopping = asyncio.get_running_loop().create_task(self._stop(sig))
        else:
            self._log.warning("server_stopping_now", signal=signal.Signals(sig).name, in_flight=self._drain.active)
            self._finish()

    async def _stop(self, sig: int) -> None:
        self._drain.draining = True
        for server in self.servers:
            server.close()
        self._log.info("server_stopping", signal=signal.Signals(sig).name, in_flight=self._drain.active,
                       grace_s=self._grace_s)
        if not await self._drain.wait_idle(self._grace_s):
            self._log.warning("shutdown_grace_exceeded", in_flight=self._drain.active)
        self._finish()

    def _finish(self) -> None:
        AppStatus.should_exit = True
        self.should_exit = True
