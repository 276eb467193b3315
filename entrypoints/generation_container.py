"""The use-case container for generate_image, generate_audio and rerank_documents."""

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
    """Use cases for images, speech and rerank; ``gateways`` and ``core`` come from the composition root."""

    settings = providers.Dependency(instance_of=Settings)
    gateways = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    generate_image = providers.Factory(
        GenerateImage, gateways.image_generator, gateways.output_store, core.media_loader, gateways.image_preparer,
        gateways.image_preparer, core.model_catalog, gateways.chat, gateways.audit,
        providers.Callable(image_defaults, settings))
    generate_audio = providers.Factory(
        GenerateAudio, gateways.speech_generator, gateways.output_store, gateways.chat, gateways.audit,
        providers.Callable(speech_defaults, settings))
    rerank_documents = providers.Factory(
        RerankDocuments, gateways.reranker, gateways.chat, gateways.audit,
        providers.Callable(rerank_defaults, settings))
