"""``OpenRouterTranscriptions``: the Transcriber port over ``POST /audio/transcriptions`` (the JSON form)."""

from __future__ import annotations

import asyncio
import base64
import json
import math
from collections.abc import Mapping
from typing import Any

from ...domain.errors import UpstreamError
from ...domain.text_safety import sanitize_result_text
from ...domain.transcription import Segment, Transcript, TranscriptionRequest
from ...domain.usage import Usage
from .http import OpenRouterHttp
from .wire import decimal_or_none, session_header, short_text

CONTEXT = "transcribe_audio"
MAX_SEGMENTS = 20_000
SEGMENT_CHARS = 2_000


def transcription_document(request: TranscriptionRequest) -> bytes:
    """The JSON body (``input_audio.data`` is raw base64, not a data URL); built off the event loop by the caller."""
    body: dict[str, Any] = {"model": str(request.model),
                            "input_audio": {"data": base64.b64encode(request.audio).decode("ascii"),
                                            "format": request.audio_format},
                            "response_format": "verbose_json" if request.timed else "json"}
    if request.timed:
        body["timestamp_granularities"] = ["segment"]
    if request.language:
        body["language"] = request.language
    return json.dumps(body, separators=(",", ":")).encode()


def _seconds(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53 else 0


def _segments(raw: Any, max_chars: int) -> tuple[Segment, ...]:
    found = []
    for item in raw[:MAX_SEGMENTS] if isinstance(raw, list) else ():
        if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
            continue
        start, end = _seconds(item.get("start")), _seconds(item.get("end"))
        if start is not None and end is not None and end >= start:
            found.append(Segment(start, end, sanitize_result_text(item["text"][: SEGMENT_CHARS * 2],
                                                                  min(SEGMENT_CHARS, max_chars)).strip()))
    return tuple(found)


def parse_transcript(body: Any, request: TranscriptionRequest, headers: Mapping[str, str],
                     max_chars: int) -> Transcript:
    if not isinstance(body, Mapping) or not isinstance(body.get("text"), str):
        raise UpstreamError(f"{CONTEXT}: OpenRouter's reply has no text: retry, or try another model.")
    usage = body.get("usage") if isinstance(body.get("usage"), Mapping) else {}
    assert isinstance(usage, Mapping)
    return Transcript(
        text=sanitize_result_text(body["text"], max_chars).strip(), model=str(request.model),
        segments=_segments(body.get("segments"), max_chars), language=short_text(body.get("language"), 40),
        duration_s=_seconds(body.get("duration")) or _seconds(usage.get("seconds")),
        provider=short_text(body.get("provider")),
        usage=Usage(prompt_tokens=_count(usage.get("input_tokens")),
                    completion_tokens=_count(usage.get("output_tokens")),
                    total_tokens=_count(usage.get("total_tokens")), cost=decimal_or_none(usage.get("cost"))),
        generation_id=short_text(headers.get("x-generation-id")))


class OpenRouterTranscriptions:
    """Audio goes as base64 inside JSON (the multipart form caps files at 25 MB; the use case cuts pieces first)."""

    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def transcribe(self, request: TranscriptionRequest) -> Transcript:
        document = await asyncio.to_thread(transcription_document, request)
        headers = {**session_header(request.attribution), "Content-Type": "application/json"}
        with self._http.redacting():
            body, reply_headers = await self._http.request_json(
                "POST", "audio/transcriptions", context=CONTEXT, content_factory=lambda: (document, headers))
            return parse_transcript(body, request, reply_headers, self._http.config.max_result_chars)
