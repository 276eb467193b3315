"""The upstream container: OpenRouter's HTTP session (a managed resource) and the adapters over it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dependency_injector import containers, providers

from .deferred import deferred
from .lifecycle import closing
from .settings import Settings

if TYPE_CHECKING:
    import httpx

    from ..adapters.openrouter.config import OpenRouterConfig, RetryPolicy
    from ..adapters.openrouter.http import OpenRouterHttp


def _adapter(target: str) -> Callable[..., Any]:
    return deferred(f"adapters.openrouter.{target}")


def openrouter_config(settings: Settings) -> OpenRouterConfig:
    from ..adapters.openrouter.config import OpenRouterConfig

    return OpenRouterConfig(
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        base_url=settings.base_url,
        referer=settings.http_referer,
        title=settings.app_title,
        timeout_s=settings.http_timeout_ms / 1000,
        max_connections=settings.http_max_connections,
        max_keepalive=min(settings.http_max_keepalive, settings.http_max_connections),
        keepalive_s=settings.http_keepalive_ms / 1000,
        max_response_bytes=settings.max_response_bytes,
        max_media_response_bytes=settings.max_media_response_bytes,
        stream_idle_timeout_s=settings.stream_idle_timeout_ms / 1000,
        max_result_chars=settings.max_result_chars,
    )


def retry_policy(settings: Settings) -> RetryPolicy:
    from ..adapters.openrouter.config import RetryPolicy

    return RetryPolicy(attempts=settings.max_retries + 1)


def open_http(config: OpenRouterConfig, retry: RetryPolicy, transport: httpx.AsyncBaseTransport | None,
              request_hooks: list[Callable[..., Any]] | None) -> OpenRouterHttp:
    """The session lives from the app's start to its stop (``http_closing``); its client (and TLS context) is
    built on the first request in the app's event loop, and closed at the stop only if it was built."""
    from ..adapters.openrouter.http import OpenRouterHttp

    return OpenRouterHttp(config, retry=retry, transport=transport,
                          event_hooks={"request": list(request_hooks)} if request_hooks else None)


class Upstream(containers.DeclarativeContainer):
    """OpenRouter. ``transport`` (a scripted httpx transport) and ``request_hooks`` are the test seams."""

    settings = providers.Dependency(instance_of=Settings)
    transport: providers.Object[httpx.AsyncBaseTransport | None] = providers.Object(None)
    request_hooks: providers.Object[list[Callable[..., Any]] | None] = providers.Object(None)
    config = providers.Singleton(openrouter_config, settings=settings)
    retry = providers.Singleton(retry_policy, settings=settings)
    http = providers.Singleton(open_http, config=config, retry=retry, transport=transport,
                               request_hooks=request_hooks)
    http_closing = providers.Resource(closing, http)
    chat = providers.Singleton(_adapter("chat:OpenRouterChat"), http=http)
    catalog = providers.Singleton(_adapter("catalog:OpenRouterCatalog"), http=http)
    images = providers.Singleton(_adapter("images:OpenRouterImages"), http=http)
    speech = providers.Singleton(_adapter("speech:OpenRouterSpeech"), http=http)
    videos = providers.Singleton(_adapter("videos:OpenRouterVideos"), http=http, retry=retry)
    reranker = providers.Singleton(_adapter("rerank:OpenRouterRerank"), http=http)
    images_api = providers.Singleton(_adapter("images_api:OpenRouterImagesApi"), http=http)
    tts = providers.Singleton(_adapter("tts:OpenRouterTts"), http=http)
    transcriptions = providers.Singleton(_adapter("transcriptions:OpenRouterTranscriptions"), http=http)
    embeddings = providers.Singleton(_adapter("embeddings:OpenRouterEmbeddings"), http=http)
    generations = providers.Singleton(_adapter("generations:OpenRouterGenerations"), http=http)
    listings = providers.Singleton(_adapter("media_listings:listings"), http=http)
