"""A small Server-Sent Events reader for OpenRouter streams: comments skipped, ``[DONE]`` ends, errors raised."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from ...domain.errors import ErrorCode, UpstreamError
from .errors import classify
from .http import parse_json

DONE = "[DONE]"


class SseDecoder:
    """Turns lines (without their terminators) into event data; an event ends at a blank line.

    Comment lines (``: OPENROUTER PROCESSING``) and fields other than ``data`` are ignored;
    several ``data:`` lines in one event are joined with newlines, as the SSE spec says.
    """

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed(self, line: str) -> str | None:
        """Consume one line; return the event's data when this line completes an event that had any."""
        if not line:
            return self.flush()
        if line.startswith(":"):
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        return None

    def flush(self) -> str | None:
        """End the current event (at a blank line or end of stream); None when it carried no data."""
        if not self._data:
            return None
        data = "\n".join(self._data)
        self._data = []
        return data


async def iter_events(lines: AsyncIterable[str]) -> AsyncIterator[str]:
    """Yield each event's data until ``data: [DONE]`` or the end of the stream."""
    decoder = SseDecoder()
    async for raw in lines:
        for line in raw.splitlines() or [""]:
            data = decoder.feed(line)
            if data is None:
                continue
            if data.strip() == DONE:
                return
            yield data
    tail = decoder.flush()
    if tail is not None and tail.strip() != DONE:
        yield tail


def raise_if_error(chunk: Mapping[str, Any], headers: Mapping[str, str], context: str) -> None:
    """An ``error`` at the top or in any choice is an upstream error, even inside a 200 stream."""
    if chunk.get("error") is not None:
        raise classify(200, chunk, headers, context)
    choices = chunk.get("choices")
    for choice in choices if isinstance(choices, list) else ():
        if isinstance(choice, Mapping) and choice.get("error") is not None:
            raise classify(200, {"error": choice["error"]}, headers, context)


async def iter_json_chunks(lines: AsyncIterable[str], headers: Mapping[str, str],
                           context: str) -> AsyncIterator[Mapping[str, Any]]:
    """Yield each JSON object in the stream; unparsable events are skipped, error chunks raise."""
    async for data in iter_events(lines):
        try:
            chunk = parse_json(data)
        except ValueError:
            continue
        if isinstance(chunk, Mapping):
            raise_if_error(chunk, headers, context)
            yield chunk


@asynccontextmanager
async def idle_limit(idle_s: float, context: str, setting: str) -> AsyncIterator[Callable[[], None]]:
    """Ends the block with UPSTREAM_TIMEOUT once ``idle_s`` pass without a call to the yielded ``touch``.

    Call ``touch`` for each event that carried data: comments and keep-alives do not count, so a
    stream of ``: OPENROUTER PROCESSING`` lines alone cannot hold a call open past the idle limit.
    """
    loop = asyncio.get_running_loop()
    timeout = asyncio.timeout(idle_s)
    try:
        async with timeout:
            yield lambda: timeout.reschedule(loop.time() + idle_s)
    except TimeoutError:
        if not timeout.expired():
            raise
        raise UpstreamError(f"{context}: the stream sent no data for {idle_s:g} s ({setting}): retry, or try "
                            "another model.", code=ErrorCode.UPSTREAM_TIMEOUT) from None
