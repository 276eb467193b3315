"""``AppRuntime``: one app's lifetime over its container, and the ``Dispatcher`` every entrypoint calls through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio

from ..application.background import BackgroundWork
from ..application.call import NullProgress, ProgressReporter, ToolCall
from ..application.pipeline import CallPipeline
from ..domain.caller import Caller
from ..domain.errors import ConfigurationError
from .container import Container, start, stop

STOP_SECONDS = 5.0
"""How long closing the resources may take when the app stops (also when it stops because it was cancelled)."""


class Dispatcher:
    """Builds the ``ToolCall`` for one invocation (caller, progress, OpenRouter attribution) and runs it through
    the pipeline: the MCP tools, the HTTP service and the Python API all call tools this way."""

    def __init__(self, pipeline: CallPipeline, *, salt: str) -> None:
        self._pipeline = pipeline
        self._salt = salt

    @property
    def pipeline(self) -> CallPipeline:
        return self._pipeline

    async def dispatch(self, tool: str, command: Any, caller: Caller,
                       progress: ProgressReporter | None = None) -> Any:
        call = ToolCall(tool, command, caller, progress or NullProgress(), caller.attribution(self._salt))
        return await self._pipeline.dispatch(call)


class AppRuntime:
    """Opens the container's resources once for however many sessions run inside it, and closes them after the
    last one, all in the running event loop.

    Why counted: stdio runs one session, the in-memory client one per connection, and the legacy SSE
    transport one per client; the HTTP clients and the state store must outlive any single session.
    Work left running in the background (a chat past its wait) belongs to the app too: the last
    session's end drains it before the resources close.
    How it fails: ``dispatcher`` outside ``running`` is CONFIGURATION ("not started" / "closed").
    """

    def __init__(self, container: Container) -> None:
        self.container = container
        self._users = 0
        self._dispatcher: Dispatcher | None = None
        self._gate: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Lock())
        return self._gate[1]

    @property
    def started(self) -> bool:
        return self._dispatcher is not None

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            raise ConfigurationError("the server is not running: call tools inside its session "
                                     "(or inside 'async with' for the Python API).")
        return self._dispatcher

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Dispatcher]:
        async with self._lock():
            self._users += 1
            if self._users == 1:
                try:
                    pipeline = await start(self.container)
                except BaseException:
                    self._users -= 1
                    await stop(self.container)
                    raise
                self._dispatcher = Dispatcher(pipeline, salt=self.container.settings().user_id_salt)
            dispatcher = self.dispatcher
        try:
            yield dispatcher
        finally:
            grace = self.container.settings().shutdown_grace_ms / 1000
            with anyio.move_on_after(STOP_SECONDS + grace, shield=True):
                async with self._lock():
                    self._users -= 1
                    if self._users == 0:
                        await self._drain(grace)
                        self._dispatcher = None
                        await stop(self.container)

    async def _drain(self, grace_s: float) -> None:
        """Background work (chats left running) gets ``shutdown_grace_ms`` to finish, then is stopped and records
        so, while the store is still open."""
        work: BackgroundWork = self.container.core.background()
        await work.drain(grace_s, STOP_SECONDS)
