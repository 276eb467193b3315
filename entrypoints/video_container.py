"""The use-case container for the video-generation job tools."""

from __future__ import annotations

from dependency_injector import containers, providers

from .settings import Settings


class VideoUseCases(containers.DeclarativeContainer):
    """Use cases for the video-generation job tools; ``gateways`` and ``core`` come from the composition root."""

    settings = providers.Dependency(instance_of=Settings)
    gateways = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
