"""Build the ``gen_*`` replay cassettes (image, speech, video, rerank); run by hand, never by tests.

Usage: python tests/cassettes/build_generation.py ../shared/reference/recordings
Only ``gen_image`` and ``gen_stream_error_recorded`` carry real recorded bodies; every other
interaction is SYNTHESIZED from the documented shapes (see README.md in this folder).
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import sys
from pathlib import Path
from typing import Any

import yaml
from build_from_recordings import BASE, HERE, MODELS, interaction, load_yaml_body, write_cassettes
from PIL import Image

CHAT = "chat/completions"
MEDIA = HERE.parent / "fixtures" / "media"
VIDEO_ID = "vgen-1760000300-synthesizedjob0001"
AUDIO_ID = "gen-1760000200-synthesizedaudio001"


def raw(method: str, path: str, status: int, body: str | bytes, *, content_type: str,
        reason: str = "OK", headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Like ``interaction`` but the body is stored as given (text, or bytes as YAML ``!!binary``)."""
    result = interaction(method, path, status, "", reason=reason, content_type=content_type, headers=headers)
    result["response"]["body"]["string"] = body
    return result


def viewable_png() -> bytes:
    """A real 64x48 RGB gradient PNG, so decoding tests can open what the adapter returns."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, 128) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def image_response(content: str, images: list[str], *, gen_id: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "reasoning": None, "refusal": None}
    if images:
        message["images"] = [{"type": "image_url", "image_url": {"url": url}, "index": i}
                             for i, url in enumerate(images)]
    return {"id": gen_id, "provider": "Google AI Studio", "model": "google/gemini-2.5-flash-image",
            "object": "chat.completion", "created": 1760000100,
            "choices": [{"index": 0, "logprobs": None, "finish_reason": "stop", "native_finish_reason": "STOP",
                         "message": message}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 1298 if images else 40,
                      "total_tokens": 1303 if images else 45, "cost": 0.0387 if images else 0.0001,
                      "prompt_tokens_details": {"cached_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 1290 if images else 0}}}


def tone_pcm16(seconds: float = 0.2, rate: int = 24_000, freq: float = 440.0) -> bytes:
    return b"".join(struct.pack("<h", round(12000 * math.sin(2 * math.pi * freq * i / rate)))
                    for i in range(int(rate * seconds)))


def sse(events: list[dict[str, Any] | str]) -> str:
    """Events are chunks (written as ``data: <json>``) or ready-made text (comments, ``data: [DONE]``)."""
    parts = [e if isinstance(e, str) else f"data: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events]
    return "".join(parts)


def audio_chunk(audio: dict[str, Any] | None, *, finish: str | None = None,
                usage: dict[str, Any] | None = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant", "content": None}
    if audio is not None:
        delta["audio"] = audio
    chunk: dict[str, Any] = {"id": AUDIO_ID, "provider": "OpenAI", "model": "openai/gpt-audio",
                             "object": "chat.completion.chunk", "created": 1760000200,
                             "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                                          "native_finish_reason": finish, "logprobs": None}]}
    if usage is not None:
        chunk["usage"] = usage
    return chunk


def audio_stream() -> str:
    encoded = base64.b64encode(tone_pcm16()).decode()
    cuts = [0, 3001, 6002, 9999, len(encoded)]  # deliberately not 4-character aligned
    fragments = [encoded[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    words = ["Hello", " from", " a", " test", " tone."]
    comment = ": OPENROUTER PROCESSING\n\n"
    events: list[dict[str, Any] | str] = [comment, comment, comment,
                                          audio_chunk({"id": "audio_synth_0001", "transcript": words[0]})]
    events += [audio_chunk({"data": frag, "transcript": word}) for frag, word in zip(fragments, words[1:], strict=True)]
    events += [audio_chunk(None, finish="stop"),
               audio_chunk(None, usage={"prompt_tokens": 14, "completion_tokens": 33, "total_tokens": 47,
                                        "cost": 0.00062, "is_byok": False,
                                        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                                        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 25}}),
               "data: [DONE]\n\n"]
    return sse(events)


def audio_stream_error() -> str:
    first = base64.b64encode(tone_pcm16(0.05)).decode()
    error_chunk = audio_chunk(None)
    error_chunk["error"] = {"code": 502, "message": "Provider returned error",
                            "metadata": {"provider_name": "OpenAI", "raw": "audio synthesis backend unavailable"}}
    return sse([": OPENROUTER PROCESSING\n\n", audio_chunk({"data": first, "transcript": "Hel"}), error_chunk,
                "data: [DONE]\n\n"])


def recorded_stream_error(recordings: Path) -> str:
    data = yaml.safe_load((recordings / "pydantic_ai_cassettes/test_openrouter_stream_error.yaml").read_text())
    return str(data["interactions"][0]["response"]["body"]["string"])


def video_job(status: str, **extra: Any) -> dict[str, Any]:
    return {"id": VIDEO_ID, "polling_url": f"/api/v1/videos/{VIDEO_ID}", "status": status, **extra}


IMAGE_LISTING = {"data": [{
    "id": "google/gemini-2.5-flash-image", "name": "Google: Gemini 2.5 Flash Image", "created": 1750000000,
    "description": "Google: Gemini 2.5 Flash Image (synthesized listing entry).",
    "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image", "text"]},
    "supported_parameters": {"aspect_ratio": {"type": "enum", "values": ["1:1", "4:3", "16:9"]}},
    "supports_streaming": False, "endpoints": "/api/v1/images/models/google/gemini-2.5-flash-image/endpoints"}]}
"""``GET /images/models`` (SYNTHESIZED): consulted for a model the chat catalogue does not list."""


def build(recordings: Path) -> dict[str, list[dict[str, Any]]]:
    models = interaction("GET", "models", 200, MODELS)
    image_models = interaction("GET", "images/models", 200, IMAGE_LISTING)
    _, image_gen = load_yaml_body(recordings, "test_openrouter_image_generation.TRUNCATED.yaml")
    png = "data:image/png;base64," + base64.b64encode(viewable_png()).decode()
    clip = (MEDIA / "clip.mp4").read_bytes()
    stream_headers = {"cache-control": "no-cache"}
    return {
        # REAL bodies.
        "gen_image": [models, image_models, interaction("POST", CHAT, 200, image_gen)],
        "gen_stream_error_recorded": [models, raw("POST", CHAT, 200, recorded_stream_error(recordings),
                                                  content_type="text/event-stream", headers=stream_headers)],
        # SYNTHESIZED below.
        "gen_image_viewable": [models, image_models, interaction("POST", CHAT, 200, image_response(
            "Here is a gradient for you! ", [png], gen_id="gen-1760000100-synthesizedimage0001"))],
        "gen_image_text_only": [models, image_models, interaction("POST", CHAT, 200, image_response(
            "I can't draw that, but picture a calm lake at dawn with mist over the water.", [],
            gen_id="gen-1760000101-synthesizedtextonly1"))],
        "gen_audio_stream": [models, raw("POST", CHAT, 200, audio_stream(), content_type="text/event-stream",
                                         headers=stream_headers)],
        "gen_audio_stream_error": [models, raw("POST", CHAT, 200, audio_stream_error(),
                                               content_type="text/event-stream", headers=stream_headers)],
        "gen_video_complete": [
            models,
            interaction("POST", "videos", 202, video_job("pending"), reason="Accepted"),
            interaction("GET", f"videos/{VIDEO_ID}", 200, video_job(
                "completed", generation_id="gen-1760000300-synthesizedvideo01", progress=100,
                unsigned_urls=[f"{BASE}/videos/{VIDEO_ID}/content?index=0"], usage={"cost": 0.4, "is_byok": False})),
            raw("GET", f"videos/{VIDEO_ID}/content?index=0", 200, clip, content_type="video/mp4",
                headers={"content-length": str(len(clip))}),
        ],
        "gen_video_failed": [
            models,
            interaction("POST", "videos", 202, video_job("pending"), reason="Accepted"),
            interaction("GET", f"videos/{VIDEO_ID}", 200, video_job(
                "failed", error={"message": "The prompt was blocked by the provider's safety filter."})),
        ],
        "gen_rerank": [models, interaction("POST", "rerank", 200, {
            "id": "gen-rerank-1760000400-synthesized01", "model": "cohere/rerank-v3.5", "provider": "Cohere",
            "results": [{"index": 2, "relevance_score": 0.912, "document": {"text": "Paris is the capital of France."}},
                        {"index": 0, "relevance_score": 0.233, "document": {"text": "Berlin has many museums."}},
                        {"index": 1, "relevance_score": 0.018, "document": {"text": "Bananas are yellow."}}],
            "usage": {"search_units": 1, "total_tokens": 42, "cost": 0.002}})],
    }


def main() -> None:
    write_cassettes(build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/recordings")))


if __name__ == "__main__":
    main()
