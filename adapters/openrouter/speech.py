"""``OpenRouterSpeech``: the SpeechGenerator port over a streamed chat completion with audio output."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ...domain.errors import ErrorCode, UpstreamError
from ...domain.generation import PCM16_SAMPLE_RATE, AudioRequest, AudioResult, detect_audio_format, pcm16_to_wav
from ...domain.setting_refs import setting
from ...domain.text_safety import sanitize_result_text
from ...domain.usage import Usage
from .http import OpenRouterHttp, parse_json
from .sse import idle_limit, iter_json_chunks, raise_if_error
from .wire import attribution_fields, parse_usage, short_text

CONTEXT = "generate_audio (stream)"
IDLE_SETTING = setting("stream_idle_timeout_ms")


def speech_body(request: AudioRequest) -> dict[str, Any]:
    return {"model": str(request.model), "messages": [{"role": "user", "content": request.prompt}],
            "modalities": ["text", "audio"], "audio": {"voice": request.voice.strip(), "format": request.format},
            "stream": True, **attribution_fields(request.attribution)}


class _Base64Joiner:
    """Decodes base64 fragments as they come, in 4-character-aligned pieces, so the text is never held whole.

    Works both for one encoding split anywhere and for fragments that are each padded encodings.
    """

    def __init__(self) -> None:
        self._pending = ""
        self.data = bytearray()

    def add(self, fragment: str) -> None:
        text = self._pending + "".join(fragment.split())
        cut = len(text) - len(text) % 4
        self._pending = text[cut:]
        if cut:
            self._decode(text[:cut])

    def finish(self) -> bytes:
        rest = self._pending.rstrip("=")
        self._pending = ""
        if len(rest) % 4 != 1 and rest:
            self._decode(rest + "=" * (-len(rest) % 4))
        return bytes(self.data)

    def _decode(self, text: str) -> None:
        try:
            self.data += base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise UpstreamError(f"{CONTEXT}: the audio stream carried data that is not base64: retry, or try "
                                "another model.") from None


class _Accumulator:
    def __init__(self, requested_model: str) -> None:
        self.audio = _Base64Joiner()
        self.transcript: list[str] = []
        self.model = requested_model
        self.provider: str | None = None
        self.usage: Usage | None = None
        self.sample_rate = PCM16_SAMPLE_RATE
        self.generation_id: str | None = None

    def add(self, chunk: Mapping[str, Any]) -> None:
        self.generation_id = self.generation_id or short_text(chunk.get("id"))
        if isinstance(chunk.get("model"), str) and chunk["model"]:
            self.model = chunk["model"]
        if isinstance(chunk.get("provider"), str) and chunk["provider"]:
            self.provider = chunk["provider"]
        usage = parse_usage(chunk.get("usage"))
        if usage is not None:
            self.usage = usage
        choices = chunk.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], Mapping) else {}
        delta = choice.get("delta") if isinstance(choice.get("delta"), Mapping) else choice.get("message")
        audio = delta.get("audio") if isinstance(delta, Mapping) else None
        if not isinstance(audio, Mapping):
            return
        if isinstance(audio.get("data"), str):
            self.audio.add(audio["data"])
        if isinstance(audio.get("transcript"), str):
            self.transcript.append(audio["transcript"])
        rate = audio.get("sample_rate") or audio.get("sample_rate_hz")
        if isinstance(rate, int) and not isinstance(rate, bool) and 1000 <= rate <= 384_000:
            self.sample_rate = rate

    def result(self) -> AudioResult:
        data = self.audio.finish()
        transcript = "".join(self.transcript).strip()
        if not data:
            quoted = f" (transcript: '{transcript[:300]}')" if transcript else ""
            raise UpstreamError(f"{CONTEXT}: the model returned no audio{quoted}: pick a model with audio output "
                                "such as openai/gpt-audio, or rephrase the prompt.", code=ErrorCode.UPSTREAM_REFUSED,
                                details={"reason": "no_audio_in_stream"})
        detected = detect_audio_format(data)
        if detected == "pcm16":
            data, detected = pcm16_to_wav(data, self.sample_rate), "wav"
        return AudioResult(data=data, format=detected, transcript=transcript, model=self.model,
                           provider=self.provider, usage=self.usage, generation_id=self.generation_id)


class OpenRouterSpeech:
    """The stream is bounded three ways: ``max_media_response_bytes`` decoded bytes, the call's total
    deadline (``http_timeout_ms``), and ``stream_idle_timeout_ms`` without a data event."""

    def __init__(self, http: OpenRouterHttp) -> None:
        self._http = http

    async def generate(self, request: AudioRequest) -> AudioResult:
        acc = _Accumulator(str(request.model))
        config = self._http.config
        with self._http.redacting():
            async with self._http.stream("POST", "chat/completions", context=CONTEXT, json_body=speech_body(request),
                                         headers={"Accept": "text/event-stream"}, media=True) as response:
                if "json" in response.headers.get("content-type", ""):
                    try:
                        body = parse_json(await response.read())
                    except ValueError:
                        body = None
                    if isinstance(body, Mapping):
                        raise_if_error(body, response.headers, CONTEXT)
                        acc.add(body)
                else:
                    async with idle_limit(config.stream_idle_timeout_s, CONTEXT, IDLE_SETTING) as touch:
                        async for chunk in iter_json_chunks(response.iter_lines(), response.headers, CONTEXT):
                            touch()
                            acc.add(chunk)
            result = acc.result()
        return replace(result, transcript=sanitize_result_text(result.transcript, config.max_result_chars),
                       model=short_text(result.model) or str(request.model),
                       provider=short_text(result.provider))
