"""A finished video is settled exactly once, survives a full disk, and only real video is kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.output_writer import temp_name
from openrouter_multimodal.application.video_jobs import GenerateVideoCommand
from openrouter_multimodal.application.video_polling import VideoOutcome
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, UpstreamError
from openrouter_multimodal.domain.job import JobStatus
from tests.support.disk_faults import disk_full_after
from tests.video_fakes import CLIP, JOB_ID, FakeSleeper, FakeVideoApi, RendezvousVideoApi, VideoRig, snap

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56


async def test_two_callers_on_one_job_download_it_once_and_both_get_the_file(tmp_path: Path) -> None:
    api = RendezvousVideoApi([snap("completed", 100, cost="1.60")], chunk=100)
    rig = VideoRig(tmp_path, api=api)
    status_call: list[asyncio.Task[VideoOutcome]] = []

    def start_status_while_generate_waits(sleeps: int) -> None:
        if sleeps == 1:
            status_call.append(asyncio.create_task(rig.status(JOB_ID)))

    rig.sleeper = FakeSleeper(rig.clock, on_sleep=start_status_while_generate_waits)
    generated = await rig.generate(GenerateVideoCommand(prompt="a river", save_path="river.mp4"))
    resumed = await status_call[0]
    assert api.polls == [JOB_ID, JOB_ID]
    assert api.downloads == [JOB_ID]
    assert generated.video is not None and resumed.video is not None
    assert generated.video.name == resumed.video.name == "river.mp4"
    assert rig.files() == ["river.mp4"] and rig.path("river.mp4").read_bytes() == CLIP
    charged = [(e.tool, e.outcome, str(e.cost_usd), e.job_id) for e in rig.audit.events if e.cost_usd is not None]
    assert charged == [("generate_video", "ok", "1.60", JOB_ID)]  # one settling row, whoever ended the job
    assert len(rig.audit.events) == 2  # the paid generate_video call itself, and that one settlement
    stored = await rig.store.get(JOB_ID)
    assert stored is not None and stored.output_path == "river.mp4"


async def test_a_full_disk_keeps_the_job_and_a_later_call_finishes_it(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("completed", cost="1.60")], chunk=500))
    with disk_full_after(len(CLIP) // 2), pytest.raises(ConfigurationError) as caught:
        await rig.generate(GenerateVideoCommand(prompt="a river", save_path="river.mp4"))
    assert caught.value.details == {"reason": "no_space", "video_id": JOB_ID}
    assert "free disk space" in caught.value.message and f"video_id='{JOB_ID}'" in caught.value.message
    stored = await rig.store.get(JOB_ID)
    assert stored is not None and stored.status is JobStatus.COMPLETED and stored.output_path is None
    assert rig.files() == [] and not any(p.name.endswith(".part") for p in (tmp_path / "outputs").iterdir())
    done = await rig.status(JOB_ID)
    assert done.video is not None and rig.path(done.video.name).read_bytes() == CLIP
    assert rig.audit.rows == [("generate_video", "CONFIGURATION", "1.60")]  # paid once, audited once


async def test_a_resumed_job_that_ends_in_a_failed_save_is_still_audited_with_its_cost(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 10)], chunk=500))
    await rig.generate(GenerateVideoCommand(prompt="a river", save_path="river.mp4", max_wait_ms=0))
    rig.api.script = [snap("completed", cost="1.60")]
    with disk_full_after(len(CLIP) // 2), pytest.raises(ConfigurationError):
        await rig.status(JOB_ID)
    assert rig.audit.rows == [("generate_video", "still_running", None), ("generate_video", "CONFIGURATION", "1.60")]
    done = await rig.status(JOB_ID)
    assert done.video is not None and len(rig.audit.events) == 2


async def test_stale_temp_files_of_a_job_are_removed_when_it_resumes(tmp_path: Path) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("in_progress", 10)]))
    await rig.generate(GenerateVideoCommand(prompt="a river", save_path="clips/river.mp4", max_wait_ms=0))
    (tmp_path / "outputs" / "clips").mkdir(parents=True)
    (tmp_path / "outputs" / "clips" / temp_name("river.mp4", JOB_ID)).write_bytes(CLIP[:100])
    (tmp_path / "outputs" / "clips" / (other := temp_name("river.mp4", "other-job"))).write_bytes(b"not ours")
    rig.api.script = [snap("completed")]
    done = await rig.status(JOB_ID)
    assert done.video is not None and done.video.name == "clips/river.mp4"
    assert sorted(p.name for p in (tmp_path / "outputs" / "clips").iterdir()) == sorted([other, "river.mp4"])


@pytest.mark.parametrize("body", [b"<html>Found</html>", b'{"error": "gone"}', PNG], ids=["html", "json", "png"])
async def test_a_download_that_is_not_a_video_is_refused_and_the_job_kept(tmp_path: Path, body: bytes) -> None:
    rig = VideoRig(tmp_path, api=FakeVideoApi([snap("completed", cost="1.60")], content=body))
    with pytest.raises(UpstreamError) as caught:
        await rig.generate(GenerateVideoCommand(prompt="a river", save_path="river.mp4"))
    assert caught.value.code is ErrorCode.UPSTREAM_HTTP and caught.value.details["reason"] == "not_a_video"
    assert f"video_id='{JOB_ID}'" in caught.value.message
    assert rig.files() == []
    stored = await rig.store.get(JOB_ID)
    assert stored is not None and stored.status is JobStatus.COMPLETED and stored.output_path is None
    rig.api.content = CLIP
    done = await rig.status(JOB_ID)
    assert done.video is not None and done.video.downloaded and rig.files() == ["river.mp4"]
