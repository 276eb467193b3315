"""The composition root: one container per concern, composed by ``Container``, and the app lifecycle."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, TypeVar

from dependency_injector import containers, providers

from .core_container import CoreUseCases
from .generation_container import GenerationUseCases
from .library_container import Library
from .media_container import Media
from .pipeline_container import Calls
from .settings import Settings
from .storage_container import Storage
from .upstream_container import Upstream
from .video_container import VideoUseCases

if TYPE_CHECKING:
    from ..application.pipeline import CallPipeline

T = TypeVar("T")


class Container(containers.DeclarativeContainer):
    """``Container(settings=Settings())``; start it with ``start`` and stop it with ``stop`` in one event loop."""

    settings = providers.Dependency(instance_of=Settings)
    configuration_problem: providers.Object[str | None] = providers.Object(None)
    upstream = providers.Container(Upstream, settings=settings)
    media = providers.Container(Media, settings=settings)
    storage = providers.Container(Storage, settings=settings)
    library = providers.Container(Library, settings=settings, media=media)
    core = providers.Container(CoreUseCases, settings=settings, configuration_problem=configuration_problem,
                               upstream=upstream, media=media, storage=storage, library=library)
    generation = providers.Container(GenerationUseCases, settings=settings, upstream=upstream, media=media,
                                     storage=storage, core=core, library=library)
    video = providers.Container(VideoUseCases, settings=settings, upstream=upstream, storage=storage, core=core)
    calls = providers.Container(Calls, settings=settings, storage=storage, core=core, generation=generation,
                                video=video, library=library)


async def resolve(provider: providers.Provider[T]) -> T:
    """A provider's value, awaiting it when it depends on an async resource (dependency-injector's async mode)."""
    value: Any = provider()
    return await value if inspect.isawaitable(value) else value  # type: ignore[no-any-return]


async def start(container: Container) -> CallPipeline:
    """Open the managed resources (HTTP sessions, the state store) in the running loop; return the pipeline."""
    initialised = container.init_resources()
    if initialised is not None:
        await initialised
    return await resolve(container.calls.pipeline)


async def stop(container: Container) -> None:
    """Close the resources and forget every singleton, so a later ``start`` (even in another event loop)
    builds fresh ones. Nothing is built here that was not used: no client, no TLS context."""
    try:
        shut = container.shutdown_resources()
        if shut is not None:
            await shut
    finally:
        container.reset_singletons()


async def shutdown(container: Container) -> None:
    """Kept for callers of the first API: the same as ``stop``."""
    await stop(container)
