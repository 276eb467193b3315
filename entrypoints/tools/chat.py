"""The chat_completion tool: schema, description and the call into the use case."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ...domain.chat import ChatMessage, ChatRequest, ResponseCache
from ...domain.model_id import ModelId
from ..presenters import chat_meta, guarded, success, text
from ..provider_options import PROVIDER_HELP, routing
from .fields import CONTENT_PART, MESSAGE_MAX, PARTS_MAX, CacheTtl, MaxTokens, Model, ProviderOptions
from .jobs import present_started
from .registry import ToolRegistry

DESCRIPTION = """Send a conversation to one OpenRouter model; returns its reply. Paid per token (':free' ids cost nothing but are rate-limited; online search costs extra).
For text; analyze_* reads files. Default model: the server's, else the largest free one. Oldest non-system messages are dropped to fit the context (_meta.dropped_messages).
Waits max_wait_ms (default 45 s); a slower answer is JOB_STILL_RUNNING + job_id for get_job_status, not an error.
Errors: INVALID_INPUT (also reasoning used up max_tokens), MODEL_NOT_FOUND, UPSTREAM_REFUSED (credits, moderation, rate limit)."""


ContentPart = Annotated[dict[str, Any], BeforeValidator(CONTENT_PART)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: Annotated[Annotated[str, Field(max_length=MESSAGE_MAX)] | Annotated[list[ContentPart], Field(
        max_length=PARTS_MAX)], Field(description="Text, or OpenAI-style content parts.")]


def register(registry: ToolRegistry) -> None:
    async def chat_completion(
        ctx: Context,
        messages: Annotated[list[Message], Field(min_length=1, max_length=1000, description="Oldest first.")],
        model: Annotated[Model, Field(description="e.g. 'openai/gpt-4o-mini'.")] = None,
        temperature: Annotated[float | None, Field(ge=0, le=2)] = None,
        max_tokens: MaxTokens = None,
        provider: Annotated[ProviderOptions, Field(description=PROVIDER_HELP)] = None,
        include_reasoning: Annotated[bool | None, Field(description="Put the reasoning in _meta.reasoning.")] = None,
        online: Annotated[bool, Field(description="Web search (paid).")] = False,
        web_max_results: Annotated[int | None, Field(ge=1, le=25)] = None,
        cache: Annotated[bool | None, Field(description="Repeats free for cache_ttl (e.g. '5m'); cache_clear forces a fresh call.")] = None,
        cache_ttl: CacheTtl = None,
        cache_clear: bool = False,
        max_wait_ms: Annotated[int | None, Field(ge=0, le=600_000)] = None,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.chat_jobs import ChatJobStarted

            request = ChatRequest(
                messages=tuple(ChatMessage(m.role, m.content if isinstance(m.content, str) else tuple(m.content))
                               for m in messages),
                model=ModelId.parse(model) if model else None,
                temperature=temperature,
                max_tokens=max_tokens,
                provider=routing(provider),
                include_reasoning=include_reasoning,
                online=online,
                web_max_results=web_max_results,
                cache=ResponseCache(enabled=cache, ttl=cache_ttl, clear=cache_clear),
                max_wait_ms=registry.settings.chat_max_wait_ms if max_wait_ms is None else max_wait_ms,
            )
            result = await registry.dispatch("chat_completion", request, ctx)
            if isinstance(result, ChatJobStarted):
                return present_started(result)
            return success([text(result.text)], chat_meta(result))

        return await guarded("chat_completion", body)

    registry.add(chat_completion, title="Chat completion", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                             open_world_hint=True))
