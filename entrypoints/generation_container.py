"""The generation use cases: generate_image, generate_audio and rerank_documents."""

from __future__ import annotations

from dependency_injector import containers, providers

from ..application.image_generation import GenerateImage, ImageDefaults
from ..application.rerank import RerankDefaults, RerankDocuments
from ..application.speech_generation import GenerateAudio, SpeechDefaults
from .settings import Settings


def image_defaults(settings: Settings) -> ImageDefaults:
    return ImageDefaults(model=settings.default_image_model, preview_max_dimension=settings.preview_max_dimension,
                         inline_max_bytes=settings.image_inline_max_bytes)


def speech_defaults(settings: Settings) -> SpeechDefaults:
    return SpeechDefaults(model=settings.default_speech_model, inline_max_bytes=settings.audio_inline_max_bytes)


def rerank_defaults(settings: Settings) -> RerankDefaults:
    return RerankDefaults(model=settings.default_rerank_model)


class GenerationUseCases(containers.DeclarativeContainer):
    """Images, speech and rerank; ``upstream``, ``media``, ``storage`` and ``core`` come from the root."""

    settings = providers.Dependency(instance_of=Settings)
    upstream = providers.DependenciesContainer()
    media = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    library = providers.DependenciesContainer()
    generate_image = providers.Factory(
        GenerateImage, generator=upstream.images, outputs=storage.spaces, loader=core.media_loader,
        preparer=media.images, previewer=media.images, catalog=core.catalog, credentials=upstream.http,
        defaults=providers.Callable(image_defaults, settings=settings), library=library.images)
    generate_audio = providers.Factory(
        GenerateAudio, generator=upstream.speech, outputs=storage.spaces, credentials=upstream.http,
        defaults=providers.Callable(speech_defaults, settings=settings))
    rerank_documents = providers.Factory(
        RerankDocuments, reranker=upstream.reranker, credentials=upstream.http,
        defaults=providers.Callable(rerank_defaults, settings=settings))
