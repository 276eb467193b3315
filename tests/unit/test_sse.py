"""The SSE reader: comments, blank-line framing, multi-line data, ``[DONE]``, and error chunks inside a 200 stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from openrouter_multimodal.adapters.openrouter.sse import SseDecoder, iter_events, iter_json_chunks
from openrouter_multimodal.domain.errors import ErrorCode, UpstreamError

pytestmark = pytest.mark.anyio


async def lines_of(text: str) -> AsyncIterator[str]:
    for line in text.split("\n"):
        yield line


async def collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def feed_all(decoder: SseDecoder, lines: Iterable[str]) -> list[str]:
    return [data for line in lines if (data := decoder.feed(line)) is not None]


def test_decoder_skips_comments_and_other_fields() -> None:
    decoder = SseDecoder()
    events = feed_all(decoder, [": OPENROUTER PROCESSING", "", "event: message", "id: 7", "retry: 10",
                                "data: {\"a\":1}", ""])
    assert events == ['{"a":1}']


def test_decoder_joins_multi_line_data_and_keeps_colons_in_values() -> None:
    decoder = SseDecoder()
    events = feed_all(decoder, ["data: first", "data:second", "data: third: with colon", ""])
    assert events == ["first\nsecond\nthird: with colon"]


def test_decoder_flush_returns_an_unterminated_event_once() -> None:
    decoder = SseDecoder()
    assert feed_all(decoder, ["data: tail"]) == []
    assert decoder.flush() == "tail"
    assert decoder.flush() is None


async def test_events_stop_at_done_and_ignore_keepalives() -> None:
    text = (": OPENROUTER PROCESSING\n\n" * 17 + 'data: {"n":1}\n\n'
            + ': OPENROUTER PROCESSING\n\ndata: {"n":2}\n\ndata: [DONE]\n\ndata: {"n":3}\n\n')
    assert await collect(iter_events(lines_of(text))) == ['{"n":1}', '{"n":2}']


async def test_events_without_final_blank_line_are_still_delivered() -> None:
    assert await collect(iter_events(lines_of('data: {"n":1}\n\ndata: {"n":2}'))) == ['{"n":1}', '{"n":2}']


async def test_lines_carrying_embedded_line_breaks_are_split() -> None:
    async def chunks() -> AsyncIterator[str]:
        yield 'data: {"n":1}\r\n\r\ndata: [DONE]'

    assert await collect(iter_events(chunks())) == ['{"n":1}']


async def test_json_chunks_skip_unparsable_events() -> None:
    text = 'data: not json\n\ndata: ["a list"]\n\ndata:   {"ok": true}\n\ndata: [DONE]\n\n'
    assert await collect(iter_json_chunks(lines_of(text), {}, "ctx")) == [{"ok": True}]


async def test_top_level_error_chunk_raises_even_in_a_200_stream() -> None:
    text = ('data: {"choices":[{"delta":{"content":"hi"}}]}\n\n'
            'data: {"error":{"code":502,"message":"Provider returned error","metadata":{"provider_name":"OpenAI",'
            '"raw":"backend unavailable"}},"choices":[]}\n\ndata: [DONE]\n\n')
    seen: list[Any] = []
    with pytest.raises(UpstreamError) as info:
        async for chunk in iter_json_chunks(lines_of(text), {}, "generate_audio (stream)"):
            seen.append(chunk)
    assert len(seen) == 1
    assert info.value.code is ErrorCode.UPSTREAM_HTTP
    assert info.value.status == 502
    assert info.value.message.startswith("generate_audio (stream):")
    assert "backend unavailable" in info.value.message


async def test_error_inside_a_choice_raises() -> None:
    text = 'data: {"choices":[{"index":0,"error":{"code":429,"message":"Rate limit exceeded"}}]}\n\n'
    with pytest.raises(UpstreamError) as info:
        await collect(iter_json_chunks(lines_of(text), {"retry-after": "3"}, "ctx"))
    assert info.value.code is ErrorCode.UPSTREAM_REFUSED
    assert info.value.retry_after_seconds == 3.0


async def test_error_null_is_not_an_error() -> None:
    text = 'data: {"error":null,"choices":[{"error":null}]}\n\n'
    assert await collect(iter_json_chunks(lines_of(text), {}, "ctx")) == [{"error": None, "choices": [{"error": None}]}]
