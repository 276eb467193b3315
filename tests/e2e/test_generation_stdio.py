"""End to end over stdio: generate an image (preview + saved file + link) and speech (a playable WAV)."""

from __future__ import annotations

import base64
import io
import wave
from pathlib import Path

import pytest
from mcp import ClientSession, stdio_client
from PIL import Image

from tests.support.openrouter_stub import serve_cassette
from tests.support.stdio import params
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_generate_image_returns_preview_saved_file_and_resource_link(tmp_path: Path) -> None:
    with serve_cassette("gen_image_viewable") as (base_url, _):
        async with stdio_client(params(tmp_path, base_url)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            result = await session.call_tool("generate_image", {"prompt": "A cat", "save_path": "cats/cat.png"})
            assert not result.is_error, text_of(result)
            kinds = [block.type for block in result.content]
            assert kinds[0] == "text" and "image" in kinds and "resource_link" in kinds
            saved = tmp_path / "outputs" / "cats" / "cat.png"
            assert saved.is_file() and str(saved) in text_of(result)
            preview = next(block for block in result.content if block.type == "image")
            with Image.open(io.BytesIO(base64.b64decode(preview.data))) as img:
                assert max(img.size) <= 1024
            link = next(block for block in result.content if block.type == "resource_link")
            read_back = await session.read_resource(link.uri)
            assert base64.b64decode(read_back.contents[0].blob) == saved.read_bytes()


async def test_generate_audio_saves_a_playable_wav(tmp_path: Path) -> None:
    with serve_cassette("gen_audio_stream") as (base_url, _):
        async with stdio_client(params(tmp_path, base_url)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            result = await session.call_tool("generate_audio", {"prompt": "Say hello", "save_path": "hello.wav"})
            assert not result.is_error, text_of(result)
    saved = tmp_path / "outputs" / "hello.wav"
    with wave.open(str(saved)) as audio:
        assert audio.getnchannels() == 1 and audio.getframerate() == 24000 and audio.getsampwidth() == 2
        assert audio.getnframes() > 0
