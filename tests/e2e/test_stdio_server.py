"""End to end over stdio: the installed console script, spoken to by the real ``mcp`` client."""

from __future__ import annotations

import base64
import json
import shutil
import wave
from pathlib import Path

import pytest
from mcp import ClientSession, stdio_client

from tests.support.openrouter_stub import serve_cassette
from tests.support.stdio import EXPECTED_TOOLS, FIXTURES, KEY, params
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_tools_list_chat_and_bad_arguments(tmp_path: Path) -> None:
    with serve_cassette("chat_image_url") as (base_url, log):
        async with stdio_client(params(tmp_path, base_url)) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.server_info.name == "openrouter-multimodal-mcp"
            tools = (await session.list_tools()).tools
            names = {tool.name for tool in tools}
            assert names >= EXPECTED_TOOLS
            assert all(tool.title for tool in tools)
            by_name = {tool.name: tool for tool in tools}
            search = by_name["search_models"].annotations
            chat_hints = by_name["chat_completion"].annotations
            assert search is not None and search.read_only_hint is True
            assert chat_hints is not None and chat_hints.destructive_hint is False
            assert by_name["generate_image"].annotations is None  # MCP's defaults: may overwrite, open world
            chat = await session.call_tool("chat_completion", {
                "model": "anthropic/claude-sonnet-4",
                "messages": [{"role": "user", "content": "What's in this image?"}]})
            assert not chat.is_error, text_of(chat)
            assert text_of(chat) == "Google logo"
            assert chat.meta is not None
            assert chat.meta["usage"]["total_tokens"] == 168 and chat.meta["cost_usd"] == 0.000564
            assert chat.meta["provider"] == "Amazon Bedrock"
            bad = await session.call_tool("chat_completion", {"messages": "not a list"})
            assert bad.is_error and bad.meta is not None and bad.meta["code"] == "INVALID_INPUT"
            assert "messages" in text_of(bad)
            assert KEY not in json.dumps([chat.model_dump(mode="json"), bad.model_dump(mode="json")])
    posted = [body for body in log.small_bodies if body.startswith(b"{")]
    assert json.loads(posted[-1])["model"] == "anthropic/claude-sonnet-4"


async def test_starts_without_a_key_and_explains(tmp_path: Path) -> None:
    with serve_cassette("models") as (base_url, _):
        server = params(tmp_path, base_url)
        assert server.env is not None
        del server.env["OPENROUTER_API_KEY"]
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            chat = await session.call_tool("chat_completion", {"messages": [{"role": "user", "content": "hi"}]})
            assert chat.is_error and chat.meta is not None and chat.meta["code"] == "CONFIGURATION"
            assert "OPENROUTER_API_KEY" in text_of(chat)
            health = await session.call_tool("health_check", {})
            assert not health.is_error
            assert health.structured_content is not None
            assert health.structured_content["api_key_present"] is False


async def test_the_three_analyze_tools_on_real_fixture_files(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("clip.mp4", "tone.wav"):
        shutil.copy(FIXTURES / name, inputs / name)
    from PIL import Image

    Image.new("RGBA", (1200, 900), (0, 0, 0, 0)).save(inputs / "transparent.png")
    with serve_cassette("chat_video_url") as (base_url, log):
        async with stdio_client(params(tmp_path, base_url)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            calls = {
                "analyze_image": {"image": "transparent.png", "model": "google/gemini-2.5-flash"},
                "analyze_audio": {"audio": str(inputs / "tone.wav"), "model": "google/gemini-2.5-flash"},
                "analyze_video": {"video": "clip.mp4", "model": "google/gemini-2.5-flash"},
            }
            for tool, arguments in calls.items():
                result = await session.call_tool(tool, arguments)
                assert not result.is_error, (tool, text_of(result))
                assert "giant panda" in text_of(result)
                assert result.meta is not None and result.meta["content_is_untrusted"] is True
            refused = await session.call_tool("analyze_image", {"image": "/etc/hostname"})
            assert refused.is_error and refused.meta is not None and refused.meta["code"] == "UNSAFE_PATH"
    chat_bodies = [json.loads(b) for b in log.small_bodies if b.startswith(b"{")]
    assert len(chat_bodies) == 3
    parts = [body["messages"][-1]["content"][-1] for body in chat_bodies]
    assert parts[0]["type"] == "image_url" and parts[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert parts[1]["type"] == "input_audio" and parts[1]["input_audio"]["format"] == "wav"
    with wave.open(str(inputs / "tone.wav")) as original:
        assert base64.b64decode(parts[1]["input_audio"]["data"])[:4] == b"RIFF" and original.getnchannels() == 1
    video_url = parts[2]["video_url"]["url"]
    assert base64.b64decode(video_url.split(",", 1)[1]) == (FIXTURES / "clip.mp4").read_bytes()
