"""Paid tools check the real output directory before paying: uncreatable or full means no upstream request."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.caller_spaces import LocalCallerSpaces
from openrouter_multimodal.application.image_generation import GenerateImage, GenerateImageCommand, ImageDefaults
from openrouter_multimodal.application.image_routing import ImageRouter
from openrouter_multimodal.application.speech_generation import GenerateAudio, GenerateAudioCommand, SpeechDefaults
from openrouter_multimodal.application.video_jobs import GenerateVideoCommand
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, UpstreamError
from openrouter_multimodal.domain.generation import AudioResult
from tests.fakes import FakeCredentials, as_call
from tests.generation_fakes import FakeImageGenerator, FakeMediaSource, FakePreviewer, FakeSpeechGenerator
from tests.media_endpoint_fakes import FakeCostLookup, FakeSynthesizer, media_models
from tests.support.disk_faults import disk_full_after
from tests.video_fakes import VideoRig

pytestmark = pytest.mark.anyio

Fault = Callable[[Path], tuple[Path, AbstractContextManager[None]]]


def uncreatable(tmp: Path) -> tuple[Path, AbstractContextManager[None]]:
    (tmp / "a-file").write_bytes(b"x")
    return tmp / "a-file" / "outputs", nullcontext()


def full(tmp: Path) -> tuple[Path, AbstractContextManager[None]]:
    return tmp / "outputs", disk_full_after(0)


FAULTS = pytest.mark.parametrize("fault", [uncreatable, full], ids=["uncreatable", "full"])


def _outputs(root: Path) -> LocalCallerSpaces:
    """The real per-caller output spaces over ``root`` (the local caller writes to the root itself)."""
    return LocalCallerSpaces(output_root=str(root), input_roots=[], allow_unsafe=False)


def _image(root: Path, generator: FakeImageGenerator) -> GenerateImage:
    router = ImageRouter(models=media_models(), example="x/y")
    return GenerateImage(generator=generator, images_endpoint=generator, router=router, outputs=_outputs(root),
                         loader=FakeMediaSource(), preparer=FakePreviewer(), previewer=FakePreviewer(),
                         costs=FakeCostLookup(), credentials=FakeCredentials(), defaults=ImageDefaults())


@FAULTS
async def test_generate_image_does_not_pay_when_the_output_directory_cannot_be_written(
        tmp_path: Path, fault: Fault) -> None:
    root, condition = fault(tmp_path)
    generator = FakeImageGenerator()
    with condition, pytest.raises(ConfigurationError, match=r"\$\{output_dir\}"):
        await _image(root, generator)(as_call(GenerateImageCommand(prompt="a cat", save_path="pets/cat.png")))
    assert generator.requests == []


@FAULTS
async def test_generate_audio_does_not_pay_when_the_output_directory_cannot_be_written(
        tmp_path: Path, fault: Fault) -> None:
    root, condition = fault(tmp_path)
    generator = FakeSpeechGenerator(AudioResult(data=b"RIFF", format="wav", transcript="", model="m"))
    use_case = GenerateAudio(generator=generator, synthesizer=FakeSynthesizer(generator.result),
                             models=media_models(), outputs=_outputs(root), costs=FakeCostLookup(),
                             credentials=FakeCredentials(), defaults=SpeechDefaults())
    with condition, pytest.raises(ConfigurationError, match=r"\$\{output_dir\}"):
        await use_case(as_call(GenerateAudioCommand(prompt="Say hello")))
    assert generator.requests == []


@pytest.mark.parametrize("full_disk", [False, True], ids=["uncreatable", "full"])
async def test_generate_video_does_not_submit_when_the_output_directory_cannot_be_written(
        tmp_path: Path, full_disk: bool) -> None:
    if not full_disk:
        (tmp_path / "outputs").write_bytes(b"a file where the output directory should be")
    rig = VideoRig(tmp_path)
    with disk_full_after(0) if full_disk else nullcontext(), \
            pytest.raises(ConfigurationError, match=r"\$\{output_dir\}"):
        await rig.generate(GenerateVideoCommand(prompt="a river"))
    assert rig.api.submits == [] and rig.audit.rows == [("generate_video", "CONFIGURATION", None)]


async def test_a_failed_paid_call_leaves_no_empty_directories(tmp_path: Path) -> None:
    generator = FakeImageGenerator(error=UpstreamError("model overloaded", code=ErrorCode.UPSTREAM_HTTP))
    with pytest.raises(UpstreamError):
        await _image(tmp_path / "outputs", generator)(
            as_call(GenerateImageCommand(prompt="a cat", save_path="a/b/cat.png")))
    assert generator.requests != [] and list((tmp_path / "outputs").iterdir()) == []
