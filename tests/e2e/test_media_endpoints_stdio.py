"""End to end over stdio: every dedicated endpoint through the installed server, the real ``mcp`` client and a
loopback upstream replaying ``media_all`` (images n=3, text-to-speech, SRT transcription, embeddings to a file)."""

from __future__ import annotations

import base64
import json
import wave
from pathlib import Path

import pytest
from mcp import ClientSession, stdio_client

from openrouter_multimodal.domain.generation import pcm16_to_wav
from tests.support.openrouter_stub import serve_cassette
from tests.support.stdio import params
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


async def test_each_dedicated_endpoint_works_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "talk.wav").write_bytes(pcm16_to_wav(b"\x10\x00" * 16_000, 16_000))
    outputs = tmp_path / "outputs"
    with serve_cassette("media_all") as (base_url, log):
        server = params(tmp_path, base_url, OPENROUTER_EMBEDDING_INLINE_MAX_VALUES="8")
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert {"transcribe_audio", "embed_texts"} <= names

            refused = await session.call_tool("generate_image", {"prompt": "x", "seed": 1,
                                                                 "model": "google/gemini-2.5-flash-image"})
            assert refused.is_error and (refused.meta or {})["code"] == "INVALID_INPUT", text_of(refused)

            images = await session.call_tool("generate_image", {
                "prompt": "three pandas", "model": "bytedance-seed/seedream-4.5", "n": 3, "seed": 7,
                "save_path": "pandas.png"})
            assert not images.is_error, text_of(images)
            links = [block for block in images.content if block.type == "resource_link"]
            assert len(links) == 3 and (images.meta or {})["cost_usd"] == 0.12
            assert sorted(p.name for p in outputs.glob("pandas*.png")) == ["pandas-2.png", "pandas-3.png", "pandas.png"]
            blob = (await session.read_resource(links[2].uri)).contents[0]
            assert base64.b64decode(getattr(blob, "blob", "")) == (outputs / "pandas-3.png").read_bytes()

            speech = await session.call_tool("generate_audio", {
                "prompt": "Hello", "model": "openai/gpt-4o-mini-tts-2025-12-15", "voice": "nova",
                "instructions": "warm", "save_path": "hello.wav"})
            assert not speech.is_error, text_of(speech)
            assert (speech.meta or {})["route"] == "speech" and (speech.meta or {})["cost_usd"] == 0.0021

            srt = await session.call_tool("transcribe_audio", {"audio": "talk.wav", "format": "srt",
                                                               "save_path": "talk.srt"})
            assert not srt.is_error, text_of(srt)
            assert "00:00:00,400 --> 00:00:00,600\ntone." in (outputs / "talk.srt").read_text()

            vectors = await session.call_tool("embed_texts", {"texts": ["a", "b", "c"], "save_path": "v.jsonl"})
            assert not vectors.is_error, text_of(vectors)
            assert (vectors.structured_content or {})["dimensions"] == 8

    with wave.open(str(outputs / "hello.wav")) as audio:
        assert audio.getframerate() == 24_000 and audio.getnframes() == 4_800
    lines = (outputs / "v.jsonl").read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == [0, 1, 2]
    paid = [path for method, path, _ in log.requests if method == "POST"]
    assert paid == ["/api/v1/images", "/api/v1/audio/speech", "/api/v1/audio/transcriptions", "/api/v1/embeddings"]
    speech_body = json.loads(next(body for body in log.small_bodies if b'"input":"Hello"' in body))
    assert speech_body["provider"] == {"options": {"openai": {"instructions": "warm"}}}
