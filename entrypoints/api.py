"""``OpenRouterMultimodal``: every tool of the server as an async Python method, without MCP."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from ..domain.caller import Caller, local_caller
from ..domain.errors import ConfigurationError, OpenRouterMcpError
from .api_generation import GenerationMethods
from .api_reading import ReadingMethods
from .api_video import VideoMethods
from .bootstrap import bootstrap
from .runtime import AppRuntime, Dispatcher
from .setting_names import render_for_python, render_value
from .settings import ExplicitSettings, Settings, load_settings

__all__ = ["OpenRouterMultimodal"]


class OpenRouterMultimodal(ReadingMethods, GenerationMethods, VideoMethods):
    """The server's tools for Python programs: ``async with OpenRouterMultimodal(api_key=...) as app``.

    Keyword arguments are the settings (the names of the ``OPENROUTER_*`` variables without the
    prefix, in lower case: ``base_url``, ``output_dir``…); the process environment is never read,
    except by ``from_env``. Each method takes the tool's parameters as keyword arguments, returns
    the typed domain result, and raises the domain error family (``.code``, ``.message``) on
    failure. ``caller=`` on any method acts for one of the host's own users: their files, jobs,
    usage and limits are kept apart, and they cannot read the machine's local files.

    Calls go through the same pipeline as MCP (policy, audit, locks). The HTTP clients and the
    state store live from ``__aenter__`` to ``__aexit__`` in the running event loop, so one
    object can be used in one ``async with`` after another, even across ``asyncio.run`` calls.
    """

    def __init__(self, *, settings: Settings | None = None, caller: Caller | None = None, **options: Any) -> None:
        if settings is not None and options:
            raise TypeError("pass either settings= or setting keywords, not both")
        unknown = sorted(set(options) - set(Settings.model_fields))
        if unknown:
            raise TypeError(f"unknown setting(s) {', '.join(unknown)}; see the README's settings table")
        resolved = settings if settings is not None else ExplicitSettings(**options)
        container, problem = bootstrap(resolved)
        if problem:
            raise ConfigurationError(render_for_python(problem))
        self._runtime = AppRuntime(container)
        self._caller = caller or local_caller(resolved.user)
        self._session: Any = None
        self._dispatcher: Dispatcher | None = None

    @classmethod
    def from_env(cls, *, caller: Caller | None = None) -> OpenRouterMultimodal:
        """Settings from the ``OPENROUTER_*`` environment, as the stdio server reads them; a malformed
        variable raises ``ConfigurationError`` naming it."""
        settings, problem = load_settings()
        if problem:
            raise ConfigurationError(problem)
        return cls(settings=settings, caller=caller)

    @property
    def settings(self) -> Settings:
        return self._runtime.container.settings()

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise ConfigurationError("this OpenRouterMultimodal is already open: use one 'async with' at a time.")
        session = self._runtime.running()
        self._dispatcher = await session.__aenter__()
        self._session = session
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        session, self._session, self._dispatcher = self._session, None, None
        if session is not None:
            await session.__aexit__(kind, exc, tb)

    async def aclose(self) -> None:
        """Close what ``async with`` opened (for code that cannot use ``async with``)."""
        await self.__aexit__(None, None, None)

    async def _call(self, tool: str, command: Any, caller: Caller | None) -> Any:
        if self._dispatcher is None:
            raise ConfigurationError(f"{tool}: this OpenRouterMultimodal is not open: call it inside "
                                     "'async with OpenRouterMultimodal(...) as app:' (it is closed after the block).")
        try:
            return await self._dispatcher.dispatch(tool, command, caller or self._caller)
        except OpenRouterMcpError as error:
            error.message = render_for_python(error.message)
            error.args = (error.message,)
            error.suggestions = tuple(render_for_python(s) for s in error.suggestions)
            error.details = render_value(error.details, render_for_python)
            raise
