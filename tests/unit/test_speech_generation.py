"""GenerateAudio against fakes: format checks, reservation before paying, extension correction, caps, audit."""

from __future__ import annotations

import io
import wave
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.speech_generation import (
    GenerateAudio,
    GenerateAudioCommand,
    SpeechDefaults,
    SpeechResult,
    wav_duration,
)
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, InvalidInput, UnsafePath, UpstreamError
from openrouter_multimodal.domain.generation import AudioResult, pcm16_to_wav
from openrouter_multimodal.domain.usage import Usage
from tests.fakes import FakeCredentials
from tests.generation_fakes import FakeOutputStore, FakeSpeechGenerator
from tests.pipeline_fakes import Dispatch, SameSpace

pytestmark = pytest.mark.anyio

WAV = pcm16_to_wav(b"\x01\x00" * 24_000)  # one second of mono 24 kHz
MP3 = b"ID3\x04\x00" + b"\0" * 100


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def audio(data: bytes = WAV, fmt: str = "wav", cost: str | None = "0.0006") -> AudioResult:
    return AudioResult(data=data, format=fmt, transcript="Hello there", model="openai/gpt-audio",
                       usage=Usage(cost=Decimal(cost)) if cost else None)


class Rig:
    def __init__(self, result: AudioResult | None = None, *, error: Exception | None = None,
                 configured: bool = True, inline_max: int = 1 << 20) -> None:
        self.events: list[str] = []
        self.generator = FakeSpeechGenerator(result or audio(), error=error, events=self.events)
        self.store = FakeOutputStore(self.events)
        self.use_case = GenerateAudio(generator=self.generator, outputs=SameSpace(self.store),
                                      credentials=FakeCredentials(configured),
                                      defaults=SpeechDefaults(inline_max_bytes=inline_max))
        self.dispatch = Dispatch({"generate_audio": self.use_case})
        self.audit = self.dispatch.audit

    async def run(self, **kwargs: Any) -> SpeechResult:
        result: SpeechResult = await self.dispatch("generate_audio",
                                                   GenerateAudioCommand(**{"prompt": "Say hello", **kwargs}))
        return result


async def test_speech_is_saved_as_wav_after_the_target_was_reserved() -> None:
    rig = Rig()
    result = await rig.run(save_path="hello", format="pcm16")
    assert rig.events == ["reserve", "generate", "write"]
    assert result.name == "hello.wav" and rig.store.files["hello.wav"] == WAV
    with wave.open(io.BytesIO(rig.store.files[result.name])) as clip:
        assert (clip.getnchannels(), clip.getframerate()) == (1, 24_000)
    assert result.duration_s == pytest.approx(1.0) and result.transcript == "Hello there"
    assert rig.generator.requests[0].format == "pcm16" and rig.generator.requests[0].voice == "alloy"


async def test_an_unknown_format_is_invalid_input_listing_the_formats() -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match="format 'aac' is not supported.*wav, mp3, flac, opus, pcm16"):
        await rig.run(format="aac")
    assert rig.events == []


async def test_unsafe_or_taken_targets_fail_before_paying() -> None:
    rig = Rig()
    with pytest.raises(UnsafePath):
        await rig.run(save_path="/etc/speech.wav")
    rig.store.files["taken.wav"] = b"mine"
    with pytest.raises(InvalidInput, match="overwrite"):
        await rig.run(save_path="taken.wav")
    assert rig.generator.requests == []
    assert [(e.outcome, e.cost_usd) for e in rig.audit.events] == [("UNSAFE_PATH", None), ("INVALID_INPUT", None)]
    assert rig.store.files["taken.wav"] == b"mine"


async def test_missing_key_is_configuration() -> None:
    rig = Rig(configured=False)
    with pytest.raises(ConfigurationError):
        await rig.run()
    assert rig.events == []


async def test_the_extension_follows_the_format_actually_received() -> None:
    rig = Rig(audio(MP3, "mp3"))
    result = await rig.run(save_path="song.wav")
    assert result.name == "song.mp3" and result.duration_s is None
    assert "the model sent mp3" in result.notes[0]


async def test_audio_is_inline_only_under_the_cap() -> None:
    assert (await Rig(inline_max=len(WAV)).run()).inline == WAV
    big = await Rig(inline_max=len(WAV) - 1).run()
    assert big.inline is None and "${audio_inline_max_bytes}" in big.notes[-1]


async def test_success_and_failure_are_each_audited_once() -> None:
    rig = Rig()
    await rig.run()
    failing = Rig(error=UpstreamError("mid-stream error", status=502))
    with pytest.raises(UpstreamError):
        await failing.run()
    assert [(e.tool, e.outcome, e.cost_usd) for e in rig.audit.events] == [
        ("generate_audio", "ok", Decimal("0.0006"))]
    assert [(e.outcome, e.cost_usd) for e in failing.audit.events] == [(ErrorCode.UPSTREAM_HTTP.value, None)]


def test_wav_duration_reads_the_header_and_ignores_other_formats() -> None:
    assert wav_duration(pcm16_to_wav(b"\0\0" * 12_000)) == pytest.approx(0.5)
    assert wav_duration(MP3) is None
    assert wav_duration(b"RIFF\0\0\0\0WAVE") is None
