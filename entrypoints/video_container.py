"""The use-case container for the video-generation job tools."""

from __future__ import annotations

import asyncio

from dependency_injector import containers, providers

from ..application.video_jobs import GenerateVideo, GetVideoStatus, ListVideoJobs, VideoDefaults
from ..application.video_polling import Sleeper, VideoJobRunner, VideoLimits
from .settings import Settings


def video_defaults(settings: Settings) -> VideoDefaults:
    return VideoDefaults(model=settings.default_video_gen_model, max_wait_ms=settings.video_max_wait_ms,
                         poll_interval_ms=settings.video_poll_interval_ms)


def video_limits(settings: Settings) -> VideoLimits:
    return VideoLimits(gen_max_bytes=settings.video_gen_max_bytes, inline_max_bytes=settings.video_inline_max_bytes,
                       poll_retries=settings.max_retries)


class VideoUseCases(containers.DeclarativeContainer):
    """Use cases for the video-generation job tools; ``gateways`` and ``core`` come from the composition root.

    ``sleeper`` is the seam for tests that must not wait in real time.
    """

    settings = providers.Dependency(instance_of=Settings)
    gateways = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    sleeper: providers.Object[Sleeper] = providers.Object(asyncio.sleep)
    defaults = providers.Callable(video_defaults, settings)
    runner = providers.Singleton(
        VideoJobRunner, gateways.video_api, gateways.job_store, gateways.output_store, gateways.audit,
        gateways.clock, sleeper, providers.Callable(video_limits, settings))
    generate_video = providers.Factory(GenerateVideo, runner, core.media_loader, gateways.chat, defaults)
    get_video_status = providers.Factory(GetVideoStatus, runner, gateways.chat, defaults)
    list_video_jobs = providers.Factory(ListVideoJobs, runner)
