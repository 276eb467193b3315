"""The dependency-injector containers: one per concern, composed by ``Container``."""

from __future__ import annotations

import httpx
from dependency_injector import containers, providers

from ..adapters.clock import SystemClock
from ..adapters.openrouter.catalog import OpenRouterCatalog
from ..adapters.openrouter.chat import OpenRouterChat
from ..adapters.openrouter.http import OpenRouterConfig, OpenRouterHttp, RetryPolicy, build_client
from ..application.catalog_queries import GetModelInfo, SearchModels, ValidateModel
from ..application.chat_completion import ChatCompletion, ChatDefaults
from ..application.health import HealthCheck
from ..application.model_catalog import ModelCatalog
from .settings import Settings
from .version import SERVER_VERSION


def openrouter_config(settings: Settings) -> OpenRouterConfig:
    return OpenRouterConfig(
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        base_url=settings.base_url,
        referer=settings.http_referer,
        title=settings.app_title,
        timeout_s=settings.http_timeout_ms / 1000,
    )


def chat_defaults(settings: Settings) -> ChatDefaults:
    return ChatDefaults(
        default_model=settings.default_model,
        max_tokens=settings.max_tokens,
        provider=settings.provider_defaults(),
        include_reasoning=settings.include_reasoning,
        cache_responses=settings.cache_responses,
    )


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
    search_models = providers.Factory(SearchModels, model_catalog)
    get_model_info = providers.Factory(GetModelInfo, model_catalog)
    validate_model = providers.Factory(ValidateModel, model_catalog)
    health_check = providers.Factory(HealthCheck, gateways.catalog_source, model_catalog, SERVER_VERSION,
                                     configuration_problem)


class Container(containers.DeclarativeContainer):
    """The composition root: ``Container(settings=Settings())``."""

    settings = providers.Dependency(instance_of=Settings)
    configuration_problem: providers.Object[str | None] = providers.Object(None)
    gateways = providers.Container(Gateways, settings=settings)
    use_cases = providers.Container(UseCases, settings=settings, gateways=gateways,
                                    configuration_problem=configuration_problem)


async def shutdown(container: Container) -> None:
    """Close the shared HTTP clients."""
    await container.gateways.openrouter_http().aclose()
