"""The media container: name resolution, the SSRF-guarded URL fetcher (a resource) and image preparation."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dependency_injector import containers, providers

from ..adapters.pillow_images import PillowImagePreparer
from ..adapters.safe_fetcher import SafeHttpFetcher
from ..adapters.system_resolver import SystemResolver
from ..application.fetch_ports import Resolver
from .settings import Settings
from .version import SERVER_VERSION


async def open_fetcher(settings: Settings, resolver: Resolver) -> AsyncIterator[SafeHttpFetcher]:
    """The fetcher for caller-supplied URLs; its client is built on the first URL read, closed here if built."""
    user_agent = f"{settings.app_title}/{SERVER_VERSION} (+{settings.http_referer})"
    fetcher = SafeHttpFetcher(resolver, user_agent, allow_private=settings.allow_private_urls)
    try:
        yield fetcher
    finally:
        await fetcher.aclose()


class Media(containers.DeclarativeContainer):
    """Media gateways. ``url_fetcher`` is the test seam for resolving invented names to loopback servers."""

    settings = providers.Dependency(instance_of=Settings)
    resolver = providers.Singleton(SystemResolver)
    url_fetcher = providers.Resource(open_fetcher, settings=settings, resolver=resolver)
    images = providers.Singleton(PillowImagePreparer)
