"""The library container: the caller's image library (folder or LibreChat), its Mongo client and get_user_images."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dependency_injector import containers, providers

from ..domain.media import MediaKind, MediaLimits
from .deferred import deferred
from .settings import Settings


def library_kind(settings: Settings) -> str:
    return settings.library


def library_root(settings: Settings) -> str:
    return settings.library_root(settings.output_root())


def image_max_bytes(settings: Settings) -> int:
    return settings.image_max_download_bytes


def image_limits(settings: Settings) -> MediaLimits:
    return settings.media_limits()[MediaKind.IMAGE]


def mongo_uri(settings: Settings) -> str | None:
    """The URI only when the LibreChat library is chosen: the folder library never builds a client."""
    return settings.librechat_mongo_uri if settings.library == "librechat" else None


async def open_files(uri: str | None, database: str | None) -> AsyncIterator[Any]:
    """The Mongo ``files`` seam (``adapters.mongo_files.open_files``); pymongo is imported only when a URI is set."""
    if not uri:
        yield None
        return
    from ..adapters.mongo_files import open_files as open_mongo

    async with asynccontextmanager(open_mongo)(uri, database) as files:
        yield files


class Library(containers.DeclarativeContainer):
    """``images`` is the ``ImageLibrary`` the settings choose; ``files`` is the Mongo seam (a test seam too)."""

    settings = providers.Dependency(instance_of=Settings)
    media = providers.DependenciesContainer()

    files = providers.Resource(open_files, uri=providers.Callable(mongo_uri, settings=settings),
                               database=settings.provided.librechat_mongo_db)
    folder = providers.Singleton(deferred("adapters.folder_library:FolderImageLibrary"),
                                 root=providers.Callable(library_root, settings=settings),
                                 max_image_bytes=providers.Callable(image_max_bytes, settings=settings))
    librechat = providers.Singleton(
        deferred("adapters.librechat_library:LibreChatImageLibrary"), files=files,
        images_dir=settings.provided.librechat_images_dir, uploads_dir=settings.provided.librechat_uploads_dir,
        fetcher=media.url_fetcher,
        limits=providers.Callable(image_limits, settings=settings))
    images = providers.Selector(providers.Callable(library_kind, settings=settings), folder=folder,
                                librechat=librechat)
    get_user_images = providers.Factory(deferred("application.user_images:GetUserImages"), library=images)
