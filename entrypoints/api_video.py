"""Python API methods for jobs: submit and resume videos, list jobs, read or cancel background chats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..application.job_status import CancelOutcome, ChatJobOutcome, JobIdCommand
from ..application.video_jobs import GenerateVideoCommand, GetVideoStatusCommand, ListVideoJobsCommand, VideoJobList
from ..application.video_polling import VideoOutcome
from ..domain.caller import Caller
from .api_base import ApiBase


class VideoMethods(ApiBase):
    async def generate_video(
        self, prompt: str, *, model: str | None = None, resolution: str | None = None,
        aspect_ratio: str | None = None, duration: int | None = None, seed: int | None = None,
        first_frame_image: str | None = None, last_frame_image: str | None = None,
        reference_images: Sequence[str] = (), generate_audio: bool | None = None,
        provider: Mapping[str, Any] | None = None, save_path: str | None = None, overwrite: bool = False,
        max_wait_ms: int | None = None, poll_interval_ms: int | None = None, caller: Caller | None = None,
    ) -> VideoOutcome:
        """Submit a paid job and wait up to ``max_wait_ms``; ``.still_running`` then means: resume it later
        with ``get_video_status(outcome.job.id)``."""
        command = GenerateVideoCommand(prompt, model, resolution, aspect_ratio, duration, seed, first_frame_image,
                                       last_frame_image, tuple(reference_images), generate_audio,
                                       dict(provider) if provider else None, save_path, overwrite, max_wait_ms,
                                       poll_interval_ms)
        outcome: VideoOutcome = await self._call("generate_video", command, caller)
        return outcome

    async def generate_video_from_image(
        self, image: str, prompt: str, *, model: str | None = None, resolution: str | None = None,
        aspect_ratio: str | None = None, duration: int | None = None, seed: int | None = None,
        save_path: str | None = None, overwrite: bool = False, max_wait_ms: int | None = None,
        caller: Caller | None = None,
    ) -> VideoOutcome:
        command = GenerateVideoCommand(prompt, model, resolution, aspect_ratio, duration, seed,
                                       first_frame_image=image, save_path=save_path, overwrite=overwrite,
                                       max_wait_ms=max_wait_ms)
        outcome: VideoOutcome = await self._call("generate_video_from_image", command, caller)
        return outcome

    async def get_video_status(self, video_id: str, *, save_path: str | None = None, overwrite: bool = False,
                               max_wait_ms: int = 0, caller: Caller | None = None) -> VideoOutcome:
        command = GetVideoStatusCommand(video_id, save_path=save_path, overwrite=overwrite, max_wait_ms=max_wait_ms)
        outcome: VideoOutcome = await self._call("get_video_status", command, caller)
        return outcome

    async def list_video_jobs(self, *, limit: int = 20, status: str | None = None,
                              caller: Caller | None = None) -> VideoJobList:
        listing: VideoJobList = await self._call("list_video_jobs", ListVideoJobsCommand(limit, status), caller)
        return listing

    async def get_job_status(self, job_id: str, *, max_wait_ms: int = 0,
                             caller: Caller | None = None) -> ChatJobOutcome | VideoOutcome:
        """A background chat's answer (``.job.answer`` once done) or a video job's outcome."""
        outcome: ChatJobOutcome | VideoOutcome = await self._call(
            "get_job_status", JobIdCommand(job_id, max_wait_ms=max_wait_ms), caller)
        return outcome

    async def cancel_job(self, job_id: str, *, caller: Caller | None = None) -> CancelOutcome:
        """Stop a background chat (its upstream request is closed); a video only stops being waited for."""
        outcome: CancelOutcome = await self._call("cancel_job", JobIdCommand(job_id), caller)
        return outcome
