"""GenerateAudio against fakes: format checks, reservation before paying, extension correction, caps, audit."""

from __future__ import annotations

import io
import wave
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.speech_generation import (
    GenerateAudio,
    GenerateAudioCommand,
    SpeechDefaults,
    SpeechResult,
)
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, InvalidInput, UnsafePath, UpstreamError
from openrouter_multimodal.domain.generation import AudioResult, pcm16_to_wav
from openrouter_multimodal.domain.usage import Usage
from openrouter_multimodal.domain.wav import parse_wav
from tests.fakes import FakeCredentials, card
from tests.generation_fakes import FakeOutputStore, FakeSpeechGenerator
from tests.media_endpoint_fakes import FakeCostLookup, FakeSynthesizer, media_models
from tests.pipeline_fakes import Dispatch, SameSpace

pytestmark = pytest.mark.anyio

WAV = pcm16_to_wav(b"\x01\x00" * 24_000)  # one second of mono 24 kHz
MP3 = b"ID3\x04\x00" + b"\0" * 100
GPT_AUDIO = card("openai/gpt-audio", inputs=("text", "audio"), outputs=("text", "audio"))
TEXT = card("openai/gpt-4o-mini")
TTS = replace(card("openai/gpt-4o-mini-tts", outputs=("speech",)), voices=("alloy", "nova"))
VOXTRAL = card("mistralai/voxtral-mini-tts", outputs=("speech",))


def audio(data: bytes = WAV, fmt: str = "wav", cost: str | None = "0.0006") -> AudioResult:
    return AudioResult(data=data, format=fmt, transcript="Hello there", model="openai/gpt-audio",
                       usage=Usage(cost=Decimal(cost)) if cost else None)


class Rig:
    def __init__(self, result: AudioResult | None = None, *, error: Exception | None = None,
                 configured: bool = True, inline_max: int = 1 << 20, tts_result: AudioResult | None = None) -> None:
        self.events: list[str] = []
        self.generator = FakeSpeechGenerator(result or audio(), error=error, events=self.events)
        self.store = FakeOutputStore(self.events)
        self.synthesizer = FakeSynthesizer(tts_result or audio(data=MP3, fmt="mp3", cost=None), events=self.events)
        self.costs = FakeCostLookup({"gen-tts": Decimal("0.0021")})
        self.use_case = GenerateAudio(generator=self.generator, synthesizer=self.synthesizer,
                                      models=media_models([GPT_AUDIO, TEXT], speech=[TTS, VOXTRAL]),
                                      outputs=SameSpace(self.store), costs=self.costs,
                                      credentials=FakeCredentials(configured),
                                      defaults=SpeechDefaults(inline_max_bytes=inline_max, tts_model=TTS.id))
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
    layout = parse_wav(pcm16_to_wav(b"\0\0" * 12_000))
    assert layout is not None and layout.duration_s == pytest.approx(0.5)
    assert parse_wav(MP3) is None
    assert parse_wav(b"RIFF\0\0\0\0WAVE") is None


async def test_a_text_to_speech_model_goes_to_audio_speech_with_its_options() -> None:
    rig = Rig(tts_result=replace(audio(data=WAV, cost=None), generation_id="gen-tts"))
    result = await rig.run(model=TTS.id, voice="nova", speed=1.25, instructions="warm", format="wav")
    request = rig.synthesizer.requests[0]
    assert rig.generator.requests == [] and result.route == "speech"
    assert (request.voice, request.speed, request.response_format) == ("nova", 1.25, "pcm")
    assert request.provider_options == {"openai": {"instructions": "warm"}}
    assert result.cost == Decimal("0.0021") and rig.events == ["reserve", "synthesize", "write"]


async def test_tts_without_a_voice_uses_the_first_listed_and_says_so() -> None:
    rig = Rig()
    result = await rig.run(model=TTS.id, format="mp3")
    assert rig.synthesizer.requests[0].voice == "alloy" and rig.synthesizer.requests[0].response_format == "mp3"
    assert any("used alloy" in note for note in result.notes)


@pytest.mark.parametrize("kwargs,fragment", [
    ({"model": TTS.id, "format": "flac"}, "not available from text-to-speech models"),
    ({"model": TTS.id, "voice": "bogus"}, "not one of"),
    ({"model": VOXTRAL.id, "instructions": "calm"}, "takes no style instructions"),
    ({"model": GPT_AUDIO.id, "speed": 1.5}, "taken only by text-to-speech models"),
    ({"model": TEXT.id}, "does not output audio"),
])
async def test_options_a_speech_route_cannot_honour_are_refused_before_paying(kwargs: dict[str, Any],
                                                                               fragment: str) -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match=fragment):
        await rig.run(**kwargs)
    assert rig.synthesizer.requests == [] and rig.generator.requests == [] and "reserve" not in rig.events


async def test_speed_without_a_model_picks_the_default_tts_model() -> None:
    rig = Rig()
    await rig.run(speed=0.8)
    assert str(rig.synthesizer.requests[0].model) == TTS.id
