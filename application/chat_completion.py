"""The chat_completion use case: defaults, context fitting, honest empty answers, and answers that come late."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..domain.chat import ChatMessage, ChatRequest, ChatResult, ResponseCache, fit_to_context
from ..domain.errors import InvalidInput, OpenRouterMcpError, UpstreamError
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from ..domain.provider_preferences import ProviderPreferences
from ..domain.setting_refs import setting
from .call import ToolCall
from .chat_jobs import ChatJobs, ChatJobStarted
from .model_catalog import ModelCatalog
from .model_choice import card_in, choose_model, ensure_listed, readable_models, suggest_close_models
from .ports import ChatCompletions, Credentials

DEFAULT_COMPLETION_RESERVE = 4096


@dataclass(frozen=True, slots=True)
class ChatDefaults:
    default_model: str | None = None
    max_tokens: int | None = None
    provider: ProviderPreferences = field(default_factory=ProviderPreferences)
    include_reasoning: bool = False
    cache_responses: bool = False


class ChatCompletion:
    """Runs one chat turn against OpenRouter.

    Fills what the caller left out (model, max_tokens, provider routing, response cache)
    from ``ChatDefaults``; when no model is named anywhere it picks the free model with the
    largest context. An id the catalogue does not list is MODEL_NOT_FOUND with the closest ids
    before anything is paid; an upstream MODEL_NOT_FOUND gets the same suggestions. A conversation
    longer than the model's window loses its oldest non-system messages and says so in ``notes``.
    A reasoning model that spends all of ``max_tokens`` thinking raises INVALID_INPUT telling the
    caller to raise it. With ``max_wait_ms`` an answer that takes longer is left running as a job
    (``ChatJobs``) and the call returns ``ChatJobStarted``.
    """

    def __init__(self, *, upstream: ChatCompletions, catalog: ModelCatalog, credentials: Credentials,
                 defaults: ChatDefaults, jobs: ChatJobs) -> None:
        self._upstream = upstream
        self._catalog = catalog
        self._credentials = credentials
        self._defaults = defaults
        self._jobs = jobs

    async def __call__(self, call: ToolCall[ChatRequest]) -> ChatResult | ChatJobStarted:
        self._credentials.ensure_configured()
        request = call.command
        model, auto = await choose_model(str(request.model) if request.model else None,
                                         self._defaults.default_model, self._catalog)
        models = await readable_models(self._catalog)
        if not auto:
            ensure_listed(model, models, None if request.model else setting("default_model"))
        max_tokens = request.max_tokens or self._defaults.max_tokens
        card = card_in(models, model)
        messages, dropped = _fit(request, card, max_tokens)
        cache = request.cache
        if cache.enabled is None:
            cache = ResponseCache(enabled=self._defaults.cache_responses, ttl=cache.ttl, clear=cache.clear)
        prepared = replace(
            request,
            model=model,
            messages=messages,
            max_tokens=max_tokens,
            provider=request.provider.merged_over(self._defaults.provider),
            include_reasoning=(request.include_reasoning if request.include_reasoning is not None
                               else self._defaults.include_reasoning),
            cache=cache,
            attribution=call.attribution,
        )
        notes: dict[str, Any] = {"model_selected_automatically": True} if auto else {}
        if dropped:
            notes["dropped_messages"] = dropped
        answer = self._answer(prepared, model, notes)
        if request.max_wait_ms is None:
            return await answer
        return await self._jobs.run(call, answer, model=str(model), prompt=request.facts().prompt,
                                    max_wait_s=request.max_wait_ms / 1000)

    async def _answer(self, prepared: ChatRequest, model: ModelId, notes: dict[str, Any]) -> ChatResult:
        try:
            result = await self._upstream.complete(prepared)
        except OpenRouterMcpError as exc:
            raise await suggest_close_models(exc, model, self._catalog) from None
        result = answer_or_raise(result, prepared.max_tokens)
        return replace(result, notes={**result.notes, **notes},
                       reasoning_requested=prepared.include_reasoning is True)


def _fit(request: ChatRequest, card: ModelCard | None,
         max_tokens: int | None) -> tuple[tuple[ChatMessage, ...], int]:
    if card is None or not card.context_length:
        return request.messages, 0
    reserve = max_tokens or min(card.max_completion_tokens or DEFAULT_COMPLETION_RESERVE,
                                DEFAULT_COMPLETION_RESERVE, card.context_length // 4)
    return fit_to_context(request.messages, card.context_length, reserve)


def answer_or_raise(result: ChatResult, max_tokens: int | None) -> ChatResult:
    if result.text.strip():
        return result
    if result.reasoning and result.finish_reason == "length":
        raise InvalidInput(
            f"the model spent all of max_tokens ({max_tokens or 'its default'}) reasoning and gave no answer: "
            "raise max_tokens or choose a non-reasoning model.",
            details={"finish_reason": result.finish_reason, "reasoning_preview": result.reasoning[:200]},
        )
    if result.reasoning:
        return replace(result, text=result.reasoning, notes={**result.notes, "answer_from_reasoning": True})
    raise UpstreamError(
        f"the model returned an empty answer (finish_reason={result.finish_reason}): retry or try another model.",
        details={"finish_reason": result.finish_reason, "native_finish_reason": result.native_finish_reason},
    )
