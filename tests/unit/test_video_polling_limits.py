"""Video waiting honours OPENROUTER_MAX_RETRIES, and the progress heartbeat never reaches the total."""

from __future__ import annotations

from pathlib import Path

import pytest

from openrouter_multimodal.application.video_jobs import GenerateVideoCommand, VideoDefaults
from openrouter_multimodal.application.video_polling import MonotonicProgress, VideoLimits
from openrouter_multimodal.domain.errors import ErrorCode, UpstreamError
from openrouter_multimodal.domain.job import JobStatus
from tests.video_fakes import JOB_ID, FakeVideoApi, RecordingProgress, VideoRig, snap

pytestmark = pytest.mark.anyio
FLAKY = UpstreamError("502 from upstream", code=ErrorCode.UPSTREAM_HTTP)
LONG_WAIT = VideoDefaults("google/veo-3.1", 600_000, 1_000)


@pytest.mark.parametrize("retries", [0, 2, 5])
async def test_consecutive_transient_poll_failures_stop_after_max_retries(tmp_path: Path, retries: int) -> None:
    limits = VideoLimits(gen_max_bytes=1_000_000, inline_max_bytes=100_000, poll_retries=retries)
    rig = VideoRig(tmp_path, api=FakeVideoApi([FLAKY]), limits=limits, defaults=LONG_WAIT)
    outcome = await rig.generate(GenerateVideoCommand(prompt="a river at dawn"))
    assert outcome.still_running and outcome.job.id == JOB_ID
    assert len(rig.api.polls) == retries + 1
    stored = await rig.store.get(JOB_ID)
    assert stored is not None and stored.status is JobStatus.PENDING


async def test_a_successful_poll_resets_the_failure_count(tmp_path: Path) -> None:
    limits = VideoLimits(gen_max_bytes=1_000_000, inline_max_bytes=100_000, poll_retries=1)
    script = [FLAKY, snap("in_progress", 10), FLAKY, snap("in_progress", 20), FLAKY, snap("completed")]
    rig = VideoRig(tmp_path, api=FakeVideoApi(script), limits=limits, defaults=LONG_WAIT)
    outcome = await rig.generate(GenerateVideoCommand(prompt="a river at dawn"))
    assert outcome.video is not None and len(rig.api.polls) == 6


async def test_resuming_gives_up_after_max_retries_with_the_last_failure(tmp_path: Path) -> None:
    limits = VideoLimits(gen_max_bytes=1_000_000, inline_max_bytes=100_000, poll_retries=1)
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 40)]), limits=limits, defaults=LONG_WAIT)
    await rig.generate(GenerateVideoCommand(prompt="a river at dawn", max_wait_ms=0))
    rig.api.script = [FLAKY]
    rig.api.polls.clear()
    with pytest.raises(UpstreamError, match="502 from upstream"):
        await rig.status(JOB_ID, max_wait_ms=600_000)
    assert len(rig.api.polls) == 2


async def test_the_heartbeat_stops_just_below_the_total() -> None:
    inner = RecordingProgress()
    guard = MonotonicProgress(inner)
    for value in (99.98, 50, 50, 50, 99, 100):
        await guard.report(value, 100, "m")
    assert inner.numbers == [99.98, 99.99, 100]


async def test_without_a_total_the_heartbeat_keeps_climbing() -> None:
    inner = RecordingProgress()
    guard = MonotonicProgress(inner)
    for value in (99.99, 50, 50):
        await guard.report(value, None, "m")
    assert inner.numbers == [99.99, 100.0, 100.01]
