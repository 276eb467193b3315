"""Rebuild the replay cassettes from the real OpenRouter recordings (run by hand, never by tests).

Usage: python tests/cassettes/build_from_recordings.py ../shared/reference/recordings
Real bodies are copied verbatim; interactions marked SYNTHESIZED follow the documented shapes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

BASE = "https://openrouter.ai/api/v1"
HERE = Path(__file__).parent


def interaction(method: str, path: str, status: int, body: Any, *, reason: str = "OK",
                content_type: str = "application/json", headers: dict[str, str] | None = None) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    response_headers = {"content-type": [content_type], **{k: [v] for k, v in (headers or {}).items()}}
    return {
        "request": {"body": None, "headers": {}, "method": method, "uri": f"{BASE}/{path}"},
        "response": {"status": {"code": status, "message": reason}, "headers": response_headers,
                     "body": {"string": text}},
    }


def model(mid: str, name: str, ctx: int, inputs: list[str], outputs: list[str], prompt: str, completion: str,
          params: list[str] | None = None, max_out: int | None = None) -> dict[str, Any]:
    return {
        "id": mid, "canonical_slug": mid, "hugging_face_id": None, "name": name, "created": 1750000000,
        "description": f"{name} (synthesized catalogue entry).", "context_length": ctx,
        "architecture": {"modality": "+".join(inputs) + "->" + "+".join(outputs), "input_modalities": inputs,
                         "output_modalities": outputs, "tokenizer": "Other", "instruct_type": None},
        "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0",
                    "web_search": "0", "internal_reasoning": "0"},
        "top_provider": {"context_length": ctx, "max_completion_tokens": max_out, "is_moderated": False},
        "per_request_limits": None, "supported_parameters": params or ["max_tokens", "temperature"],
    }


MODELS = {"data": [
    model("anthropic/claude-sonnet-4", "Anthropic: Claude Sonnet 4", 200000, ["text", "image", "file"], ["text"],
          "0.000003", "0.000015", ["max_tokens", "temperature", "reasoning", "include_reasoning", "tools"], 64000),
    model("anthropic/claude-sonnet-4.5", "Anthropic: Claude Sonnet 4.5", 1000000, ["text", "image", "file"], ["text"],
          "0.000003", "0.000015", ["max_tokens", "reasoning", "include_reasoning"], 64000),
    model("google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", 1048576,
          ["text", "image", "file", "audio", "video"], ["text"], "0.0000003", "0.0000025",
          ["max_tokens", "temperature", "reasoning", "include_reasoning"], 65535),
    model("google/gemini-2.5-flash-image", "Google: Gemini 2.5 Flash Image", 32768, ["image", "text"],
          ["image", "text"], "0.0000003", "0.0000025", ["max_tokens", "temperature"], 8192),
    model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", 128000, ["text", "image", "file"], ["text"],
          "0.00000015", "0.0000006", ["max_tokens", "temperature", "tools"], 16384),
    model("openai/gpt-audio", "OpenAI: GPT Audio", 128000, ["text", "audio"], ["text", "audio"],
          "0.0000025", "0.00001", ["max_tokens"], 16384),
    model("meta-llama/llama-3.3-70b-instruct:free", "Meta: Llama 3.3 70B Instruct (free)", 131072, ["text"],
          ["text"], "0", "0", ["max_tokens", "temperature"], 8192),
    model("google/gemma-3-27b-it:free", "Google: Gemma 3 27B (free)", 96000, ["text", "image"], ["text"],
          "0", "0", ["max_tokens", "temperature"], 8192),
    model("minimax/minimax-m2:free", "MiniMax: MiniMax M2 (free)", 204800, ["text"], ["text"], "0", "0",
          ["max_tokens", "reasoning", "include_reasoning"], 131072),
    model("tiny/context-4k", "Tiny: 4K context test model", 4096, ["text"], ["text"], "0.000001", "0.000001",
          ["max_tokens"], 1024),
], "total_count": 10, "links": {"next": None}}


def load_yaml_body(recordings: Path, name: str) -> tuple[int, Any]:
    data = yaml.safe_load((recordings / "pydantic_ai_cassettes" / name).read_text())
    response = data["interactions"][0]["response"]
    return response["status"]["code"], response["parsed_body"]


def build(recordings: Path) -> dict[str, list[dict[str, Any]]]:
    models = interaction("GET", "models", 200, MODELS)
    key = interaction("GET", "key", 200, json.loads((recordings / "docsrs_openrouter_crate/key.json").read_text()))
    chat_image = (recordings / "aisdk_chat_image_url/response.json").read_text()
    _, video = load_yaml_body(recordings, "test_openrouter_video_url_public_api.yaml")
    _, thinking = load_yaml_body(recordings, "test_openrouter_thinking_true_emits_effort_medium.yaml")
    _, web = load_yaml_body(recordings, "test_openrouter_web_search_annotations.yaml")
    status_200_error, err200 = load_yaml_body(recordings, "providers_test_openrouter_errors_raised.yaml")
    _, err404 = load_yaml_body(recordings, "models_test_openrouter_errors_raised_404.yaml")
    _, image_gen = load_yaml_body(recordings, "test_openrouter_image_generation.TRUNCATED.yaml")
    raw400 = (recordings / "aisdk_error_400_provider_raw/response.json").read_text()
    fetch400 = (recordings / "aisdk_error_400_image_fetch/response.json").read_text()
    bad_gateway = (recordings / "docsrs_openrouter_crate/error_internal_error_502.json").read_text()
    chat = "chat/completions"
    return {
        "chat_image_url": [models, interaction("POST", chat, 200, chat_image)],
        "chat_video_url": [models, interaction("POST", chat, 200, video)],
        "chat_reasoning": [models, interaction("POST", chat, 200, thinking)],
        "chat_web_search": [models, interaction("POST", chat, 200, web)],
        "chat_error_in_200": [models, interaction("POST", chat, status_200_error, err200)],
        "chat_error_404": [models, interaction("POST", chat, 404, err404, reason="Not Found")],
        "chat_error_400_provider": [models, interaction("POST", chat, 400, raw400, reason="Bad Request")],
        "chat_error_400_image_fetch": [models, interaction("POST", chat, 400, fetch400, reason="Bad Request")],
        "chat_error_502": [models, interaction("POST", chat, 502, bad_gateway, reason="Bad Gateway")],
        "image_generation": [models, interaction("POST", chat, 200, image_gen)],
        "models": [models],
        "key_valid": [models, key],
        # SYNTHESIZED below: documented shapes and issue-thread bodies, no full recording exists.
        "key_401": [models, interaction("GET", "key", 401, {"error": {"message": "User not found.", "code": 401}},
                                        reason="Unauthorized")],
        "chat_401": [models, interaction("POST", chat, 401, {"error": {"message": "User not found.", "code": 401}},
                                         reason="Unauthorized")],
        "chat_402": [models, interaction("POST", chat, 402, {"error": {
            "message": "This request requires more credits, or fewer max_tokens. You requested up to 65536 tokens, "
                       "but can only afford 3395. To increase, visit https://openrouter.ai/settings/credits and "
                       "upgrade to a paid account", "code": 402, "metadata": {"provider_name": None}}},
            reason="Payment Required")],
        "chat_429": [models, interaction("POST", chat, 429, {"error": {
            "message": "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests "
                       "per day", "code": 429, "metadata": {"headers": {"X-RateLimit-Limit": "50",
                                                                        "X-RateLimit-Remaining": "0"}}}},
            reason="Too Many Requests", headers={"retry-after": "30"})],
        "chat_403_moderation": [models, interaction("POST", chat, 403, {"error": {
            "message": "gpt-4o-mini requires moderation on OpenAI. Your input was flagged for \"violence\".",
            "code": 403, "metadata": {"reasons": ["violence"], "flagged_input": "...", "provider_name": "OpenAI",
                                      "model_slug": "openai/gpt-4o-mini"}}}, reason="Forbidden")],
        "chat_zdr": [models, interaction("POST", chat, 404, {"error": {
            "message": "No endpoints available matching your data policy (Zero Data Retention). Adjust your "
                       "privacy settings.", "code": 404}}, reason="Not Found")],
        "chat_reasoning_cut_off": [models, interaction("POST", chat, 200, {
            "id": "gen-1760000000-synthesizedcutoff00", "provider": "Minimax", "model": "minimax/minimax-m2:free",
            "object": "chat.completion", "created": 1760000000,
            "choices": [{"index": 0, "finish_reason": "length", "native_finish_reason": "length",
                         "message": {"role": "assistant", "content": None,
                                     "reasoning": "The user wants a long proof. Let me start by listing the",
                                     "reasoning_details": []}}],
            "usage": {"prompt_tokens": 30, "completion_tokens": 64, "total_tokens": 94, "cost": 0,
                      "completion_tokens_details": {"reasoning_tokens": 64}}})],
        "chat_audio_transcript": [models, interaction("POST", chat, 200, {
            "id": "gen-1760000002-synthesizedaudio0000", "provider": "Google AI Studio",
            "model": "google/gemini-2.5-flash", "object": "chat.completion", "created": 1760000002,
            "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "STOP",
                         "message": {"role": "assistant", "content": "A steady 440 Hz tone; there is no speech."}}],
            "usage": {"prompt_tokens": 40, "completion_tokens": 11, "total_tokens": 51, "cost": 0.0000395}})],
        "chat_free_auto": [models, interaction("POST", chat, 200, {
            "id": "gen-1760000001-synthesizedfreeauto0", "provider": "Minimax", "model": "minimax/minimax-m2:free",
            "object": "chat.completion", "created": 1760000001,
            "choices": [{"index": 0, "finish_reason": "stop", "native_finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Hello! How can I help?"}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16, "cost": 0}})],
    }


def write_cassettes(cassettes: dict[str, list[dict[str, Any]]]) -> None:
    for name, interactions in cassettes.items():
        (HERE / f"{name}.yaml").write_text(yaml.safe_dump({"interactions": interactions, "version": 1},
                                                           sort_keys=False, width=120, allow_unicode=True))
        print(f"wrote {name}.yaml")


def main() -> None:
    write_cassettes(build(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/recordings")))


if __name__ == "__main__":
    main()
