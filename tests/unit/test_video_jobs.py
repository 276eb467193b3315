"""The video job use cases over fakes of our ports: waiting, resuming, failing, the download cap, progress."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from openrouter_multimodal.adapters.sqlite_state_store import SqliteStateStore
from openrouter_multimodal.adapters.state_job_store import StateJobStore
from openrouter_multimodal.application.video_jobs import GenerateVideoCommand
from openrouter_multimodal.application.video_polling import MonotonicProgress, VideoLimits
from openrouter_multimodal.domain.errors import (
    ConfigurationError,
    ErrorCode,
    InvalidInput,
    JobFailed,
    OpenRouterMcpError,
    ResourceTooLarge,
    UnsafePath,
    UpstreamError,
)
from openrouter_multimodal.domain.job import JobStatus
from tests.video_fakes import CLIP, JOB_ID, FakeSleeper, FakeVideoApi, RecordingProgress, VideoRig, snap

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "media"


def command(**overrides: Any) -> GenerateVideoCommand:
    values: dict[str, Any] = {"prompt": "a river at dawn", **overrides}
    return GenerateVideoCommand(**values)


async def test_a_job_that_completes_within_the_wait_is_saved_and_inlined(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 50), snap("completed", cost="0.5")]))
    outcome = await rig.generate(command(save_path="river.mp4"))
    assert not outcome.still_running and outcome.video is not None
    assert outcome.video.name == "river.mp4"
    assert rig.output.location("river.mp4") == str(tmp_path / "outputs" / "river.mp4")
    assert rig.path(outcome.video.name).read_bytes() == CLIP and outcome.video.inline == CLIP
    assert (outcome.video.mime, outcome.video.size) == ("video/mp4", len(CLIP))
    stored = await rig.store.get(JOB_ID)
    assert stored is not None
    assert stored.status is JobStatus.COMPLETED and stored.output_path == outcome.video.name
    assert rig.audit.rows == [("generate_video", "ok", "0.5")] and rig.audit.events[0].job_id == JOB_ID
    assert rig.sleeper is not None and rig.sleeper.calls == [1.0, 1.0]


async def test_a_job_that_outlives_the_wait_is_still_running_then_resumes_after_a_restart(tmp_path: Path) -> None:
    before = SqliteStateStore(tmp_path / "state.sqlite3")
    first = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 10)]), store=StateJobStore(before))
    outcome = await first.generate(command(max_wait_ms=3_500))
    assert outcome.still_running and outcome.video is None
    assert outcome.job.status is JobStatus.IN_PROGRESS and outcome.job.progress == 10
    assert first.sleeper is not None and first.sleeper.calls == [1.0, 1.0, 1.0, 0.5]
    assert first.files() == []
    assert first.audit.rows == [("generate_video", "still_running", None)]
    await before.aclose()

    after = SqliteStateStore(tmp_path / "state.sqlite3")
    restarted = VideoRig(tmp_path, api=FakeVideoApi([snap("completed", cost="1.25")]),
                         store=StateJobStore(after))
    done = await restarted.status(JOB_ID)
    assert done.video is not None and restarted.path(done.video.name).read_bytes() == CLIP
    assert done.video.name == outcome.job.save_path  # the name reserved at submit time
    assert restarted.api.polls == [JOB_ID]
    assert restarted.audit.rows == [("generate_video", "ok", "1.25")]  # settles the submitting call's charge

    again = await restarted.status(JOB_ID)
    assert again.video is not None and again.video.name == done.video.name and not again.video.downloaded
    assert restarted.api.downloads == [JOB_ID] and restarted.api.polls == [JOB_ID]
    assert restarted.audit.rows == [("generate_video", "ok", "1.25")]
    await after.aclose()


async def test_a_failed_job_raises_job_failed_with_the_upstream_reason(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("failed", error="prompt violates the content policy")]))
    with pytest.raises(JobFailed, match="prompt violates the content policy") as caught:
        await rig.generate(command())
    assert caught.value.details == {"video_id": JOB_ID, "status": "failed"}
    assert rig.audit.rows == [("generate_video", "JOB_FAILED", None)] and rig.files() == []
    with pytest.raises(JobFailed, match="content policy"):
        await rig.status(JOB_ID)
    assert rig.audit.rows == [("generate_video", "JOB_FAILED", None)]


@pytest.mark.parametrize("status", ["cancelled", "expired"])
async def test_cancelled_or_expired_jobs_fail_saying_so(tmp_path: Path, status: str) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap(status)]))
    with pytest.raises(JobFailed, match=f"was {status} upstream"):
        await rig.generate(command())
    assert rig.api.downloads == []


@pytest.mark.parametrize("adapter_enforces_cap", [True, False])
async def test_a_video_over_the_cap_is_refused_and_leaves_no_file(tmp_path: Path, adapter_enforces_cap: bool) -> None:
    api = FakeVideoApi([snap("completed")], enforce_cap=adapter_enforces_cap)
    rig = VideoRig(tmp_path, api=api, limits=VideoLimits(gen_max_bytes=2_500, inline_max_bytes=100))
    with pytest.raises(ResourceTooLarge, match=r"\$\{video_gen_max_bytes\}"):
        await rig.generate(command(save_path="big.mp4"))
    assert rig.files() == []  # neither the file nor a .part temp file
    stored = await rig.store.get(JOB_ID)
    assert stored is not None
    assert stored.status is JobStatus.COMPLETED and stored.output_path is None


async def test_progress_reported_never_goes_backwards(tmp_path: Path) -> None:
    script = [snap("in_progress", 25), snap("in_progress", 75), snap("in_progress"), snap("in_progress", 90),
              snap("completed")]
    rig = VideoRig(tmp_path, api=FakeVideoApi(script))
    progress = RecordingProgress()
    await rig.generate(command(), progress)
    assert progress.numbers == [0, 25, 75, 75.01, 90, 100]
    assert all(total == 100 for _, total, _ in progress.values)
    assert progress.values[-1][2] == f"video {JOB_ID}: completed (100%)"


async def test_the_progress_guard_drops_regressions_and_survives_a_failing_client() -> None:
    inner = RecordingProgress(fail=True)
    guard = MonotonicProgress(inner)
    for value in (75, 50, 50, 99.99, 100):
        await guard.report(value, 100, "m")
    assert inner.numbers == [75, 75.01, 75.02, 99.99, 100]


async def test_transient_poll_errors_are_retried_until_the_deadline(tmp_path: Path) -> None:
    flaky = UpstreamError("502 from upstream", code=ErrorCode.UPSTREAM_HTTP)
    slow = UpstreamError("timed out", code=ErrorCode.UPSTREAM_TIMEOUT)
    rig = VideoRig(tmp_path, api=FakeVideoApi([flaky, slow, snap("completed")]))
    outcome = await rig.generate(command())
    assert outcome.video is not None and len(rig.api.polls) == 3


async def test_other_poll_errors_fail_the_call(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([UpstreamError("rejected", code=ErrorCode.UNAUTHORIZED)]))
    with pytest.raises(UpstreamError) as caught:
        await rig.generate(command())
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    assert await rig.store.get(JOB_ID) is not None


async def test_resuming_through_an_outage_raises_instead_of_reporting_stale_state(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 40)]))
    await rig.generate(command(max_wait_ms=0))
    rig.api.script = [UpstreamError("bad gateway", code=ErrorCode.UPSTREAM_HTTP)]
    with pytest.raises(UpstreamError, match="bad gateway"):
        await rig.status(JOB_ID)


async def test_a_save_path_outside_the_output_directory_fails_before_submitting(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    with pytest.raises(UnsafePath):
        await rig.generate(command(save_path="../escape.mp4"))
    assert rig.api.submits == [] and rig.audit.rows == [("generate_video", "UNSAFE_PATH", None)]


async def test_no_key_and_bad_arguments_fail_before_anything_is_spent(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    rig.credentials.configured = False
    with pytest.raises(ConfigurationError):
        await rig.generate(command())
    rig.credentials.configured = True
    for bad in (command(prompt=" "), command(duration=0), command(model="nope"), command(max_wait_ms=600_001),
                command(poll_interval_ms=10)):
        with pytest.raises(InvalidInput):
            await rig.generate(bad)
    assert rig.api.submits == [] and rig.files() == []


async def test_max_wait_zero_submits_without_polling(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    outcome = await rig.generate(command(max_wait_ms=0))
    assert outcome.still_running and rig.api.polls == [] and rig.sleeper is not None and rig.sleeper.calls == []
    assert rig.audit.rows == [("generate_video", "still_running", None)]


async def test_a_submit_error_is_audited_and_raised(tmp_path: Path) -> None:
    refused = UpstreamError("no credits", code=ErrorCode.UPSTREAM_REFUSED)
    rig = VideoRig(tmp_path, api=FakeVideoApi(submitted=refused))
    with pytest.raises(UpstreamError, match="no credits"):
        await rig.generate(command())
    assert rig.audit.rows == [("generate_video", "UPSTREAM_REFUSED", None)]
    assert rig.audit.events[0].detail == "no credits" and rig.audit.events[0].job_id is None


async def test_frame_and_reference_images_are_sent_as_data_urls(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="PNG")
    (tmp_path / "inputs" / "first.png").write_bytes(buffer.getvalue())
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    await rig.generate(command(first_frame_image=str(tmp_path / "inputs" / "first.png"), reference_images=(data_url,)))
    request = rig.api.submits[0]
    assert request.frame_images == (("first_frame", data_url),) and request.reference_images == (data_url,)


async def test_a_frame_image_outside_the_input_sandbox_is_refused(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    with pytest.raises(OpenRouterMcpError, match="frame image") as caught:
        await rig.generate(command(first_frame_image="/etc/hostname"))
    assert caught.value.code in (ErrorCode.UNSAFE_PATH, ErrorCode.INVALID_INPUT) and rig.api.submits == []


async def test_the_extension_follows_the_real_format(tmp_path: Path) -> None:
    webm = (FIXTURES / "clip.webm").read_bytes()
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("completed")], content=webm, mime="video/mp4"))
    outcome = await rig.generate(command(save_path="out/river.mp4"))
    assert outcome.video is not None and outcome.video.name == "out/river.webm"
    assert outcome.video.mime == "video/webm" and rig.files() == ["out/river.webm"]


async def test_a_video_over_the_inline_cap_is_saved_but_not_inlined(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, limits=VideoLimits(gen_max_bytes=1_000_000, inline_max_bytes=1_000))
    outcome = await rig.generate(command())
    assert outcome.video is not None and outcome.video.inline is None and outcome.video.size == len(CLIP)
    again = await rig.status(JOB_ID)
    assert again.video is not None and again.video.size is None and not again.video.downloaded


async def test_a_deleted_file_is_downloaded_again(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path)
    first = await rig.generate(command(save_path="keep.mp4"))
    assert first.video is not None
    rig.path(first.video.name).unlink()
    again = await rig.status(JOB_ID)
    assert again.video is not None and again.video.downloaded and rig.path(again.video.name).read_bytes() == CLIP
    assert len(rig.api.downloads) == 2


async def test_an_id_missing_from_the_store_is_adopted_from_the_upstream(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("completed", cost="2", id="elsewhere")]))
    outcome = await rig.status(" elsewhere ", save_path="adopted.mp4")
    assert outcome.video is not None and outcome.video.name == "adopted.mp4"
    stored = await rig.store.get("elsewhere")
    assert stored is not None
    assert stored.model == "unknown" and stored.output_path == outcome.video.name
    assert rig.audit.rows == [("generate_video", "ok", "2")] and rig.audit.events[0].job_id == "elsewhere"


async def test_get_video_status_can_wait_with_progress(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("pending")]))
    await rig.generate(command(max_wait_ms=0))
    rig.api.script = [snap("in_progress", 30), snap("in_progress", 20), snap("completed")]
    progress = RecordingProgress()
    outcome = await rig.status(JOB_ID, max_wait_ms=5_000, progress=progress)
    assert outcome.video is not None and progress.numbers == [30, 30.01, 100]


async def test_blank_video_id_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="video_id"):
        await VideoRig(tmp_path).status("  ")


async def test_cancelling_the_call_stops_waiting_and_keeps_the_job(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 5)]))

    def cancel(calls: int) -> None:
        if calls == 2:
            raise asyncio.CancelledError

    rig.sleeper = FakeSleeper(rig.clock, cancel)
    with pytest.raises(asyncio.CancelledError):
        await rig.generate(command())
    stored = await rig.store.get(JOB_ID)
    assert stored is not None
    assert stored.status is JobStatus.IN_PROGRESS and stored.progress == 5


async def test_list_video_jobs_filters_by_status_and_checks_its_arguments(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 10)], submitted=snap("pending", id="a")))
    await rig.generate(command(max_wait_ms=0))
    rig.clock.advance(60)
    rig.api.submitted_reply = snap("pending", id="b")
    rig.api.script = [snap("completed", id="b", cost="0.75")]
    await rig.generate(command())
    listing = await rig.listing(limit=10)
    assert [j.id for j in listing.jobs] == ["b", "a"]
    assert listing.jobs[1].age_seconds(listing.now) == 61  # b's call waited one poll interval
    assert [j.id for j in (await rig.listing(status="completed")).jobs] == ["b"]
    assert (await rig.listing(limit=1)).jobs[0].id == "b"
    for bad in ({"limit": 0}, {"status": "done"}):
        with pytest.raises(InvalidInput):
            await rig.listing(**bad)
