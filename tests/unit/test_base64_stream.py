"""Streamed base64 and JSON bodies equal their in-memory counterparts, byte for byte."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest

from openrouter_multimodal.adapters.base64_stream import (
    PLACEHOLDER,
    JsonBodyStream,
    encoded_length,
    iter_base64,
    iter_file_chunks,
    split_json_template,
    stream_json_with_base64,
)

pytestmark = pytest.mark.anyio

SIZES = [0, 1, 2, 3, 4, (1 << 20) + 1]


async def _chunks(data: bytes, sizes: Sequence[int]) -> AsyncIterator[bytes]:
    position, index = 0, 0
    while position < len(data):
        step = sizes[index % len(sizes)]
        yield data[position : position + step]
        position += step
        index += 1


async def _collect(pieces: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in pieces])


def _document(value: str) -> dict[str, object]:
    return {"model": "google/gemini-2.5-flash", "messages": [{"role": "user", "content": [{"video": value}]}]}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("chunk_sizes", [[1], [2, 5, 1], [7], [65536], [1 << 20]])
async def test_iter_base64_matches_b64encode(size: int, chunk_sizes: list[int]) -> None:
    if size > 4096 and chunk_sizes[0] < 64:
        chunk_sizes = [chunk_sizes[0] + 4093]
    data = os.urandom(size)
    assert await _collect(iter_base64(_chunks(data, chunk_sizes))) == base64.b64encode(data)


async def test_iter_base64_skips_empty_chunks() -> None:
    async def with_empties() -> AsyncIterator[bytes]:
        for piece in (b"", b"a", b"", b"bcd", b""):
            yield piece

    assert await _collect(iter_base64(with_empties())) == base64.b64encode(b"abcd")


@pytest.mark.parametrize("size", SIZES)
def test_encoded_length(size: int) -> None:
    assert encoded_length(size) == len(base64.b64encode(b"\0" * size))


@pytest.mark.parametrize("size", SIZES)
async def test_streamed_json_equals_the_plain_body(size: int) -> None:
    data = os.urandom(size)
    value = "data:video/mp4;base64," + PLACEHOLDER
    prefix, suffix = split_json_template(_document(value), PLACEHOLDER)
    body = await _collect(stream_json_with_base64(prefix, iter_base64(_chunks(data, [4099])), suffix))
    expected = _document("data:video/mp4;base64," + base64.b64encode(data).decode())
    assert json.loads(body) == expected
    assert len(body) == len(prefix) + encoded_length(size) + len(suffix)


@pytest.mark.parametrize("size", SIZES)
async def test_file_chunks_round_trip(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "clip.bin"
    path.write_bytes(data)
    assert await _collect(iter_file_chunks(path, chunk_size=1000)) == data


async def test_file_chunks_rejects_a_zero_chunk_size(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match="chunk_size"):
        await _collect(iter_file_chunks(path, chunk_size=0))


@pytest.mark.parametrize("size", SIZES)
async def test_json_body_stream_posts_with_content_length(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    seen: dict[str, object] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        raw = await request.aread()
        seen.update(headers=dict(request.headers), body=raw)
        return httpx.Response(200, json={"ok": True})

    body = JsonBodyStream.for_file(_document(PLACEHOLDER), path, chunk_size=65536)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        response = await client.post("https://example.test/v1", content=body, headers=body.headers)
    assert response.status_code == 200
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert headers["content-length"] == str(body.content_length)
    assert "transfer-encoding" not in headers
    raw = seen["body"]
    assert isinstance(raw, bytes) and len(raw) == body.content_length
    assert json.loads(raw) == _document(base64.b64encode(data).decode())


async def test_json_body_stream_is_one_shot() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"abc"

    body = JsonBodyStream(b'{"v":"', source(), 3, b'"}')
    assert json.loads(await _collect(body.__aiter__())) == {"v": "YWJj"}
    with pytest.raises(RuntimeError, match="only once"):
        await _collect(body.__aiter__())


async def test_json_body_stream_detects_a_size_mismatch() -> None:
    async def source() -> AsyncIterator[bytes]:
        yield b"abcdef"

    body = JsonBodyStream(b'{"v":"', source(), 3, b'"}')
    with pytest.raises(RuntimeError, match="Content-Length"):
        await _collect(body.__aiter__())


def test_split_json_template_needs_exactly_one_placeholder() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        split_json_template({"a": "b"})
    with pytest.raises(ValueError, match="exactly once"):
        split_json_template({"a": PLACEHOLDER, "b": PLACEHOLDER})
