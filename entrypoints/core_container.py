"""The core use cases: the model catalogue, chat, media analysis, catalogue queries and health."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from ..domain.media import MediaKind, MediaLimits
from .deferred import deferred
from .settings import Settings
from .version import SERVER_VERSION

if TYPE_CHECKING:
    from ..application.chat_completion import ChatDefaults
    from ..application.media_analysis import AnalysisDefaults


def chat_defaults(settings: Settings) -> ChatDefaults:
    from ..application.chat_completion import ChatDefaults

    return ChatDefaults(
        default_model=settings.default_model,
        max_tokens=settings.max_tokens,
        provider=settings.provider_defaults(),
        include_reasoning=settings.include_reasoning,
        cache_responses=settings.cache_responses,
    )


def analysis_defaults(settings: Settings) -> AnalysisDefaults:
    from ..application.media_analysis import AnalysisDefaults

    return AnalysisDefaults(
        models={MediaKind.IMAGE: settings.default_vision_model, MediaKind.AUDIO: settings.default_audio_model,
                MediaKind.VIDEO: settings.default_video_model},
        default_model=settings.default_model,
        image_max_dimension=settings.image_max_dimension,
        image_jpeg_quality=settings.image_jpeg_quality,
        max_tokens=settings.max_tokens,
        cache_responses=settings.cache_responses,
    )


def catalog_ttl_seconds(settings: Settings) -> float:
    return settings.model_cache_ttl_ms / 1000


def media_limits(settings: Settings) -> dict[MediaKind, MediaLimits]:
    return settings.media_limits()


def chat_lost_after_s(settings: Settings) -> float:
    """When a chat job still marked running was left behind: its request's own deadline, plus a minute."""
    return settings.http_timeout_ms / 1000 + 60


def upstream_problem(settings: Settings) -> str | None:
    return settings.upstream_problem()


class CoreUseCases(containers.DeclarativeContainer):
    """Catalogue, chat (and its background jobs: ``background`` is one per app, drained at its stop), analysis and
    health; ``upstream``, ``media``, ``storage`` and ``library`` come from the root."""

    settings = providers.Dependency(instance_of=Settings)
    configuration_problem: providers.Object[str | None] = providers.Object(None)
    upstream = providers.DependenciesContainer()
    media = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    library = providers.DependenciesContainer()

    catalog = providers.Singleton(deferred("application.model_catalog:ModelCatalog"), source=upstream.catalog,
                                  clock=storage.clock,
                                  ttl_seconds=providers.Callable(catalog_ttl_seconds, settings=settings))
    media_loader = providers.Factory(deferred("application.media_loading:MediaLoader"), files=storage.inputs,
                                     fetcher=media.url_fetcher,
                                     limits=providers.Singleton(media_limits, settings=settings),
                                     library=library.images)
    background = providers.Singleton(deferred("application.background:BackgroundWork"))
    chat_jobs = providers.Singleton(deferred("application.chat_jobs:ChatJobs"), store=storage.jobs,
                                    clock=storage.clock, work=background,
                                    lost_after_s=providers.Callable(chat_lost_after_s, settings=settings))
    chat_completion = providers.Factory(
        deferred("application.chat_completion:ChatCompletion"), upstream=upstream.chat, catalog=catalog,
        credentials=upstream.http, defaults=providers.Singleton(chat_defaults, settings=settings), jobs=chat_jobs)
    analyze_media = providers.Factory(
        deferred("application.media_analysis:AnalyzeMediaUseCase"), loader=media_loader, images=media.images,
        chat=upstream.chat, media_chat=upstream.chat, catalog=catalog, credentials=upstream.http,
        defaults=providers.Singleton(analysis_defaults, settings=settings))
    search_models = providers.Factory(deferred("application.catalog_queries:SearchModels"), catalog=catalog)
    get_model_info = providers.Factory(deferred("application.catalog_queries:GetModelInfo"), catalog=catalog)
    validate_model = providers.Factory(deferred("application.catalog_queries:ValidateModel"), catalog=catalog)
    health_check = providers.Factory(
        deferred("application.health:HealthCheck"), keys=upstream.catalog, catalog=catalog,
        server_version=SERVER_VERSION, configuration_problem=configuration_problem, credentials=upstream.http,
        upstream_problem=providers.Callable(upstream_problem, settings=settings))
