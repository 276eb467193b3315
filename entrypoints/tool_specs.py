"""Every tool this server offers, whether it costs money, and which use case handles it."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dependency_injector import providers

    from ..application.pipeline_ports import Handler, ToolSpec

PAID_TOOLS = ("chat_completion", "analyze_image", "analyze_audio", "analyze_video", "generate_image",
              "generate_audio", "rerank_documents", "generate_video", "generate_video_from_image", "transcribe_audio",
              "embed_texts")
FREE_TOOLS = ("get_video_status", "list_video_jobs", "get_job_status", "cancel_job", "search_models",
              "get_model_info", "validate_model", "health_check", "get_usage", "get_user_images")
TOOL_NAMES = frozenset((*PAID_TOOLS, *FREE_TOOLS))


def tool_specs() -> dict[str, ToolSpec]:
    from ..application.pipeline_ports import ToolSpec

    return {**{name: ToolSpec(name, paid=True) for name in PAID_TOOLS},
            **{name: ToolSpec(name, paid=False) for name in FREE_TOOLS}}


class ContainerHandlers:
    """The ``HandlerSource`` port over the container: each call gets a use case built from its provider.

    Providers that depend on async resources hand back an awaitable; it is awaited here, the one
    place that knows dependency-injector's async mode.
    """

    def __init__(self, *, handlers: Mapping[str, providers.Provider[Any]]) -> None:
        self._handlers = dict(handlers)

    async def handler_for(self, tool: str) -> Handler:
        built = self._handlers[tool]()
        handler: Handler = await built if inspect.isawaitable(built) else built
        return handler
