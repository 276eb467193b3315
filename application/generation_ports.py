"""Ports for paid generation upstream: images, speech, asynchronous video jobs, and document reranking."""

from __future__ import annotations

from typing import Protocol

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
from .job_ports import ByteSink

__all__ = ["ByteSink", "ImageGenerator", "Reranker", "SpeechGenerator", "VideoJobsApi"]


class ImageGenerator(Protocol):
    """Asks an image-output model for images (OpenRouter does this through a chat completion).

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
