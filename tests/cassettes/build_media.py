"""Build the ``media_*`` replay cassettes (``/images``, ``/audio/speech``, ``/audio/transcriptions``, ``/embeddings``,
``/generation`` and the dedicated model listings); run by hand, never by tests.

Usage: python tests/cassettes/build_media.py
Every interaction is SYNTHESIZED from the documented shapes in ``shared/reference/openrouter-api-more.md``
§1–6 (no public recording of these endpoints exists); see README.md in this folder.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

from build_from_recordings import MODELS, interaction, model, write_cassettes
from build_generation import raw, tone_pcm16
from PIL import Image

TTS = "openai/gpt-4o-mini-tts-2025-12-15"
STT = "openai/whisper-large-v3"
EMBEDDER = "openai/text-embedding-3-small"
SEEDREAM = "bytedance-seed/seedream-4.5"
IMAGE_GEN_ID = "gen-1760000500-synthesizedimages01"
TTS_GEN_ID = "gen-1760000600-synthesizedspeech01"
STT_GEN_ID = "gen-1760000700-synthesizedstt00001"


def _with(card: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**card, **extra}


SPEECH_MODEL = _with(model(TTS, "OpenAI: GPT-4o mini TTS", 2000, ["text"], ["speech"], "0.0000006", "0"),
                     supported_voices=["alloy", "ash", "coral", "nova"])
STT_MODEL = model(STT, "OpenAI: Whisper Large v3", 0, ["audio"], ["transcription"], "0", "0")
EMBED_MODEL = model(EMBEDDER, "OpenAI: Text Embedding 3 Small", 8192, ["text"], ["embeddings"], "0.00000002", "0")
ALL_MODELS = {**MODELS, "data": [*MODELS["data"], SPEECH_MODEL, STT_MODEL, EMBED_MODEL],
              "total_count": len(MODELS["data"]) + 3}


def _image_item(mid: str, name: str, outputs: list[str], params: dict[str, Any]) -> dict[str, Any]:
    return {"id": mid, "name": name, "description": f"{name} (synthesized listing entry).", "created": 1750000000,
            "architecture": {"input_modalities": ["text", "image"], "output_modalities": outputs},
            "supported_parameters": params, "supports_streaming": False,
            "endpoints": f"/api/v1/images/models/{mid}/endpoints"}


RATIOS = {"type": "enum", "values": ["1:1", "3:4", "4:3", "9:16", "16:9", "21:9"]}
IMAGE_MODELS = {"data": [
    _image_item(SEEDREAM, "ByteDance: Seedream 4.5", ["image"], {
        "aspect_ratio": RATIOS, "resolution": {"type": "enum", "values": ["1K", "2K", "4K"]},
        "n": {"type": "range", "min": 1, "max": 4}, "seed": {"type": "range", "min": 0, "max": 2147483647},
        "output_format": {"type": "enum", "values": ["png", "jpeg"]},
        "input_references": {"type": "range", "min": 0, "max": 10}}),
    _image_item("openai/gpt-image-1", "OpenAI: GPT Image 1", ["image"], {
        "aspect_ratio": RATIOS, "n": {"type": "range", "min": 1, "max": 10},
        "quality": {"type": "enum", "values": ["auto", "low", "medium", "high"]},
        "output_format": {"type": "enum", "values": ["png", "jpeg", "webp"]},
        "background": {"type": "enum", "values": ["auto", "transparent", "opaque"]}}),
    _image_item("google/gemini-2.5-flash-image", "Google: Gemini 2.5 Flash Image", ["image", "text"], {
        "aspect_ratio": RATIOS, "resolution": {"type": "enum", "values": ["1K"]}}),
]}
EMBEDDING_MODELS = {"data": [EMBED_MODEL]}


def png(width: int, height: int, tint: int) -> str:
    image = Image.new("RGB", (width, height))
    image.putdata([(x * 3 % 256, y * 5 % 256, tint) for y in range(height) for x in range(width)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def listings() -> list[dict[str, Any]]:
    """The catalogue and every dedicated listing. The speech and transcription queries get the whole list (the
    client filters locally), so a stub that ignores the query string serves the same answer."""
    return [interaction("GET", "models", 200, ALL_MODELS),
            interaction("GET", "models?output_modalities=speech", 200, ALL_MODELS),
            interaction("GET", "models?output_modalities=transcription", 200, ALL_MODELS),
            interaction("GET", "images/models", 200, IMAGE_MODELS),
            interaction("GET", "embeddings/models", 200, EMBEDDING_MODELS)]


def generation(gen_id: str, cost: float, api_type: str) -> dict[str, Any]:
    return interaction("GET", f"generation?id={gen_id}", 200, {"data": {
        "id": gen_id, "model": TTS if api_type == "tts" else SEEDREAM, "created_at": "2026-09-10T12:00:00Z",
        "origin": "", "is_byok": False, "total_cost": cost, "usage": cost, "data_region": "global",
        "api_type": api_type, "provider_name": "OpenAI" if api_type == "tts" else "Seed", "cancelled": False}})


def images(n: int, *, cost: float | None) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": 0, "completion_tokens": 4175 * n, "total_tokens": 4175 * n}
    if cost is not None:
        usage["cost"] = cost
    body = {"created": 1760000500, "data": [{"b64_json": png(64, 36, 60 * i), "media_type": "image/png"}
                                            for i in range(n)], "usage": usage}
    return interaction("POST", "images", 200, body, headers={"x-generation-id": IMAGE_GEN_ID})


def segments(words: list[str], step: float) -> list[dict[str, Any]]:
    return [{"id": i, "start": round(i * step, 2), "end": round((i + 1) * step, 2), "text": f" {w}",
             "avg_logprob": -0.2, "no_speech_prob": 0.01} for i, w in enumerate(words)]


TRANSCRIPT = {"task": "transcribe", "language": "english", "duration": 0.6,
              "text": "Hello from a test tone.", "segments": segments(["Hello from", "a test", "tone."], 0.2),
              "usage": {"seconds": 0.6, "input_tokens": 12, "output_tokens": 6, "total_tokens": 18,
                        "cost": 0.000006}}


def embeddings(count: int, dims: int) -> dict[str, Any]:
    data = [{"object": "embedding", "index": i,
             "embedding": [round(math.sin(i + d / 7), 6) for d in range(dims)]} for i in range(count)]
    return interaction("POST", "embeddings", 200, {
        "id": "embd-1760000800-synthesized0001", "object": "list", "model": EMBEDDER, "provider": "OpenAI",
        "data": data, "usage": {"prompt_tokens": 4 * count, "total_tokens": 4 * count, "cost": 0.0000001 * count}})


def build() -> dict[str, list[dict[str, Any]]]:
    pcm = tone_pcm16()
    speech_headers = {"x-generation-id": TTS_GEN_ID}
    return {
        "media_images_n3": [*listings(), images(3, cost=0.12)],
        "media_images_no_cost": [*listings(), images(1, cost=None), generation(IMAGE_GEN_ID, 0.04, "image")],
        "media_speech_pcm": [*listings(), raw("POST", "audio/speech", 200, pcm, content_type="audio/pcm",
                                              headers=speech_headers), generation(TTS_GEN_ID, 0.0021, "tts")],
        "media_speech_error": [*listings(), interaction("POST", "audio/speech", 400, {"error": {
            "code": 400, "message": "Invalid voice 'bogus' for model openai/gpt-4o-mini-tts-2025-12-15"}},
            reason="Bad Request")],
        "media_transcription": [*listings(), interaction("POST", "audio/transcriptions", 200, TRANSCRIPT,
                                                         headers={"x-generation-id": STT_GEN_ID})],
        "media_embeddings": [*listings(), embeddings(3, 8)],
        "media_all": [*listings(), images(3, cost=0.12),
                      raw("POST", "audio/speech", 200, pcm, content_type="audio/pcm", headers=speech_headers),
                      generation(TTS_GEN_ID, 0.0021, "tts"),
                      interaction("POST", "audio/transcriptions", 200, TRANSCRIPT,
                                  headers={"x-generation-id": STT_GEN_ID}),
                      embeddings(3, 8)],
    }


def main() -> None:
    write_cassettes(build())


if __name__ == "__main__":
    main()
