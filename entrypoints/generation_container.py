"""The generation use cases: generate_image, generate_audio, transcribe_audio, embed_texts and rerank_documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from .deferred import deferred
from .settings import Settings

if TYPE_CHECKING:
    from ..application.embedding import EmbeddingDefaults
    from ..application.image_generation import ImageDefaults
    from ..application.media_models import MediaModels
    from ..application.model_catalog import ModelCatalog
    from ..application.ports import Clock
    from ..application.rerank import RerankDefaults
    from ..application.speech_generation import SpeechDefaults
    from ..application.transcription import TranscriptionDefaults


def image_defaults(settings: Settings) -> ImageDefaults:
    from ..application.image_generation import ImageDefaults

    return ImageDefaults(model=settings.default_image_model, preview_max_dimension=settings.preview_max_dimension,
                         inline_max_bytes=settings.image_inline_max_bytes)


def speech_defaults(settings: Settings) -> SpeechDefaults:
    from ..application.speech_generation import SpeechDefaults

    return SpeechDefaults(model=settings.default_speech_model, tts_model=settings.default_tts_model,
                          inline_max_bytes=settings.audio_inline_max_bytes)


def transcription_defaults(settings: Settings) -> TranscriptionDefaults:
    from ..application.transcription import TranscriptionDefaults

    return TranscriptionDefaults(model=settings.default_transcription_model,
                                 chunk_seconds=settings.transcription_chunk_seconds,
                                 chunk_bytes=settings.transcription_chunk_bytes)


def embedding_defaults(settings: Settings) -> EmbeddingDefaults:
    from ..application.embedding import EmbeddingDefaults

    return EmbeddingDefaults(model=settings.default_embedding_model,
                             inline_max_values=settings.embedding_inline_max_values)


def media_models(settings: Settings, catalog: ModelCatalog, sources: Mapping[str, Any], clock: Clock) -> MediaModels:
    """The chat catalogue plus one cached catalogue per dedicated listing, all on the catalogue's TTL."""
    from ..application.media_models import Listing, MediaModels
    from ..application.model_catalog import ModelCatalog

    ttl = settings.model_cache_ttl_ms / 1000
    return MediaModels(catalog=catalog, listings={
        Listing(name): ModelCatalog(source=source, clock=clock, ttl_seconds=ttl) for name, source in sources.items()})


def rerank_defaults(settings: Settings) -> RerankDefaults:
    from ..application.rerank import RerankDefaults

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
    router = providers.Singleton(deferred("application.image_routing:ImageRouter"), models=models,
                                 example=settings.provided.default_image_model)
    generate_image = providers.Factory(
        deferred("application.image_generation:GenerateImage"), generator=upstream.images,
        images_endpoint=upstream.images_api, router=router, outputs=storage.spaces, loader=core.media_loader,
        preparer=media.images, previewer=media.images, costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Singleton(image_defaults, settings=settings), library=library.images)
    generate_audio = providers.Factory(
        deferred("application.speech_generation:GenerateAudio"), generator=upstream.speech, synthesizer=upstream.tts,
        models=models, outputs=storage.spaces, costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Singleton(speech_defaults, settings=settings))
    transcribe_audio = providers.Factory(
        deferred("application.transcription:TranscribeAudio"), transcriber=upstream.transcriptions,
        loader=core.media_loader, models=models, outputs=storage.spaces, costs=upstream.generations,
        credentials=upstream.http, defaults=providers.Singleton(transcription_defaults, settings=settings))
    embed_texts = providers.Factory(
        deferred("application.embedding:EmbedTexts"), embedder=upstream.embeddings, models=models,
        outputs=storage.spaces, costs=upstream.generations, credentials=upstream.http,
        defaults=providers.Singleton(embedding_defaults, settings=settings))
    rerank_documents = providers.Factory(
        deferred("application.rerank:RerankDocuments"), reranker=upstream.reranker, credentials=upstream.http,
        defaults=providers.Singleton(rerank_defaults, settings=settings))
