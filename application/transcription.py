"""The transcribe_audio use case: speech to text through ``/audio/transcriptions``, long audio split and joined."""

from __future__ import annotations

import asyncio
import base64
import json
from contextlib import nullcontext
from dataclasses import dataclass, replace
from decimal import Decimal

from ..domain.errors import InvalidInput
from ..domain.media import MediaKind
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from ..domain.transcription import (
    LANGUAGE,
    TIMED_FORMATS,
    TRANSCRIPT_FORMATS,
    Transcript,
    TranscriptionRequest,
    cues,
    join_transcripts,
    render_srt,
    render_vtt,
)
from ..domain.wav import parse_wav, split_wav
from .call import ToolCall
from .generation_costs import with_cost
from .generation_ports import CostLookup, Transcriber
from .image_generation import MediaSource
from .job_ports import OutputSpaces
from .media_loading import LoadedMedia
from .media_models import Listing, MediaModels
from .paid_generation import charged, save_lock, save_output
from .ports import Credentials

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class TranscriptionDefaults:
    """``chunk_seconds``/``chunk_bytes``: the most audio sent in one request (providers stop after about 60 s of
    work, and the upload form takes 25 MB)."""

    model: str = "openai/whisper-large-v3"
    chunk_seconds: float = 600.0
    chunk_bytes: int = 24 * MIB


@dataclass(frozen=True, slots=True)
class TranscribeAudioCommand:
    audio: str
    model: str | None = None
    language: str | None = None
    format: str = "text"
    save_path: str | None = None
    overwrite: bool = False

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class TranscriptionResult:
    """``rendered`` is the transcript in ``format``; srt and vtt are also saved under ``name``."""

    transcript: Transcript
    format: str
    rendered: str
    pieces: int = 1
    name: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        return self.transcript.model

    @property
    def cost(self) -> Decimal | None:
        return self.transcript.usage.cost if self.transcript.usage else None

    @property
    def billing(self) -> Billing:
        return Billing.reported(self.model, self.transcript.usage, self.transcript.generation_id)


async def audio_bytes(loaded: LoadedMedia) -> bytes:
    """The whole audio in memory (at most the audio download cap): splitting needs the samples."""
    if loaded.data is not None:
        return loaded.data
    if loaded.base64 is not None:
        return await asyncio.to_thread(base64.b64decode, loaded.base64)
    assert loaded.chunks is not None
    return b"".join([chunk async for chunk in loaded.chunks()])


def render(transcript: Transcript, fmt: str) -> str:
    if fmt == "text":
        return transcript.text
    if fmt == "srt":
        return render_srt(cues(transcript))
    if fmt == "vtt":
        return render_vtt(cues(transcript))
    document: dict[str, object] = {"text": transcript.text, "language": transcript.language,
                                   "duration": transcript.duration_s}
    if fmt == "verbose_json":
        document["segments"] = [{"start": s.start, "end": s.end, "text": s.text} for s in transcript.segments]
    return json.dumps(document, ensure_ascii=False)


class TranscribeAudio:
    """Writes down what is said in an audio file (a path, an http(s) URL or a data URL) with a speech-to-text model.

    Why: a transcript with timestamps is a different job from asking a chat model about audio
    (analyze_audio). How: the key, the format, the language and the model (MODEL_NOT_FOUND when the
    transcription listing does not have it) are checked, and the audio loaded through ``MediaLoader``
    (sandbox, SSRF guard, size caps), before anything is paid. WAV longer than the per-request limit is
    cut on whole frames and each piece transcribed in turn, timestamps shifted; compressed audio over
    the byte limit cannot be cut here and is INVALID_INPUT (convert it to WAV). text, srt and vtt are
    rendered here (the upstream answers only json and verbose_json); srt and vtt are saved as files.
    A failure after a piece was paid carries the cost paid so far.
    """

    def __init__(self, *, transcriber: Transcriber, loader: MediaSource, models: MediaModels, outputs: OutputSpaces,
                 costs: CostLookup, credentials: Credentials, defaults: TranscriptionDefaults) -> None:
        self._transcriber = transcriber
        self._loader = loader
        self._models = models
        self._outputs = outputs
        self._costs = costs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[TranscribeAudioCommand]) -> TranscriptionResult:
        self._credentials.ensure_configured()
        command = call.command
        fmt = command.format.strip().lower()
        if fmt not in TRANSCRIPT_FORMATS:
            raise InvalidInput(f"format '{fmt}' is not supported. Valid values: {', '.join(TRANSCRIPT_FORMATS)}.")
        language = command.language.strip().lower() if command.language else None
        if language is not None and not LANGUAGE.fullmatch(language):
            raise InvalidInput(f"language '{command.language}' is not an ISO-639-1 code: use e.g. 'en' or 'de'.")
        model = ModelId.parse(command.model or self._defaults.model)
        await self._models.ensure_listed(model, Listing.TRANSCRIPTION)
        store = self._outputs.for_caller(call.caller)
        target = None
        if fmt in ("srt", "vtt"):
            target = await store.reserve(command.save_path, stem="transcript", extension=fmt,
                                         overwrite=command.overwrite)
        loaded = await self._loader.load(command.audio, MediaKind.AUDIO, call.caller)
        audio_format = loaded.format.audio_format or loaded.format.value
        pieces, notes = self._pieces(await audio_bytes(loaded), audio_format)
        done: list[tuple[float, Transcript]] = []
        for index, (offset, piece) in enumerate(pieces):
            if len(pieces) > 1:
                await call.progress.report(index, len(pieces), f"transcribing piece {index + 1} of {len(pieces)}")
            with charged(_paid(str(model), done)) if done else nullcontext():
                part = await self._transcriber.transcribe(TranscriptionRequest(
                    model=model, audio=piece, audio_format=audio_format, language=language,
                    timed=fmt in TIMED_FORMATS, attribution=call.attribution))
                part = replace(part, usage=await with_cost(part.usage, part.generation_id, self._costs))
            done.append((offset, part))
        transcript = join_transcripts(done)
        rendered = render(transcript, fmt)
        if fmt in ("srt", "vtt") and not transcript.segments:
            notes.append("the model sent no timestamps, so the file has one cue spanning the audio.")
        name = None
        if target is not None:
            with charged(_paid(str(model), done)):
                name = await save_output(store, target, target, rendered.encode(), overwrite=command.overwrite,
                                         stem="transcript")
        return TranscriptionResult(transcript=transcript, format=fmt, rendered=rendered, pieces=len(pieces),
                                   name=name, notes=tuple(notes))

    def _pieces(self, data: bytes, audio_format: str) -> tuple[list[tuple[float, bytes]], list[str]]:
        limit_s, limit_bytes = self._defaults.chunk_seconds, self._defaults.chunk_bytes
        layout = parse_wav(data) if audio_format == "wav" else None
        if layout is not None:
            pieces = split_wav(data, layout, max_seconds=limit_s, max_bytes=limit_bytes)
            notes = [f"the WAV audio ({layout.duration_s:.1f} s) was split on frame boundaries into {len(pieces)} "
                     f"pieces of at most {limit_s:g} s, transcribed in turn and joined."] if len(pieces) > 1 else []
            return pieces, notes
        if len(data) > limit_bytes:
            raise InvalidInput(f"the {audio_format} audio is {len(data)} bytes, over the {limit_bytes}-byte "
                               "per-request limit (${transcription_chunk_bytes}); only WAV is split here: convert "
                               "it to WAV or cut it into shorter files.")
        return [(0.0, data)], []


def _paid(model: str, done: list[tuple[float, Transcript]]) -> Billing:
    """What the pieces transcribed so far cost (None if any did not say)."""
    costs = [t.usage.cost if t.usage else None for _, t in done]
    total = sum((c for c in costs if c is not None), Decimal(0)) if costs and None not in costs else None
    return Billing(model=model, cost_usd=total)
