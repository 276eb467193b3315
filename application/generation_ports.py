"""Ports for paid generation upstream: images, speech, asynchronous video jobs, and document reranking."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from ..domain.embeddings import EmbeddingRequest, EmbeddingResult
from ..domain.generation import (
    AudioRequest,
    AudioResult,
    ImageRequest,
    ImageResult,
    RerankRequest,
    RerankResult,
    VideoRequest,
    VideoSnapshot,
)
from ..domain.transcription import Transcript, TranscriptionRequest
from ..domain.tts import SpeechRequest
from .job_ports import ByteSink

__all__ = ["ByteSink", "CostLookup", "Embedder", "ImageGenerator", "Reranker", "SpeechGenerator",
           "SpeechSynthesizer", "Transcriber", "VideoJobsApi"]


class ImageGenerator(Protocol):
    """Asks an image-output model for images: one adapter per route (a chat completion, or ``POST /images``).

    Returns every image the model produced, possibly none with only text: deciding that zero images
    is a refusal belongs to the use case, which can quote the model's text. Raises ``UpstreamError``
    (classified) for upstream failures and ``ConfigurationError`` when no API key is configured.
    Not retried: a generation is billed.
    """

    async def generate(self, request: ImageRequest) -> ImageResult: ...


class SpeechGenerator(Protocol):
    """Makes spoken audio from a prompt; OpenRouter only delivers chat audio output as a stream.

    Returns the joined audio, sniffed for its real format (raw PCM16 comes back wrapped as WAV),
    with the transcript. Raises ``UpstreamError`` for HTTP errors and for an ``error`` chunk in
    the middle of a 200 stream, and ``UpstreamError`` with code ``UPSTREAM_REFUSED`` when the
    stream carried no audio at all (the message quotes the transcript).
    """

    async def generate(self, request: AudioRequest) -> AudioResult: ...


class VideoJobsApi(Protocol):
    """OpenRouter's asynchronous video API: submit a job, poll it, download its output.

    Video jobs take minutes, so the use case owns the polling loop and deadline; each method
    here is one upstream call. Every method raises a classified ``UpstreamError`` when the
    upstream fails, and ``ConfigurationError`` when no API key is configured.
    """

    async def submit(self, request: VideoRequest) -> VideoSnapshot:
        """Start a job (never retried: it is billed). Returns the job envelope, usually status ``pending``."""
        ...

    async def poll(self, job_id: str) -> VideoSnapshot:
        """Read the job's state once. A failed job is a snapshot with ``error`` set, not an exception;
        an unknown id raises ``UpstreamError``."""
        ...

    async def download(self, job_id: str, index: int, sink: ByteSink, max_bytes: int) -> str:
        """Stream output ``index`` of a completed job into ``sink`` chunk by chunk and return its MIME type.

        Raises ``ResourceTooLarge`` naming ``${video_gen_max_bytes}`` as soon as the declared
        length or the running total exceeds ``max_bytes``; the sink may then hold a partial body,
        which the caller discards.
        """
        ...


class Reranker(Protocol):
    """Scores documents against a query with a rerank model (``POST /rerank``).

    Returns hits best first, each with the index of the input document. Raises a classified
    ``UpstreamError`` on upstream failure and ``ConfigurationError`` without an API key.
    """

    async def rerank(self, request: RerankRequest) -> RerankResult: ...


class SpeechSynthesizer(Protocol):
    """Text-to-speech over ``POST /audio/speech``, which answers raw audio bytes (mp3 or 16-bit PCM).

    Returns the audio with PCM already wrapped as WAV and the ``X-Generation-Id`` (the reply carries no
    usage, so the cost comes from the generation record). Raises a classified ``UpstreamError``; not retried.
    """

    async def synthesize(self, request: SpeechRequest) -> AudioResult: ...


class Transcriber(Protocol):
    """Speech-to-text over ``POST /audio/transcriptions`` for one piece of audio within the per-request limit.

    Asks for ``verbose_json`` when ``request.timed`` (segments with timestamps), else ``json``. Raises a
    classified ``UpstreamError``; not retried (billed per second of audio).
    """

    async def transcribe(self, request: TranscriptionRequest) -> Transcript: ...


class Embedder(Protocol):
    """Embeddings over ``POST /embeddings``; the vectors come back in input order, every value a finite float.

    Raises a classified ``UpstreamError`` (also for a reply whose vectors do not match the inputs).
    """

    async def embed(self, request: EmbeddingRequest) -> EmbeddingResult: ...


class CostLookup(Protocol):
    """The USD cost of a finished generation from ``GET /generation?id=``, for replies that carry none.

    Bounded by its own short deadline and a few attempts (the record can 404 for a moment after the
    call ends). Returns None when the record gives no cost; raises on failure, which callers treat as
    "cost not reported" because the paid result must never be lost to this lookup.
    """

    async def cost(self, generation_id: str) -> Decimal | None: ...
