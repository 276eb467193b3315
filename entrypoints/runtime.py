"""``AppRuntime``: one app's lifetime over its container, and the ``Dispatcher`` every entrypoint calls through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio

from ..domain.caller import Caller
from ..domain.errors import ConfigurationError
from .container import Container, start, stop

if TYPE_CHECKING:
    from ..application.background import BackgroundWork
    from ..application.call import ProgressReporter
    from ..application.pipeline import CallPipeline

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
        from ..application.call import NullProgress, ToolCall

        call = ToolCall(tool, command, caller, progress or NullProgress(), caller.attribution(self._salt))
        return await self._pipeline.dispatch(call)


class AppRuntime:
    """Opens the container's resources once for however many sessions run inside it, and closes them after the
    last one, all in the running event loop.

    Why counted: stdio runs one session, the in-memory client one per connection, and the legacy SSE
    transport one per client; the HTTP clients and the state store must outlive any single session.
    Work left running in the background (a chat past its wait) belongs to the app too: the last
    session's end drains it before the resources close.
    Why ``serving`` starts nothing: an MCP session's first answers (``initialize``, ``tools/list``) need
    no adapter, so the stdio server answers them without importing or opening any; the first call
    that needs the app (``ready``) starts it. A start that fails or is cancelled closes what it opened,
    and the next call tries again.
    How it fails: ``dispatcher`` before the app started, or ``ready`` outside ``running``/``serving``, is
    CONFIGURATION ("not started" / "closed").
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
            raise _not_running()
        return self._dispatcher

    async def ready(self) -> Dispatcher:
        """The dispatcher, starting the app first if this is the first call of a ``serving`` session."""
        if self._dispatcher is not None:
            return self._dispatcher
        async with self._lock():
            if self._users == 0:
                raise _not_running()
            if self._dispatcher is None:
                await self._start()
            return self.dispatcher

    async def _start(self) -> None:
        try:
            pipeline = await start(self.container)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await stop(self.container)
            raise
        self._dispatcher = Dispatcher(pipeline, salt=self.container.settings().user_id_salt)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Dispatcher]:
        """One user of the app, started now (the Python API and the HTTP service)."""
        async with self._session(start_now=True):
            yield self.dispatcher

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        """One user of the app, started by its first ``ready`` (an MCP session's lifespan)."""
        async with self._session(start_now=False):
            yield

    @asynccontextmanager
    async def _session(self, *, start_now: bool) -> AsyncIterator[None]:
        async with self._lock():
            self._users += 1
            if start_now and self._dispatcher is None:
                try:
                    await self._start()
                except BaseException:
                    self._users -= 1
                    raise
        try:
            yield
        finally:
            grace = self.container.settings().shutdown_grace_ms / 1000
            with anyio.move_on_after(STOP_SECONDS + grace, shield=True):
                async with self._lock():
                    self._users -= 1
                    if self._users == 0:
                        if self._dispatcher is not None:
                            await self._drain(grace)
                            self._dispatcher = None
                        await stop(self.container)

    async def _drain(self, grace_s: float) -> None:
        """Background work (chats left running) gets ``shutdown_grace_ms`` to finish, then is stopped and records
        so, while the store is still open."""
        work: BackgroundWork = self.container.core.background()
        await work.drain(grace_s, STOP_SECONDS)


def _not_running() -> ConfigurationError:
    return ConfigurationError("the server is not running: call tools inside its session "
                              "(or inside 'async with' for the Python API).")
