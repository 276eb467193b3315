"""A model id typo is MODEL_NOT_FOUND with the closest catalogue ids, before paying when the catalogue shows it,
and also when the upstream is the one to say so; through the real server and client."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.support.harness import make_container, make_settings, record_requests, server_for, sync_client
from tests.support.replay import use_cassette

HI = [{"role": "user", "content": "hi"}]


def call(cassette: str, tool: str, arguments: dict[str, Any], **settings: Any) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    container = make_container(make_settings(max_retries=0, **settings))
    record_requests(container, sent)
    with use_cassette(cassette), sync_client(server_for(container)) as client:
        return client.call(tool, arguments), sent


def paid_calls(sent: list[httpx.Request]) -> list[str]:
    return [request.url.path for request in sent if request.method == "POST"]


def test_a_typo_in_chat_completion_is_refused_before_paying_with_close_ids() -> None:
    result, sent = call("chat_image_url", "chat_completion", {"model": "anthropic/claude-sonet-4", "messages": HI})
    assert result.is_error and result.meta["code"] == "MODEL_NOT_FOUND"
    assert result.meta["suggestions"][0] == "anthropic/claude-sonnet-4"
    assert "anthropic/claude-sonnet-4" in result.content[0].text
    assert paid_calls(sent) == []


def test_a_typo_in_the_default_model_setting_names_the_setting() -> None:
    result, sent = call("chat_image_url", "chat_completion", {"messages": HI}, default_model="openai/gpt-4o-mnii")
    assert result.is_error and result.meta["code"] == "MODEL_NOT_FOUND"
    assert "OPENROUTER_DEFAULT_MODEL" in result.content[0].text
    assert "openai/gpt-4o-mini" in result.meta["suggestions"]
    assert paid_calls(sent) == []


def test_a_typo_in_analyze_image_is_refused_before_paying(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(buffer, format="PNG")
    (inputs / "dot.png").write_bytes(buffer.getvalue())
    result, sent = call("chat_image_url", "analyze_image",
                        {"image_path": str(inputs / "dot.png"), "model": "google/gemini-2.5-flsh"},
                        input_dir=str(inputs), output_dir=str(tmp_path / "out"))
    assert result.is_error and result.meta["code"] == "MODEL_NOT_FOUND", result.content
    assert "google/gemini-2.5-flash" in result.meta["suggestions"]
    assert paid_calls(sent) == []


def test_when_the_upstream_says_not_found_the_closest_catalogue_ids_are_added() -> None:
    result, sent = call("chat_error_404", "chat_completion", {"model": "google/gemini-2.5-flash:free", "messages": HI})
    assert result.is_error and result.meta["code"] == "MODEL_NOT_FOUND"
    assert "google/gemini-2.5-flash" in result.meta["suggestions"]
    assert "No endpoints found" in result.content[0].text and "Did you mean" in result.content[0].text
    assert paid_calls(sent) == ["/api/v1/chat/completions"]


def test_a_typo_in_generate_image_is_refused_before_paying(tmp_path: Path) -> None:
    arguments = {"prompt": "a red square", "model": "google/gemini-2.5-flsh-image"}
    result, sent = call("gen_image", "generate_image", arguments, output_dir=str(tmp_path / "out"))
    assert result.is_error and result.meta["code"] == "MODEL_NOT_FOUND", result.content
    assert "google/gemini-2.5-flash-image" in result.meta["suggestions"]
    assert paid_calls(sent) == []
