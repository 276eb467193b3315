"""Transcripts: the request, timed segments, pieces joined in order, and text, SRT and WebVTT rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .caller import Attribution
from .errors import InvalidInput
from .model_id import ModelId
from .usage import Usage

TRANSCRIPT_FORMATS = ("text", "json", "srt", "vtt", "verbose_json")
TIMED_FORMATS = frozenset({"srt", "vtt", "verbose_json"})
"""Formats rendered from segments, so the upstream is asked for ``verbose_json`` (it answers only json and that)."""
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    """``audio`` is one piece of at most the per-request limit; ``audio_format`` the upstream's format name."""

    model: ModelId
    audio: bytes
    audio_format: str
    language: str | None = None
    timed: bool = False
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        if not self.audio:
            raise InvalidInput("the audio is empty: pass a file with content.")
        if self.language is not None and not LANGUAGE.fullmatch(self.language):
            raise InvalidInput(f"language '{self.language}' is not an ISO-639-1 code: use e.g. 'en' or 'de'.")


@dataclass(frozen=True, slots=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    model: str
    segments: tuple[Segment, ...] = ()
    language: str | None = None
    duration_s: float | None = None
    provider: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None


def join_transcripts(pieces: list[tuple[float, Transcript]]) -> Transcript:
    """One transcript from pieces that start at the given offsets: segments shifted, texts joined with a space,
    durations and costs summed (a cost is known only when every piece reported one)."""
    first = pieces[0][1]
    if len(pieces) == 1:
        return first
    segments = tuple(Segment(offset + s.start, offset + s.end, s.text) for offset, t in pieces for s in t.segments)
    durations = [t.duration_s for _, t in pieces]
    costs = [t.usage.cost if t.usage else None for _, t in pieces]
    usage = Usage(prompt_tokens=sum(t.usage.prompt_tokens for _, t in pieces if t.usage),
                  completion_tokens=sum(t.usage.completion_tokens for _, t in pieces if t.usage),
                  total_tokens=sum(t.usage.total_tokens for _, t in pieces if t.usage),
                  cost=sum((c for c in costs if c is not None), Decimal(0)) if None not in costs else None)
    return Transcript(text=" ".join(t.text.strip() for _, t in pieces if t.text.strip()), model=first.model,
                      segments=segments, language=first.language, provider=first.provider, usage=usage,
                      duration_s=sum(d for d in durations if d is not None) if None not in durations else None,
                      generation_id=first.generation_id)


def cues(transcript: Transcript) -> tuple[Segment, ...]:
    """The timed segments, or one cue spanning the whole audio when the upstream sent text without segments."""
    if transcript.segments:
        return transcript.segments
    if transcript.text.strip() and transcript.duration_s:
        return (Segment(0.0, transcript.duration_s, transcript.text.strip()),)
    return ()


def _stamp(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def _cue_text(text: str) -> str:
    """Cue text on its own lines, with no blank line (which would end the cue) and no ``-->``."""
    lines = [line.strip() for line in text.replace("-->", "->").splitlines()]
    return "\n".join(line for line in lines if line) or "..."


def render_srt(segments: tuple[Segment, ...]) -> str:
    blocks = [f"{n}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{_cue_text(s.text)}\n"
              for n, s in enumerate(segments, 1)]
    return "\n".join(blocks)


def render_vtt(segments: tuple[Segment, ...]) -> str:
    blocks = [f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{_cue_text(s.text)}\n" for s in segments]
    return "WEBVTT\n\n" + "\n".join(blocks)
