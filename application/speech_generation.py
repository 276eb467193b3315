"""The generate_audio use case: speech or music from a prompt, saved as a playable file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.generation import AudioRequest
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from ..domain.save_policy import correct_extension
from ..domain.setting_refs import setting
from ..domain.usage import Usage
from .call import ToolCall
from .generation_ports import SpeechGenerator
from .job_ports import OutputSpaces
from .paid_generation import charged, save_lock, save_output
from .ports import Credentials

_SAVE_EXTENSIONS = {"pcm16": "wav"}
"""Raw PCM16 arrives wrapped as WAV (the adapter adds the header), so it is reserved as ``.wav``."""


@dataclass(frozen=True, slots=True)
class SpeechDefaults:
    model: str = "openai/gpt-audio"
    inline_max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GenerateAudioCommand:
    prompt: str
    model: str | None = None
    voice: str = "alloy"
    format: str = "wav"
    save_path: str | None = None
    overwrite: bool = False

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.prompt, lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class SpeechResult:
    """The saved audio under the store ``name``; ``inline`` holds its bytes only when they are under the inline cap."""

    name: str
    size: int
    format: str
    mime: str
    transcript: str
    model: str
    provider: str | None = None
    usage: Usage | None = None
    duration_s: float | None = None
    inline: bytes | None = None
    notes: tuple[str, ...] = ()

    @property
    def cost(self) -> Decimal | None:
        return self.usage.cost if self.usage else None

    @property
    def billing(self) -> Billing:
        return Billing(model=self.model, cost_usd=self.cost)


def wav_duration(data: bytes) -> float | None:
    """Seconds of audio in a RIFF/WAVE file (from the fmt byte rate and data length); None if not a WAV."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, byte_rate = 12, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        if chunk == b"fmt " and size >= 16:
            byte_rate = int.from_bytes(data[pos + 16 : pos + 20], "little")
        elif chunk == b"data":
            return min(size, len(data) - pos - 8) / byte_rate if byte_rate else None
        pos += 8 + size + (size & 1)
    return None


class GenerateAudio:
    """Makes speech (or music) with an audio-output model and saves it under the output directory.

    Why this order: the call is billed, so the key (CONFIGURATION), the arguments
    (INVALID_INPUT via ``AudioRequest``; an unknown ``format`` is refused, never silently
    pcm16) and the save target (``OutputStore.reserve``: UNSAFE_PATH, INVALID_INPUT for an
    existing file without ``overwrite``, CONFIGURATION for an unwritable output directory) are
    checked before the upstream is asked. The file gets the extension of the format actually
    received (sniffed by the adapter). Upstream failures, including an error in the middle of
    the stream, surface as the adapter's ``UpstreamError``; a failure to save after paying carries
    the call's ``billing``.
    """

    def __init__(self, *, generator: SpeechGenerator, outputs: OutputSpaces, credentials: Credentials,
                 defaults: SpeechDefaults) -> None:
        self._generator = generator
        self._outputs = outputs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[GenerateAudioCommand]) -> SpeechResult:
        self._credentials.ensure_configured()
        command = call.command
        store = self._outputs.for_caller(call.caller)
        model = ModelId.parse(command.model or self._defaults.model)
        fmt = command.format.strip().lower()
        request = AudioRequest(model=model, prompt=command.prompt, voice=command.voice.strip(), format=fmt,
                               attribution=call.attribution)
        target = await store.reserve(command.save_path, stem="speech", extension=_SAVE_EXTENSIONS.get(fmt, fmt),
                                     overwrite=command.overwrite)
        result = await self._generator.generate(request)
        with charged(Billing(model=result.model, cost_usd=result.usage.cost if result.usage else None)):
            wanted = correct_extension(target, result.extension)
            name = await save_output(store, target, wanted, result.data, overwrite=command.overwrite,
                                     stem="speech")
        notes: list[str] = []
        if result.format != fmt and not (fmt == "pcm16" and result.format == "wav"):
            notes.append(f"asked for {fmt}, the model sent {result.format}; saved as {result.format}.")
        inline = result.data if len(result.data) <= self._defaults.inline_max_bytes else None
        if inline is None:
            notes.append(f"the audio ({len(result.data)} bytes) is over {setting('audio_inline_max_bytes')} "
                         f"({self._defaults.inline_max_bytes}), so it is not inline: open the saved file.")
        return SpeechResult(name=name, size=len(result.data), format=result.format, mime=result.mime,
                            transcript=result.transcript, model=result.model, provider=result.provider,
                            usage=result.usage, duration_s=wav_duration(result.data), inline=inline,
                            notes=tuple(notes))
