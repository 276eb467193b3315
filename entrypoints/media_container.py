"""The media container: name resolution, the SSRF-guarded URL fetcher (a resource) and image preparation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from .deferred import deferred
from .lifecycle import closing
from .settings import Settings
from .version import SERVER_VERSION

if TYPE_CHECKING:
    from ..adapters.safe_fetcher import SafeHttpFetcher
    from ..application.fetch_ports import Resolver


def open_fetcher(settings: Settings, resolver: Resolver) -> SafeHttpFetcher:
    """The fetcher for caller-supplied URLs; its client is built on the first URL read, closed at the app's stop
    (``url_fetcher_closing``) if built."""
    from ..adapters.safe_fetcher import SafeHttpFetcher

    user_agent = f"{settings.app_title}/{SERVER_VERSION} (+{settings.http_referer})"
    return SafeHttpFetcher(resolver, user_agent, allow_private=settings.allow_private_urls)


class Media(containers.DeclarativeContainer):
    """Media gateways. ``url_fetcher`` is the test seam for resolving invented names to loopback servers."""

    settings = providers.Dependency(instance_of=Settings)
    resolver = providers.Singleton(deferred("adapters.system_resolver:SystemResolver"))
    url_fetcher = providers.Singleton(open_fetcher, settings=settings, resolver=resolver)
    url_fetcher_closing = providers.Resource(closing, url_fetcher)
    images = providers.Singleton(deferred("adapters.pillow_images:PillowImagePreparer"))
