"""The use-case container for generate_image, generate_audio and rerank_documents."""

from __future__ import annotations

from dependency_injector import containers, providers

from .settings import Settings


class GenerationUseCases(containers.DeclarativeContainer):
    """Use cases for images, speech and rerank; ``gateways`` and ``core`` come from the composition root."""

    settings = providers.Dependency(instance_of=Settings)
    gateways = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
