"""The dependency-injector containers: one per concern, composed by ``Container``."""

from __future__ import annotations

import httpx
from dependency_injector import containers, providers

from ..adapters.clock import SystemClock
from ..adapters.input_sandbox import SandboxedFileReader
from ..adapters.openrouter.catalog import OpenRouterCatalog
from ..adapters.openrouter.chat import OpenRouterChat
from ..adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy, build_client
from ..adapters.openrouter.images import OpenRouterImages
from ..adapters.openrouter.rerank import OpenRouterRerank
from ..adapters.openrouter.speech import OpenRouterSpeech
from ..adapters.openrouter.videos import OpenRouterVideos
from ..adapters.output_store import LocalOutputStore
from ..adapters.pillow_images import PillowImagePreparer
from ..adapters.safe_fetcher import SafeHttpFetcher
from ..adapters.sqlite_job_store import SqliteVideoJobStore
from ..adapters.structlog_audit import StructlogAudit
from ..adapters.system_resolver import SystemResolver
from ..application.catalog_queries import GetModelInfo, SearchModels, ValidateModel
from ..application.chat_completion import ChatCompletion, ChatDefaults
from ..application.health import HealthCheck
from ..application.media_analysis import AnalysisDefaults, AnalyzeMediaUseCase
from ..application.media_loading import MediaLoader
from ..application.model_catalog import ModelCatalog
from ..domain.media import MediaKind
from ..domain.save_policy import SavePolicy
from .generation_container import GenerationUseCases
from .settings import Settings
from .version import SERVER_VERSION
from .video_container import VideoUseCases


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


def chat_defaults(settings: Settings) -> ChatDefaults:
    return ChatDefaults(
        default_model=settings.default_model,
        max_tokens=settings.max_tokens,
        provider=settings.provider_defaults(),
        include_reasoning=settings.include_reasoning,
        cache_responses=settings.cache_responses,
    )


def analysis_defaults(settings: Settings) -> AnalysisDefaults:
    return AnalysisDefaults(
        models={MediaKind.IMAGE: settings.default_vision_model, MediaKind.AUDIO: settings.default_audio_model,
                MediaKind.VIDEO: settings.default_video_model},
        default_model=settings.default_model,
        image_max_dimension=settings.image_max_dimension,
        image_jpeg_quality=settings.image_jpeg_quality,
        max_tokens=settings.max_tokens,
        cache_responses=settings.cache_responses,
    )


def input_reader(settings: Settings) -> SandboxedFileReader:
    return SandboxedFileReader(settings.input_roots(settings.output_root()), settings.allow_unsafe_paths)


def media_fetcher(settings: Settings, resolver: SystemResolver) -> SafeHttpFetcher:
    user_agent = f"{settings.app_title}/{SERVER_VERSION} (+{settings.http_referer})"
    return SafeHttpFetcher(resolver, user_agent, allow_private=settings.allow_private_urls)


def output_store(settings: Settings) -> LocalOutputStore:
    return LocalOutputStore(SavePolicy(settings.output_root(), settings.allow_unsafe_paths))


def job_store(settings: Settings) -> SqliteVideoJobStore:
    return SqliteVideoJobStore(settings.job_store_file(settings.output_root()))


class Gateways(containers.DeclarativeContainer):
    """Adapters that talk to the world; ``transport`` is the test seam for scripted upstreams."""

    settings = providers.Dependency(instance_of=Settings)
    transport: providers.Object[httpx.AsyncBaseTransport | None] = providers.Object(None)
    clock = providers.Singleton(SystemClock)
    openrouter_config = providers.Singleton(openrouter_config, settings)
    http_client = providers.Singleton(build_client, openrouter_config, transport)
    retry_policy = providers.Singleton(
        lambda s: RetryPolicy(attempts=s.max_retries + 1), settings)
    openrouter_http = providers.Singleton(OpenRouterHttp, http_client, openrouter_config, retry_policy)
    chat = providers.Singleton(OpenRouterChat, openrouter_http)
    catalog_source = providers.Singleton(OpenRouterCatalog, openrouter_http)
    resolver = providers.Singleton(SystemResolver)
    file_reader = providers.Singleton(input_reader, settings)
    url_fetcher = providers.Singleton(media_fetcher, settings, resolver)
    image_preparer = providers.Singleton(PillowImagePreparer)
    output_store = providers.Singleton(output_store, settings)
    job_store = providers.Singleton(job_store, settings)
    audit = providers.Singleton(StructlogAudit)
    image_generator = providers.Singleton(OpenRouterImages, openrouter_http)
    speech_generator = providers.Singleton(OpenRouterSpeech, openrouter_http)
    video_api = providers.Singleton(
        OpenRouterVideos, openrouter_http, providers.Callable(lambda c: c.base_url, openrouter_config),
        retry=retry_policy)
    reranker = providers.Singleton(OpenRouterRerank, openrouter_http)


class UseCases(containers.DeclarativeContainer):
    """Application services, constructor-injected with ports from ``Gateways``."""

    settings = providers.Dependency(instance_of=Settings)
    configuration_problem: providers.Object[str | None] = providers.Object(None)
    gateways = providers.DependenciesContainer()
    model_catalog = providers.Singleton(
        ModelCatalog, gateways.catalog_source, gateways.clock,
        ttl_seconds=providers.Callable(lambda s: s.model_cache_ttl_ms / 1000, settings))
    chat_completion = providers.Factory(
        ChatCompletion, gateways.chat, model_catalog, gateways.chat,
        providers.Callable(chat_defaults, settings))
    media_loader = providers.Singleton(
        MediaLoader, gateways.file_reader, gateways.url_fetcher,
        providers.Callable(lambda s: s.media_limits(), settings))
    analyze_media = providers.Factory(
        AnalyzeMediaUseCase, media_loader, gateways.image_preparer, gateways.chat, gateways.chat, model_catalog,
        gateways.chat, providers.Callable(analysis_defaults, settings))
    search_models = providers.Factory(SearchModels, model_catalog)
    get_model_info = providers.Factory(GetModelInfo, model_catalog)
    validate_model = providers.Factory(ValidateModel, model_catalog)
    health_check = providers.Factory(HealthCheck, gateways.catalog_source, model_catalog, SERVER_VERSION,
                                     configuration_problem, credentials=gateways.chat,
                                     upstream_problem=providers.Callable(lambda s: s.upstream_problem(), settings))


class Container(containers.DeclarativeContainer):
    """The composition root: ``Container(settings=Settings())``."""

    settings = providers.Dependency(instance_of=Settings)
    configuration_problem: providers.Object[str | None] = providers.Object(None)
    gateways = providers.Container(Gateways, settings=settings)
    use_cases = providers.Container(UseCases, settings=settings, gateways=gateways,
                                    configuration_problem=configuration_problem)
    generation = providers.Container(GenerationUseCases, settings=settings, gateways=gateways, core=use_cases)
    video = providers.Container(VideoUseCases, settings=settings, gateways=gateways, core=use_cases)


async def shutdown(container: Container) -> None:
    """Close the shared HTTP clients."""
    await container.gateways.openrouter_http().aclose()
    await container.gateways.url_fetcher().aclose()
