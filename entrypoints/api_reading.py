"""Python API methods that read: chat, media analysis, the model catalogue, health and usage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..application.catalog_queries import ModelPage, ModelQuery, ModelSearch, Validation
from ..application.health import HealthQuery, HealthReport
from ..application.media_analysis import AnalysisResult, AnalyzeMedia
from ..application.usage import UsageQuery, UsageReport
from ..domain.caller import Caller
from ..domain.chat import ChatMessage, ChatRequest, ChatResult, ResponseCache
from ..domain.library import LibraryPage, LibraryQuery
from ..domain.media import MediaKind
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from .api_base import ApiBase, chat_messages
from .provider_options import routing


class ReadingMethods(ApiBase):
    async def chat_completion(
        self, messages: str | Sequence[Mapping[str, Any] | ChatMessage], *, model: str | None = None,
        temperature: float | None = None, max_tokens: int | None = None, provider: Mapping[str, Any] | None = None,
        include_reasoning: bool | None = None, online: bool = False, web_max_results: int | None = None,
        cache: bool | None = None, cache_ttl: str | None = None, cache_clear: bool = False,
        caller: Caller | None = None,
    ) -> ChatResult:
        """One conversation turn; ``.text``, ``.model``, ``.usage`` (``.usage.cost`` in USD)."""
        request = ChatRequest(messages=chat_messages(messages), model=ModelId.parse(model) if model else None,
                              temperature=temperature, max_tokens=max_tokens,
                              provider=routing(dict(provider) if provider else None),
                              include_reasoning=include_reasoning, online=online, web_max_results=web_max_results,
                              cache=ResponseCache(enabled=cache, ttl=cache_ttl, clear=cache_clear))
        result: ChatResult = await self._call("chat_completion", request, caller)
        return result

    async def _analyze(self, kind: MediaKind, sources: tuple[str, ...], question: str | None, model: str | None,
                       max_tokens: int | None, send_original: bool, caller: Caller | None) -> AnalysisResult:
        command = AnalyzeMedia(kind, sources, question, model, send_original, max_tokens=max_tokens)
        result: AnalysisResult = await self._call(f"analyze_{kind.value}", command, caller)
        return result

    async def analyze_image(self, image: str, *, images: Sequence[str] = (), question: str | None = None,
                            model: str | None = None, max_tokens: int | None = None, send_original: bool = False,
                            caller: Caller | None = None) -> AnalysisResult:
        """Ask about an image (path, URL or data URL), or compare it with ``images``; ``.text`` is the answer."""
        sources = tuple(dict.fromkeys((image, *images)))
        return await self._analyze(MediaKind.IMAGE, sources, question, model, max_tokens, send_original, caller)

    async def analyze_audio(self, audio: str, *, question: str | None = None, model: str | None = None,
                            max_tokens: int | None = None, caller: Caller | None = None) -> AnalysisResult:
        return await self._analyze(MediaKind.AUDIO, (audio,), question, model, max_tokens, False, caller)

    async def analyze_video(self, video: str, *, question: str | None = None, model: str | None = None,
                            max_tokens: int | None = None, caller: Caller | None = None) -> AnalysisResult:
        return await self._analyze(MediaKind.VIDEO, (video,), question, model, max_tokens, False, caller)

    async def search_models(self, query: str | None = None, *, provider: str | None = None,
                            input: Sequence[str] = (), output: Sequence[str] = (), free_only: bool = False,
                            limit: int = 20, offset: int = 0, caller: Caller | None = None) -> ModelPage:
        search = ModelSearch(query=query, provider=provider, input_modalities=tuple(input),
                             output_modalities=tuple(output), free_only=free_only, limit=limit, offset=offset)
        page: ModelPage = await self._call("search_models", search, caller)
        return page

    async def get_model_info(self, model: str, *, caller: Caller | None = None) -> ModelCard:
        card: ModelCard = await self._call("get_model_info", ModelQuery(model), caller)
        return card

    async def validate_model(self, model: str, *, caller: Caller | None = None) -> Validation:
        verdict: Validation = await self._call("validate_model", ModelQuery(model), caller)
        return verdict

    async def health_check(self, *, caller: Caller | None = None) -> HealthReport:
        report: HealthReport = await self._call("health_check", HealthQuery("python-api"), caller)
        return report

    async def get_usage(self, *, caller: Caller | None = None) -> UsageReport:
        report: UsageReport = await self._call("get_usage", UsageQuery(), caller)
        return report

    async def get_user_images(self, *, limit: int = 10, offset: int = 0,
                              caller: Caller | None = None) -> LibraryPage:
        """The caller's images newest first; ``.entries[i]`` is ``INDEX_{offset + i + 1}`` for any image input."""
        page: LibraryPage = await self._call("get_user_images", LibraryQuery(limit, offset), caller)
        return page
