"""The chat_completion tool: schema, description and the call into the use case."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ...domain.chat import ChatMessage, ChatRequest, ResponseCache
from ...domain.errors import InvalidInput
from ...domain.model_id import ModelId
from ...domain.provider_preferences import ProviderPreferences
from ..presenters import chat_meta, guarded, success, text
from .fields import CONTENT_PART, MESSAGE_MAX, PARTS_MAX, CacheTtl, MaxTokens, Model, ProviderOptions
from .registry import ToolRegistry

DESCRIPTION = """Send a conversation to one OpenRouter model and return its reply (no streaming).
Use for text work with a chosen model; use analyze_* for files, search_models to find ids.
Costs the model's per-token price; ':free' ids cost nothing but are rate-limited; online search is extra.
model defaults to OPENROUTER_DEFAULT_MODEL, else the free model with the largest context; variants (':nitro', ':floor', ':online') pass through. Oldest non-system messages are dropped when the conversation exceeds the context (_meta.dropped_messages). _meta: model, provider, usage, cost_usd.
Errors: INVALID_INPUT (also when reasoning used up max_tokens), MODEL_NOT_FOUND, UNAUTHORIZED, UPSTREAM_REFUSED (credits, moderation, rate limit with retry_after_seconds), UPSTREAM_TIMEOUT, CONFIGURATION."""


ContentPart = Annotated[dict[str, Any], BeforeValidator(CONTENT_PART)]
RoutingList = Annotated[list[Annotated[str, Field(max_length=100)]] | None, Field(max_length=50)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: Annotated[Annotated[str, Field(max_length=MESSAGE_MAX)] | Annotated[list[ContentPart], Field(
        max_length=PARTS_MAX)], Field(description="Text, or OpenAI-style content parts.")]


class ProviderRouting(BaseModel):
    """Provider routing; fields given here override the OPENROUTER_PROVIDER_* defaults."""

    model_config = ConfigDict(extra="forbid")
    order: RoutingList = None
    only: RoutingList = None
    ignore: RoutingList = None
    quantizations: RoutingList = None
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


PROVIDER_HELP = ("Routing over the OPENROUTER_PROVIDER_* defaults: order, only, ignore, quantizations (lists), "
                 "sort (price|throughput|latency), data_collection (allow|deny), require_parameters, "
                 "allow_fallbacks, zdr (booleans).")


def routing(raw: dict[str, Any] | None) -> ProviderPreferences:
    """Validate the free-form ``provider`` object; errors name the field (``provider.sort``)."""
    if not raw:
        return ProviderPreferences()
    try:
        return ProviderRouting.model_validate(raw).to_domain()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(["provider", *(str(p) for p in err["loc"])])
        raise InvalidInput(f"invalid argument '{field}': {err['msg']}.") from None


def register(registry: ToolRegistry) -> None:
    async def chat_completion(
        ctx: Context,
        messages: Annotated[list[Message], Field(min_length=1, max_length=1000, description="Oldest first.")],
        model: Annotated[Model, Field(description="e.g. 'openai/gpt-4o-mini'.")] = None,
        temperature: Annotated[float | None, Field(ge=0, le=2)] = None,
        max_tokens: Annotated[MaxTokens, Field(description="Default OPENROUTER_MAX_TOKENS.")] = None,
        provider: Annotated[ProviderOptions, Field(description=PROVIDER_HELP)] = None,
        include_reasoning: Annotated[bool | None, Field(description="Put the reasoning in _meta.reasoning.")] = None,
        online: Annotated[bool, Field(description="Web search (paid).")] = False,
        web_max_results: Annotated[int | None, Field(ge=1, le=25)] = None,
        cache: Annotated[bool | None, Field(description="Response cache: repeats are free.")] = None,
        cache_ttl: CacheTtl = None,
        cache_clear: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
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
            )
            result = await registry.dispatch("chat_completion", request, ctx)
            return success([text(result.text)], chat_meta(result))

        return await guarded("chat_completion", body)

    registry.add(chat_completion, title="Chat completion", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                                             open_world_hint=True))
