"""Generation values (images, speech, video jobs, rerank) and pure audio helpers: format sniffing and PCM→WAV."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .caller import Attribution
from .errors import InvalidInput
from .image_options import MAX_VARIANTS, OUTPUT_FORMATS, QUALITIES, RESOLUTIONS
from .model_id import ModelId
from .paid_call import ReportedCost
from .usage import Usage

ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8", "8:1")
IMAGE_SIZES = ("0.5K", "1K", "2K", "4K")
"""The chat route's ``image_config.image_size`` names; requests carry the ``/images`` tiers (``RESOLUTIONS``)."""
IMAGE_MODALITIES = ("image", "text")
AUDIO_FORMATS = ("wav", "mp3", "flac", "opus", "pcm16")
FRAME_TYPES = ("first_frame", "last_frame")
VIDEO_TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "expired"})
PCM16_SAMPLE_RATE = 24_000
"""OpenAI's pcm16 convention (24 kHz, mono, 16-bit little-endian); OpenRouter does not document it."""

_AUDIO_MIMES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg",
                "opus": "audio/ogg", "pcm16": "audio/pcm"}


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidInput(f"{field} '{value}' is not supported. Valid values: {', '.join(allowed)}.")


def _prompt(prompt: str) -> None:
    if not prompt.strip():
        raise InvalidInput("prompt is required.")


def _image_refs(field: str, refs: tuple[str, ...]) -> None:
    for ref in refs:
        if not ref.strip():
            raise InvalidInput(f"empty {field} entry: pass a data: URL or an https:// URL.")
        if not ref.startswith(("data:", "https://", "http://")):
            raise InvalidInput(f"{field} entries must be data: or http(s) URLs by the time they reach the model.")


@dataclass(frozen=True, slots=True)
class ImageRequest:
    model: ModelId
    prompt: str
    aspect_ratio: str | None = None
    resolution: str | None = None
    reference_images: tuple[str, ...] = ()
    modalities: tuple[str, ...] = IMAGE_MODALITIES
    max_tokens: int | None = None
    n: int = 1
    seed: int | None = None
    output_format: str | None = None
    quality: str | None = None
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        _prompt(self.prompt)
        _choice("aspect_ratio", self.aspect_ratio, ASPECT_RATIOS)
        _choice("resolution", self.resolution, RESOLUTIONS)
        _choice("output_format", self.output_format, OUTPUT_FORMATS)
        _choice("quality", self.quality, QUALITIES)
        if not 1 <= self.n <= MAX_VARIANTS:
            raise InvalidInput(f"n must be between 1 and {MAX_VARIANTS}.")
        if self.seed is not None and not 0 <= self.seed < 2**32:
            raise InvalidInput("seed must be between 0 and 4294967295.")
        for modality in self.modalities:
            _choice("modalities", modality, IMAGE_MODALITIES)
        if self.modalities and "image" not in self.modalities:
            raise InvalidInput("modalities must include 'image': use ['image', 'text'] or ['image'].")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise InvalidInput("max_tokens must be at least 1.")
        _image_refs("input_images", self.reference_images)


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    data: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class ImageResult:
    images: tuple[GeneratedImage, ...]
    text: str
    model: str
    provider: str | None = None
    usage: Usage | None = None
    finish_reason: str | None = None
    generation_id: str | None = None


@dataclass(frozen=True, slots=True)
class AudioRequest:
    model: ModelId
    prompt: str
    voice: str
    format: str
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        _prompt(self.prompt)
        if not self.voice.strip():
            raise InvalidInput("voice must not be blank: use e.g. 'alloy'.")
        _choice("format", self.format, AUDIO_FORMATS)


@dataclass(frozen=True, slots=True)
class AudioResult:
    """``format`` is what the bytes are (sniffed), not what was asked for; raw PCM16 arrives wrapped as wav."""

    data: bytes
    format: str
    transcript: str
    model: str
    provider: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None

    @property
    def mime(self) -> str:
        return _AUDIO_MIMES.get(self.format, "application/octet-stream")

    @property
    def extension(self) -> str:
        return "pcm" if self.format == "pcm16" else self.format


@dataclass(frozen=True, slots=True)
class VideoRequest:
    model: ModelId
    prompt: str
    resolution: str | None = None
    aspect_ratio: str | None = None
    duration: int | None = None
    seed: int | None = None
    frame_images: tuple[tuple[str, str], ...] = ()
    reference_images: tuple[str, ...] = ()
    provider_options: Mapping[str, Any] | None = None
    generate_audio: bool | None = None
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        if not self.prompt.strip() and not self.frame_images:
            raise InvalidInput("prompt is required (it may be omitted only when a frame image is given).")
        if self.duration is not None and self.duration < 1:
            raise InvalidInput("duration must be at least 1 second.")
        for frame_type, _ in self.frame_images:
            _choice("frame_type", frame_type, FRAME_TYPES)
        _image_refs("frame image", tuple(url for _, url in self.frame_images))
        _image_refs("reference_images", self.reference_images)


@dataclass(frozen=True, slots=True)
class VideoSnapshot:
    """One observation of an upstream video job; ``status`` is the raw upstream word."""

    id: str
    status: str
    progress: int | None = None
    polling_url: str | None = None
    result_urls: tuple[str, ...] = ()
    cost: Decimal | None = None
    error: str | None = None

    @property
    def is_terminal(self) -> bool:
        return self.status in VIDEO_TERMINAL_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status == "completed"


@dataclass(frozen=True, slots=True)
class RerankRequest:
    model: ModelId
    query: str
    documents: tuple[str, ...]
    top_n: int | None = None
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        if not self.query.strip():
            raise InvalidInput("query is required.")
        if not self.documents:
            raise InvalidInput("documents must be a non-empty array of strings.")
        if not all(isinstance(d, str) for d in self.documents):
            raise InvalidInput("every document must be a string.")
        if self.top_n is not None and self.top_n < 1:
            raise InvalidInput("top_n must be at least 1.")


@dataclass(frozen=True, slots=True)
class RerankHit:
    index: int
    score: float
    document: str | None = None


@dataclass(frozen=True, slots=True)
class RerankResult(ReportedCost):
    model: str
    hits: tuple[RerankHit, ...]
    provider: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: sync bits, and no reserved version, layer, bitrate or sample-rate index."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x03, (head[1] >> 1) & 0x03
    return version != 0x01 and layer != 0x00 and head[2] >> 4 != 0x0F and (head[2] >> 2) & 0x03 != 0x03


def detect_audio_format(data: bytes) -> str:
    """``wav``, ``mp3``, ``flac``, ``ogg`` or ``opus`` (Ogg with an OpusHead) by magic bytes; anything else is pcm16."""
    if data[:3] == b"ID3" or _mpeg_frame(data):
        return "mp3"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:4] == b"OggS":
        return "opus" if b"OpusHead" in data[:128] else "ogg"
    return "pcm16"


def pcm16_to_wav(pcm: bytes, sample_rate: int = PCM16_SAMPLE_RATE, channels: int = 1) -> bytes:
    """Wrap raw 16-bit little-endian PCM in a canonical 44-byte WAV header (a trailing partial frame is dropped)."""
    if sample_rate < 1 or channels < 1:
        raise InvalidInput("sample_rate and channels must be positive.")
    block_align = channels * 2
    body = pcm[: len(pcm) - len(pcm) % block_align]
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(body), b"WAVE", b"fmt ", 16, 1, channels,
                         sample_rate, sample_rate * block_align, block_align, 16, b"data", len(body))
    return header + body
