"""``OpenRouterTts``: the SpeechSynthesizer port over ``POST /audio/speech`` (raw audio bytes, not JSON)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...domain.errors import ErrorCode, UpstreamError
from ...domain.generation import PCM16_SAMPLE_RATE, AudioResult, detect_audio_format, pcm16_to_wav
from ...domain.tts import SpeechRequest
from .errors import classify
from .http import OpenRouterHttp, parse_json
from .wire import session_header, short_text

CONTEXT = "generate_audio (/audio/speech)"
_RATE = re.compile(r"rate=([0-9]{4,6})")


def tts_body(request: SpeechRequest) -> dict[str, Any]:
    """Style options go under ``provider.options`` (the endpoint has no top-level ``instructions``)."""
    body: dict[str, Any] = {"model": str(request.model), "input": request.text,
                            "response_format": request.response_format}
    if request.voice:
        body["voice"] = request.voice
    if request.speed is not None:
        body["speed"] = request.speed
    if request.provider_options:
        body["provider"] = {"options": dict(request.provider_options)}
    return body


def sample_rate(content_type: str) -> int:
    """The PCM rate from ``audio/pcm;rate=…`` when the upstream says it, else OpenAI's 24 kHz convention."""
    match = _RATE.search(content_type)
    rate = int(match.group(1)) if match else PCM16_SAMPLE_RATE
    return rate if 1000 <= rate <= 384_000 else PCM16_SAMPLE_RATE


def parse_speech(raw: bytes, request: SpeechRequest, headers: Mapping[str, str]) -> AudioResult:
    """Audio bytes to a result; a JSON body (an error sent with 200) is an error, never saved as audio."""
    content_type = headers.get("content-type", "").lower()
    if "json" in content_type or raw[:1] == b"{":
        try:
            body = parse_json(raw)
        except ValueError:
            body = None
        if isinstance(body, Mapping) and body.get("error") is not None:
            raise classify(200, body, headers, CONTEXT)
        raise UpstreamError(f"{CONTEXT}: OpenRouter answered JSON instead of audio: retry, or try another model.")
    if not raw:
        raise UpstreamError(f"{CONTEXT}: the model returned no audio: rephrase the text or choose another voice.",
                            code=ErrorCode.UPSTREAM_REFUSED, details={"reason": "no_audio"})
    detected = detect_audio_format(raw)
    data = raw
    if detected == "pcm16":
        data, detected = pcm16_to_wav(raw, sample_rate(content_type)), "wav"
    return AudioResult(data=data, format=detected, transcript="", model=str(request.model),
                       generation_id=short_text(headers.get("x-generation-id")))


class OpenRouterTts:
    """The reply is read under ``max_media_response_bytes`` within the call's deadline; never retried."""

    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        with self._http.redacting():
            async with self._http.stream("POST", "audio/speech", context=CONTEXT, json_body=tts_body(request),
                                         headers=session_header(request.attribution), media=True) as response:
                raw = await response.read()
                headers = response.headers
            return parse_speech(raw, request, headers)
