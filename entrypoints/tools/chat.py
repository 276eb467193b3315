"""The chat_completion tool: schema, description and the call into the use case."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from ...domain.chat import ChatMessage, ChatRequest, ResponseCache
from ...domain.model_id import ModelId
from ...domain.provider_preferences import ProviderPreferences
from ..presenters import chat_meta, guarded, success, text
from .registry import ToolRegistry

DESCRIPTION = """Send a conversation to any OpenRouter model and return its reply (one completion, no streaming).
Use for text reasoning or chat with a specific model; for a local image/audio/video file use analyze_* instead, and find ids with search_models.
Paid per token on the model's price (':free' ids cost nothing but are rate-limited); online web search adds about $0.004 per result.
model: defaults to OPENROUTER_DEFAULT_MODEL, else the free model with the largest context; suffixes like ':nitro' (fastest), ':floor' (cheapest), ':online' pass through. Oldest non-system messages are dropped if the conversation exceeds the model's context (_meta.dropped_messages).
_meta has model served, provider, usage and cost_usd.
Errors: INVALID_INPUT (bad arguments, reasoning ran out of max_tokens), MODEL_NOT_FOUND, UNAUTHORIZED, UPSTREAM_REFUSED (credits, moderation, rate limit; see retry_after_seconds), UPSTREAM_TIMEOUT, CONFIGURATION (no key)."""


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: Annotated[str | list[dict[str, Any]], Field(
        description="Text, or OpenAI-style parts: {type:'text',text} | {type:'image_url',image_url:{url}} | ...")]


class ProviderRouting(BaseModel):
    """Provider routing; fields given here override the OPENROUTER_PROVIDER_* defaults."""

    model_config = ConfigDict(extra="forbid")
    order: list[str] | None = None
    only: list[str] | None = None
    ignore: list[str] | None = None
    quantizations: list[str] | None = None
    sort: Literal["price", "throughput", "latency"] | None = None
    require_parameters: bool | None = None
    data_collection: Literal["allow", "deny"] | None = None
    allow_fallbacks: bool | None = None
    zdr: bool | None = None

    def to_domain(self) -> ProviderPreferences:
        def tup(v: list[str] | None) -> tuple[str, ...] | None:
            return tuple(v) if v is not None else None

        return ProviderPreferences(order=tup(self.order), only=tup(self.only), ignore=tup(self.ignore),
                                   quantizations=tup(self.quantizations), sort=self.sort,
                                   require_parameters=self.require_parameters,
                                   data_collection=self.data_collection, allow_fallbacks=self.allow_fallbacks,
                                   zdr=self.zdr)


def register(registry: ToolRegistry) -> None:
    use_cases = registry.container.use_cases

    async def chat_completion(
        messages: Annotated[list[Message], Field(min_length=1, description="The conversation, oldest first.")],
        ctx: Context,
        model: Annotated[str | None, Field(description="OpenRouter model id, e.g. 'openai/gpt-4o-mini'.")] = None,
        temperature: Annotated[float | None, Field(ge=0, le=2)] = None,
        max_tokens: Annotated[int | None, Field(ge=1, description="Default OPENROUTER_MAX_TOKENS.")] = None,
        provider: ProviderRouting | None = None,
        include_reasoning: Annotated[bool | None, Field(
            description="Return the model's reasoning in _meta.reasoning.")] = None,
        online: Annotated[bool, Field(description="Add web search results (paid).")] = False,
        web_max_results: Annotated[int | None, Field(ge=1, le=25, description="Default 5.")] = None,
        cache: Annotated[bool | None, Field(description="OpenRouter response cache; repeat calls are free.")] = None,
        cache_ttl: Annotated[str | None, Field(pattern=r"^\d{1,5}[smh]$", description="e.g. '5m', '1h'.")] = None,
        cache_clear: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            request = ChatRequest(
                messages=tuple(ChatMessage(m.role, m.content if isinstance(m.content, str) else tuple(m.content))
                               for m in messages),
                model=ModelId.parse(model) if model else None,
                temperature=temperature,
                max_tokens=max_tokens,
                provider=provider.to_domain() if provider else ProviderPreferences(),
                include_reasoning=include_reasoning,
                online=online,
                web_max_results=web_max_results,
                cache=ResponseCache(enabled=cache, ttl=cache_ttl, clear=cache_clear),
            )
            result = await use_cases.chat_completion()(request)
            return success([text(result.text)], chat_meta(result, include_reasoning=bool(include_reasoning)))

        return await guarded("chat_completion", body)

    registry.add(chat_completion, title="Chat completion", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                             open_world_hint=True))
