"""Ports for the upstream LLM, the model catalogue, the key and the clock.

Adapters satisfy these structurally (no inheritance); fakes in ``tests/fakes.py``
do the same, so every use case can run without a network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ..domain.chat import ChatRequest, ChatResult
from ..domain.media import MediaKind
from ..domain.model_card import ModelCard


class Clock(Protocol):
    """Time for TTLs and job ages; ``monotonic`` never goes backwards, ``now`` is wall-clock epoch seconds."""

    def monotonic(self) -> float: ...

    def now(self) -> float: ...


class ChatCompletions(Protocol):
    """Runs one chat completion upstream.

    ``request.model`` is always set by the use case. Raises ``UpstreamError`` (classified
    into the closed taxonomy) for anything the upstream refuses or fails at, and
    ``ConfigurationError`` when no API key is configured, before any network traffic.
    """

    async def complete(self, request: ChatRequest) -> ChatResult: ...


class ModelCatalogSource(Protocol):
    """Fetches the full model list; it is slow and large, so callers cache it (see ``ModelCatalog``)."""

    async def fetch_models(self) -> Sequence[ModelCard]: ...


@dataclass(frozen=True, slots=True)
class KeyStatus:
    present: bool
    valid: bool
    label: str | None = None
    limit: Decimal | None = None
    limit_remaining: Decimal | None = None
    usage: Decimal | None = None
    is_free_tier: bool | None = None
    error: str | None = None


class KeyInspector(Protocol):
    """Asks the authenticated ``GET /key`` whether the key works; never raises, reports in ``KeyStatus``."""

    async def inspect_key(self) -> KeyStatus: ...


class Credentials(Protocol):
    """Whether an upstream key is configured; paid use cases check this before any work."""

    def ensure_configured(self) -> None:
        """Raise ``ConfigurationError`` naming the missing variable; return quietly otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class StreamedAttachment:
    """One large audio or video input sent as base64 without materialising the encoded text.

    Exactly one of ``chunks`` (raw bytes, encoded while the request is sent) or ``base64``
    (already-encoded text from a data URL) is set. ``size`` is the raw byte count.
    """

    kind: MediaKind
    mime: str
    size: int
    audio_format: str | None = None
    chunks: Callable[[], AsyncIterator[bytes]] | None = None
    base64: str | None = None
    cache_control: bool = False


class MediaChatCompletions(Protocol):
    """A chat completion whose last user message also carries one streamed attachment.

    The request body is produced while it is sent, so a 100 MB video costs a few MB of memory
    rather than several copies of itself. Fails like ``ChatCompletions.complete``.
    """

    async def complete_with_attachment(self, request: ChatRequest, attachment: StreamedAttachment) -> ChatResult: ...
