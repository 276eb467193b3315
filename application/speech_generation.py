"""The generate_audio use case: speech or music from a prompt, saved as a playable file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.generation import AudioRequest
from ..domain.model_id import ModelId
from ..domain.save_policy import correct_extension
from ..domain.setting_refs import setting
from ..domain.usage import Usage
from .audit import AuditLog
from .generation_ports import SpeechGenerator
from .job_ports import OutputStore
from .paid_generation import audited, save_output
from .ports import Credentials

TOOL = "generate_audio"
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
    the stream, surface as the adapter's ``UpstreamError``; one audit event is written per
    upstream attempt.
    """

    def __init__(self, generator: SpeechGenerator, store: OutputStore, credentials: Credentials, audit: AuditLog,
                 defaults: SpeechDefaults) -> None:
        self._generator = generator
        self._store = store
        self._credentials = credentials
        self._audit = audit
        self._defaults = defaults

    async def __call__(self, command: GenerateAudioCommand) -> SpeechResult:
        self._credentials.ensure_configured()
        model = ModelId.parse(command.model or self._defaults.model)
        fmt = command.format.strip().lower()
        request = AudioRequest(model=model, prompt=command.prompt, voice=command.voice.strip(), format=fmt)
        target = await self._store.reserve(command.save_path, stem="speech",
                                           extension=_SAVE_EXTENSIONS.get(fmt, fmt), overwrite=command.overwrite)
        with audited(self._audit, TOOL, str(model), command.prompt) as call:
            result = await self._generator.generate(request)
            call.cost = result.usage.cost if result.usage else None
            wanted = correct_extension(target, result.extension)
            name = await save_output(self._store, target, wanted, result.data, overwrite=command.overwrite,
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
