"""The job use cases: generate_video (and from an image), get_video_status, list_video_jobs, and get_job_status
and cancel_job over video and chat jobs."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from dependency_injector import containers, providers

from .deferred import deferred
from .settings import Settings

if TYPE_CHECKING:
    from ..application.video_jobs import VideoDefaults
    from ..application.video_polling import Sleeper, VideoLimits


def video_defaults(settings: Settings) -> VideoDefaults:
    from ..application.video_jobs import VideoDefaults

    return VideoDefaults(model=settings.default_video_gen_model, max_wait_ms=settings.video_max_wait_ms,
                         poll_interval_ms=settings.video_poll_interval_ms)


def video_limits(settings: Settings) -> VideoLimits:
    from ..application.video_polling import VideoLimits

    return VideoLimits(gen_max_bytes=settings.video_gen_max_bytes, inline_max_bytes=settings.video_inline_max_bytes,
                       poll_retries=settings.max_retries)


class VideoUseCases(containers.DeclarativeContainer):
    """Video jobs. The runner is one per app (its per-job locks must be shared); ``sleeper`` is the test seam
    for tests that must not wait in real time."""

    settings = providers.Dependency(instance_of=Settings)
    upstream = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    core = providers.DependenciesContainer()
    sleeper: providers.Object[Sleeper] = providers.Object(asyncio.sleep)
    defaults = providers.Singleton(video_defaults, settings=settings)
    runner = providers.Singleton(deferred("application.video_polling:VideoJobRunner"), api=upstream.videos,
                                 store=storage.jobs, clock=storage.clock, sleeper=sleeper,
                                 limits=providers.Callable(video_limits, settings=settings))
    generate_video = providers.Factory(deferred("application.video_jobs:GenerateVideo"), runner=runner,
                                       loader=core.media_loader, outputs=storage.spaces, credentials=upstream.http,
                                       defaults=defaults)
    get_video_status = providers.Factory(deferred("application.video_jobs:GetVideoStatus"), runner=runner,
                                         outputs=storage.spaces, credentials=upstream.http, defaults=defaults)
    list_video_jobs = providers.Factory(deferred("application.video_jobs:ListVideoJobs"), runner=runner)
    get_job_status = providers.Factory(deferred("application.job_status:GetJobStatus"), chats=core.chat_jobs,
                                       videos=get_video_status)
    cancel_job = providers.Factory(deferred("application.job_status:CancelJob"), chats=core.chat_jobs, runner=runner)
