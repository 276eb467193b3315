"""The analyze_image / analyze_audio / analyze_video use case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..domain.chat import ChatMessage, ChatRequest, ChatResult, InlineImage, ResponseCache
from ..domain.errors import InvalidInput, OpenRouterMcpError, UpstreamError
from ..domain.media import MediaKind
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from ..domain.setting_refs import setting
from .call import ToolCall
from .chat_completion import answer_or_raise
from .image_ports import ImagePreparer
from .media_loading import LoadedMedia, MediaLoader
from .model_catalog import ModelCatalog
from .model_choice import choose_model, ensure_listed, readable_models, suggest_close_models
from .ports import ChatCompletions, Credentials, MediaChatCompletions, StreamedAttachment

MAX_IMAGES = 8
DEFAULT_QUESTIONS = {
    MediaKind.IMAGE: "What's in this image?",
    MediaKind.AUDIO: "Transcribe this audio, then summarise it.",
    MediaKind.VIDEO: "Describe what happens in this video, step by step.",
}

DEFAULT_MODEL_SETTINGS = {MediaKind.IMAGE: setting("default_vision_model"),
                          MediaKind.AUDIO: setting("default_audio_model"),
                          MediaKind.VIDEO: setting("default_video_model")}


@dataclass(frozen=True, slots=True)
class AnalysisDefaults:
    models: dict[MediaKind, str | None] = field(default_factory=dict)
    default_model: str | None = None
    image_max_dimension: int = 800
    image_jpeg_quality: int = 80
    max_tokens: int | None = None
    cache_responses: bool = False


@dataclass(frozen=True, slots=True)
class AnalyzeMedia:
    kind: MediaKind
    sources: tuple[str, ...]
    question: str | None = None
    model: str | None = None
    send_original: bool = False
    cache: ResponseCache = field(default_factory=ResponseCache)
    cache_input: bool = False
    max_tokens: int | None = None

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.question or "", max_tokens=self.max_tokens,
                         images=len(self.sources) if self.kind is MediaKind.IMAGE else 0)


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    answer: ChatResult
    sent: tuple[dict[str, Any], ...]
    model_selected_automatically: bool = False

    @property
    def billing(self) -> Billing:
        return self.answer.billing

    @property
    def text(self) -> str:
        return self.answer.text

    @property
    def model(self) -> str:
        return self.answer.model


class AnalyzeMediaUseCase:
    """Asks a model about images, audio or video the caller points at.

    Every input is loaded and checked first (sandbox, SSRF guard, size caps, format), so a
    refused path or address never costs an upstream request. Then the model is chosen: the
    caller's, else the kind's configured default, else the ``default_model`` setting only if
    the catalogue says it takes this modality, else the best free model that does. A model
    the catalogue says cannot take the modality is INVALID_INPUT naming models that can.
    Images are prepared (rotated, flattened, shrunk) and sent inline; audio and video are
    streamed as base64 so their size does not multiply in memory.
    """

    def __init__(self, *, loader: MediaLoader, images: ImagePreparer, chat: ChatCompletions,
                 media_chat: MediaChatCompletions, catalog: ModelCatalog, credentials: Credentials,
                 defaults: AnalysisDefaults) -> None:
        self._loader = loader
        self._images = images
        self._chat = chat
        self._media_chat = media_chat
        self._catalog = catalog
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[AnalyzeMedia]) -> AnalysisResult:
        self._credentials.ensure_configured()
        command = call.command
        kind = command.kind
        if not command.sources:
            raise InvalidInput(f"pass the {kind.value} to analyze: a file path, an http(s) URL or a data: URL.")
        limit = MAX_IMAGES if kind is MediaKind.IMAGE else 1
        if len(command.sources) > limit:
            raise InvalidInput(f"at most {limit} {kind.value}(s) per call; got {len(command.sources)}.")
        loaded = [await self._loader.load(raw, kind, call.caller) for raw in command.sources]
        model, auto = await self._model_for(command)
        question = (command.question or "").strip() or DEFAULT_QUESTIONS[kind]
        cache = command.cache if command.cache.enabled is not None else replace(
            command.cache, enabled=self._defaults.cache_responses)
        request = ChatRequest(messages=(ChatMessage("user", question),), model=model, cache=cache,
                              max_tokens=command.max_tokens or self._defaults.max_tokens,
                              attribution=call.attribution)
        try:
            if kind is MediaKind.IMAGE:
                parts, sent = await self._image_parts(loaded, command)
                request = replace(request,
                                  messages=(ChatMessage("user", (question, *parts)),))
                answer = await self._chat.complete(request)
            else:
                media = loaded[0]
                answer = await self._media_chat.complete_with_attachment(request,
                                                                         _attachment(media, command.cache_input))
                sent = [media.describe()]
        except OpenRouterMcpError as exc:
            raise await suggest_close_models(exc, model, self._catalog) from None
        return AnalysisResult(answer_or_raise(answer, request.max_tokens), tuple(sent), auto)

    async def _model_for(self, command: AnalyzeMedia) -> tuple[ModelId, bool]:
        modality = command.kind.value
        configured = self._defaults.models.get(command.kind)
        requested = command.model or configured
        model, auto = await choose_model(requested, self._defaults.default_model, self._catalog, modality)
        if not auto:
            source = None if command.model else (DEFAULT_MODEL_SETTINGS[command.kind] if configured
                                                 else setting("default_model"))
            ensure_listed(model, await readable_models(self._catalog), source)
        try:
            card = await self._catalog.get(str(model))
        except UpstreamError:
            return model, auto
        if card is not None and not card.accepts(modality):
            models = await self._catalog.models()
            able = [c.id for c in models.values() if c.accepts(modality) and c.produces("text")]
            able.sort(key=lambda mid: (not models[mid].is_free, mid))
            raise InvalidInput(
                f"model '{model}' does not accept {modality} input: choose one that does, "
                f"e.g. {', '.join(able[:3]) or 'see search_models'}.",
                suggestions=tuple(able[:5]))
        return model, auto

    async def _image_parts(self, loaded: list[LoadedMedia],
                           command: AnalyzeMedia) -> tuple[list[InlineImage], list[dict[str, Any]]]:
        parts: list[InlineImage] = []
        sent: list[dict[str, Any]] = []
        for media in loaded:
            assert media.data is not None
            prepared = await self._images.prepare(
                media.data, max_dimension=self._defaults.image_max_dimension,
                jpeg_quality=self._defaults.image_jpeg_quality, keep_original=command.send_original)
            parts.append(InlineImage(prepared.mime, prepared.data, cache=command.cache_input))
            sent.append({**media.describe(), "sent_mime": prepared.mime, "sent_bytes": len(prepared.data),
                         "width": prepared.width, "height": prepared.height,
                         "original_width": prepared.original_width, "original_height": prepared.original_height,
                         "passed_through": prepared.passed_through})
        return parts, sent


def _attachment(media: LoadedMedia, cache_input: bool) -> StreamedAttachment:
    chunks = media.chunks
    if chunks is None and media.data is not None:
        data = media.data

        async def from_memory() -> AsyncIterator[bytes]:
            view = memoryview(data)
            for start in range(0, len(view), 1 << 20):
                yield bytes(view[start : start + (1 << 20)])

        chunks = from_memory
    return StreamedAttachment(kind=media.kind, mime=media.format.mime, size=media.size,
                              audio_format=media.format.audio_format, chunks=chunks if media.base64 is None else None,
                              base64=media.base64, cache_control=cache_input)
