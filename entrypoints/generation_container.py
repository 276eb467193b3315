"""The generation use cases: generate_image, generate_audio, transcribe_audio, embed_texts and rerank_documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dependency_injector import containers, providers

from ..application.embedding import EmbeddingDefaults, EmbedTexts
from ..application.image_generation import GenerateImage, ImageDefaults
from ..application.image_routing import ImageRouter
from ..application.media_models import Listing, MediaModels
from ..application.model_catalog import ModelCatalog
from ..application.ports import Clock
from ..application.rerank import RerankDefaults, RerankDocuments
from ..application.speech_generation import GenerateAudio, SpeechDefaults
from ..application.transcription import TranscribeAudio, TranscriptionDefaults
from .settings import Settings


def image_defaults(settings: Settings) -> ImageDefaults:
    return ImageDefaults(model=settings.default_image_model, preview_max_dimension=settings.preview_max_dimension,
                         inline_max_bytes=settings.image_inline_max_bytes)


def speech_defaults(settings: Settings) -> SpeechDefaults:
    return SpeechDefaults(model=settings.default_speech_model, tts_model=settings.default_tts_model,
                          inline_max_bytes=settings.audio_inline_max_bytes)


def transcription_defaults(settings: Settings) -> TranscriptionDefaults:
    return TranscriptionDefaults(model=settings.default_transcription_model,
                                 chunk_seconds=settings.transcription_chunk_seconds,
                                 chunk_bytes=settings.transcription_chunk_bytes)


def embedding_defaults(settings: Settings) -> EmbeddingDefaults:
    return EmbeddingDefaults(model=settings.default_embedding_model,
                             inline_max_values=settings.embedding_inline_max_values)


def media_models(settings: Settings, catalog: ModelCatalog, sources: Mapping[str, Any], clock: Clock) -> MediaModels:
    """The chat catalogue plus one cached catalogue per dedicated listing, all on the catalogue's TTL."""
    ttl = settings.model_cache_ttl_ms / 1000
    return MediaModels(catalog=catalog, listings={
        Listing(name): ModelCatalog(source=source, clock=clock, ttl_seconds=ttl) for name, source in sources.items()})


def rerank_defaults(settings: Settings) -> RerankDefaults:
    return RerankDefaults(model=settings.default_rerank_model)


class GenerationUseCases(containers.DeclarativeContainer):
    """Images, speech, transcription, embeddings, rerank; the other containers come from the root."""

    settings = providers.Dependency(instance_of=Settings)
    upstream = providers.DependenciesContainer()
    media = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    library = providers.DependenciesContainer()
    models = providers.Singleton(media_models, settings=settings, catalog=core.catalog, sources=upstream.listings,
                                 clock=storage.clock)
    router = providers.Singleton(ImageRouter, models=models, example=settings.provided.default_image_model)
    generate_image = providers.Factory(
        GenerateImage, generator=upstream.images, images_endpoint=upstream.images_api, router=router,
        outputs=storage.spaces, loader=core.media_loader, preparer=media.images, previewer=media.images,
        costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Callable(image_defaults, settings=settings), library=library.images)
    generate_audio = providers.Factory(
        GenerateAudio, generator=upstream.speech, synthesizer=upstream.tts, models=models, outputs=storage.spaces,
        costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Callable(speech_defaults, settings=settings))
    transcribe_audio = providers.Factory(
        TranscribeAudio, transcriber=upstream.transcriptions, loader=core.media_loader, models=models,
        outputs=storage.spaces, costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Callable(transcription_defaults, settings=settings))
    embed_texts = providers.Factory(
        EmbedTexts, embedder=upstream.embeddings, models=models, outputs=storage.spaces, costs=upstream.generations,
        credentials=upstream.http, defaults=providers.Callable(embedding_defaults, settings=settings))
    rerank_documents = providers.Factory(
        RerankDocuments, reranker=upstream.reranker, credentials=upstream.http,
        defaults=providers.Callable(rerank_defaults, settings=settings))
