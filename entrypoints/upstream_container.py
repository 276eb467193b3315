"""The upstream container: OpenRouter's HTTP session (a managed resource) and the adapters over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from dependency_injector import containers, providers

from ..adapters.openrouter.catalog import OpenRouterCatalog
from ..adapters.openrouter.chat import OpenRouterChat
from ..adapters.openrouter.config import OpenRouterConfig, RetryPolicy
from ..adapters.openrouter.embeddings import OpenRouterEmbeddings
from ..adapters.openrouter.generations import OpenRouterGenerations
from ..adapters.openrouter.http import OpenRouterHttp
from ..adapters.openrouter.images import OpenRouterImages
from ..adapters.openrouter.images_api import OpenRouterImagesApi
from ..adapters.openrouter.media_listings import listings as listing_sources
from ..adapters.openrouter.rerank import OpenRouterRerank
from ..adapters.openrouter.speech import OpenRouterSpeech
from ..adapters.openrouter.transcriptions import OpenRouterTranscriptions
from ..adapters.openrouter.tts import OpenRouterTts
from ..adapters.openrouter.videos import OpenRouterVideos
from .settings import Settings


def openrouter_config(settings: Settings) -> OpenRouterConfig:
    return OpenRouterConfig(
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        base_url=settings.base_url,
        referer=settings.http_referer,
        title=settings.app_title,
        timeout_s=settings.http_timeout_ms / 1000,
        max_response_bytes=settings.max_response_bytes,
        max_media_response_bytes=settings.max_media_response_bytes,
        stream_idle_timeout_s=settings.stream_idle_timeout_ms / 1000,
        max_result_chars=settings.max_result_chars,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(attempts=settings.max_retries + 1)


async def open_http(config: OpenRouterConfig, retry: RetryPolicy, transport: httpx.AsyncBaseTransport | None,
                    request_hooks: list[Callable[..., Any]] | None) -> AsyncIterator[OpenRouterHttp]:
    """The session lives from the app's start to its stop, in the app's event loop; its client (and TLS
    context) is built on the first request, and closed here only if it was built."""
    http = OpenRouterHttp(config, retry=retry, transport=transport,
                          event_hooks={"request": list(request_hooks)} if request_hooks else None)
    try:
        yield http
    finally:
        await http.aclose()


class Upstream(containers.DeclarativeContainer):
    """OpenRouter. ``transport`` (a scripted httpx transport) and ``request_hooks`` are the test seams."""

    settings = providers.Dependency(instance_of=Settings)
    transport: providers.Object[httpx.AsyncBaseTransport | None] = providers.Object(None)
    request_hooks: providers.Object[list[Callable[..., Any]] | None] = providers.Object(None)
    config = providers.Singleton(openrouter_config, settings=settings)
    retry = providers.Singleton(retry_policy, settings=settings)
    http = providers.Resource(open_http, config=config, retry=retry, transport=transport,
                              request_hooks=request_hooks)
    chat = providers.Singleton(OpenRouterChat, http=http)
    catalog = providers.Singleton(OpenRouterCatalog, http=http)
    images = providers.Singleton(OpenRouterImages, http=http)
    speech = providers.Singleton(OpenRouterSpeech, http=http)
    videos = providers.Singleton(OpenRouterVideos, http=http, base_url=config.provided.base_url, retry=retry)
    reranker = providers.Singleton(OpenRouterRerank, http=http)
    images_api = providers.Singleton(OpenRouterImagesApi, http=http)
    tts = providers.Singleton(OpenRouterTts, http=http)
    transcriptions = providers.Singleton(OpenRouterTranscriptions, http=http)
    embeddings = providers.Singleton(OpenRouterEmbeddings, http=http)
    generations = providers.Singleton(OpenRouterGenerations, http=http)
    listings = providers.Singleton(listing_sources, http=http)
