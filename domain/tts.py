"""Text-to-speech requests (``POST /audio/speech``): formats the endpoint sends, and where style options go."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .caller import Attribution
from .errors import InvalidInput
from .model_id import ModelId

SPEED_RANGE = (0.25, 4.0)
TTS_WIRE_FORMATS = {"mp3": "mp3", "wav": "pcm", "pcm16": "pcm"}
"""What to ask ``/audio/speech`` for, per format a caller may want: it sends only mp3 or raw PCM, and raw PCM
is wrapped as WAV here (so both ``wav`` and ``pcm16`` are served from ``pcm``)."""
STYLE_PROVIDERS = {"openai": "instructions"}
"""Model authors whose speech endpoint takes free-text style instructions, and the ``provider.options`` key."""


def tts_wire_format(requested: str) -> str:
    """The ``response_format`` to request for ``requested``; INVALID_INPUT for formats only chat audio makes."""
    wire = TTS_WIRE_FORMATS.get(requested)
    if wire is None:
        raise InvalidInput(f"format '{requested}' is not available from text-to-speech models (they send mp3 or "
                           "PCM, and no local encoder is bundled): use wav or mp3, or a chat audio model such as "
                           "openai/gpt-audio.")
    return wire


def style_options(model: ModelId, instructions: str | None) -> dict[str, dict[str, str]] | None:
    """``provider.options`` carrying ``instructions`` for the model's provider, or None when it takes none."""
    if instructions is None:
        return {}
    key = STYLE_PROVIDERS.get(model.author)
    return {model.author: {key: instructions}} if key else None


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    model: ModelId
    text: str
    voice: str | None = None
    response_format: str = "pcm"
    speed: float | None = None
    provider_options: Mapping[str, Any] = field(default_factory=dict)
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise InvalidInput("prompt is required.")
        if self.response_format not in ("mp3", "pcm"):
            raise InvalidInput("response_format must be mp3 or pcm.")
        if self.speed is not None and not SPEED_RANGE[0] <= self.speed <= SPEED_RANGE[1]:
            raise InvalidInput(f"speed must be between {SPEED_RANGE[0]} and {SPEED_RANGE[1]}.")
        if self.voice is not None and not self.voice.strip():
            raise InvalidInput("voice must not be blank: omit it for the model's default voice.")
