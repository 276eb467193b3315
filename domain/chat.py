"""Chat request and result values, and the rules that shape a conversation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .caller import Attribution
from .errors import InvalidInput
from .model_id import ModelId
from .paid_call import CallFacts, ReportedCost
from .provider_preferences import ProviderPreferences
from .usage import Usage

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image sent with a message: its encoded bytes and MIME type. How it travels is the adapter's business."""

    mime: str
    data: bytes = field(repr=False)
    cache: bool = False


ContentPart = dict[str, Any] | InlineImage | str
"""A caller's OpenAI-style part (passed through as given), an image this server prepared, or plain text."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str | tuple[ContentPart, ...]

    def estimated_tokens(self) -> int:
        """A deliberately generous estimate: text at 3 characters a token, media parts by kind and size."""
        if isinstance(self.content, str):
            return len(self.content) // 3 + 4
        return sum(part_tokens(part) for part in self.content) + 4


def _part_text(part: ContentPart) -> str:
    if isinstance(part, str):
        return part
    return str(part.get("text", "")) if isinstance(part, dict) else ""


@dataclass(frozen=True, slots=True)
class ResponseCache:
    """OpenRouter's response cache: ``enabled`` None means 'use the server default'."""

    enabled: bool | None = None
    ttl: str | None = None
    clear: bool = False


MAX_WAIT_MS = 600_000


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: tuple[ChatMessage, ...]
    model: ModelId | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    provider: ProviderPreferences = field(default_factory=ProviderPreferences)
    include_reasoning: bool | None = None
    online: bool = False
    web_max_results: int | None = None
    cache: ResponseCache = field(default_factory=ResponseCache)
    attribution: Attribution = field(default_factory=Attribution)
    max_wait_ms: int | None = None
    """How long the caller waits for the answer before it is left running as a job; None: until it arrives."""

    def __post_init__(self) -> None:
        if not self.messages:
            raise InvalidInput("messages must hold at least one message, e.g. [{'role':'user','content':'Hi'}].")
        if self.max_wait_ms is not None and not 0 <= self.max_wait_ms <= MAX_WAIT_MS:
            raise InvalidInput(f"max_wait_ms must be between 0 and {MAX_WAIT_MS} (0 answers with a job id at once).")

    def facts(self) -> CallFacts:
        last = self.messages[-1].content
        prompt = last if isinstance(last, str) else " ".join(_part_text(part) for part in last)
        return CallFacts(model=str(self.model) if self.model else None, prompt=prompt, max_tokens=self.max_tokens)


@dataclass(frozen=True, slots=True)
class ChatResult(ReportedCost):
    text: str
    model: str
    provider: str | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    reasoning: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None
    images: tuple[str, ...] = ()
    annotations: tuple[dict[str, Any], ...] = ()
    cache_status: dict[str, Any] | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    reasoning_requested: bool = False


IMAGE_TOKENS = 1600
"""An image costs about this much whatever its byte size (providers tile or resize it; 1,600 is Claude's ceiling)."""

MEDIA_RULES: dict[str, tuple[int, int]] = {
    "input_audio": (500, 200),
    "video_url": (500, 2000),
    "file": (100, 1000),
}
"""Per part type: (decoded bytes per token, floor in tokens). Audio and video at about 32 and 260 tokens a
second of typical bitrates; files (PDFs) at roughly one token per 100 bytes. The floor covers remote URLs,
whose size is unknown here."""


def part_tokens(part: ContentPart) -> int:
    """Estimate one content part: text as text, media by kind, with base64 payloads counted as the bytes they hold.

    Counting a data URL's characters as text made a 400 KB image look like 177,821 tokens, refusing calls that fit.
    """
    if isinstance(part, InlineImage):
        return IMAGE_TOKENS
    if isinstance(part, str):
        return len(part) // 3 + 4
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        return len(part["text"]) // 3 + 4
    if kind == "image_url":
        return IMAGE_TOKENS
    if isinstance(kind, str) and kind in MEDIA_RULES:
        bytes_per_token, floor = MEDIA_RULES[kind]
        return max(floor, _payload_bytes(part.get(kind)) // bytes_per_token)
    return len(json.dumps(part, default=str)) // 3 + 4


def _payload_bytes(value: Any) -> int:
    """Decoded size of the base64 payload inside a media part (``data`` or a ``data:`` URL), else 0."""
    if not isinstance(value, dict):
        return 0
    for key in ("data", "file_data", "url"):
        payload = value.get(key)
        if not isinstance(payload, str):
            continue
        if payload.startswith("data:"):
            return len(payload.partition(",")[2]) * 3 // 4
        if key != "url":
            return len(payload) * 3 // 4
    return 0


def fit_to_context(
    messages: tuple[ChatMessage, ...], context_tokens: int, reserve_tokens: int
) -> tuple[tuple[ChatMessage, ...], int]:
    """Drop the oldest non-system messages until the estimate fits; return (kept, dropped count).

    System messages and the final message are always kept; if even those do not fit,
    the caller gets INVALID_INPUT rather than a silently empty conversation.
    """
    budget = context_tokens - reserve_tokens
    kept = list(messages)
    dropped = 0
    while sum(m.estimated_tokens() for m in kept) > budget:
        index = next((i for i, m in enumerate(kept[:-1]) if m.role != "system"), None)
        if index is None:
            raise InvalidInput(
                f"the conversation is larger than the model's context window ({context_tokens} tokens) "
                "even after dropping older messages: shorten the last message or pick a larger-context model.",
                suggestions=("Use search_models to find a model with a larger context_length",),
            )
        del kept[index]
        dropped += 1
    return tuple(kept), dropped
