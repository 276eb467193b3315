"""The pipeline container: the spend policy, the handler map and the one ``CallPipeline`` every call takes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from ..domain.policy_rules import Policy
from .deferred import deferred
from .settings import Settings
from .tool_specs import ContainerHandlers, tool_specs

if TYPE_CHECKING:
    from ..application.policy_engine import EngineSettings


def engine_settings(settings: Settings) -> EngineSettings:
    from ..application.policy_engine import EngineSettings, FailMode

    return EngineSettings(paid_fail=FailMode(settings.policy_paid_fail), free_fail=FailMode(settings.policy_free_fail))


class Calls(containers.DeclarativeContainer):
    """``rules`` is the loaded policy (set by ``bootstrap``); the other containers come from the root."""

    settings = providers.Dependency(instance_of=Settings)
    rules: providers.Object[Policy] = providers.Object(Policy())
    storage = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    generation = providers.DependenciesContainer()
    video = providers.DependenciesContainer()
    library = providers.DependenciesContainer()

    policy = providers.Singleton(deferred("application.policy_engine:PolicyEngine"), policy=rules, store=storage.state,
                                 cards=core.catalog, clock=storage.clock,
                                 settings=providers.Callable(engine_settings, settings=settings))
    get_usage = providers.Factory(deferred("application.usage:GetUsage"), policy=rules, store=storage.state,
                                  clock=storage.clock)
    handlers = providers.Singleton(ContainerHandlers, handlers=providers.Dict(
        chat_completion=core.chat_completion.provider,
        analyze_image=core.analyze_media.provider,
        analyze_audio=core.analyze_media.provider,
        analyze_video=core.analyze_media.provider,
        search_models=core.search_models.provider,
        get_model_info=core.get_model_info.provider,
        validate_model=core.validate_model.provider,
        health_check=core.health_check.provider,
        generate_image=generation.generate_image.provider,
        generate_audio=generation.generate_audio.provider,
        rerank_documents=generation.rerank_documents.provider,
        transcribe_audio=generation.transcribe_audio.provider,
        embed_texts=generation.embed_texts.provider,
        generate_video=video.generate_video.provider,
        generate_video_from_image=video.generate_video.provider,
        get_video_status=video.get_video_status.provider,
        list_video_jobs=video.list_video_jobs.provider,
        get_job_status=video.get_job_status.provider,
        cancel_job=video.cancel_job.provider,
        get_usage=get_usage.provider,
        get_user_images=library.get_user_images.provider,
    ))
    pipeline = providers.Singleton(deferred("application.pipeline:CallPipeline"),
                                   specs=providers.Callable(tool_specs), handlers=handlers, policy=policy,
                                   audit=storage.audit, locks=storage.locks, clock=storage.clock)
