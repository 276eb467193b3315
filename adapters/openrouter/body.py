"""Bounded upstream bodies: decoded bytes counted against a cap (gzip bombs included), and SSE line splitting.

Why: an upstream (or anything posing as it) can send a body of any size, or a small gzip body that
inflates a thousandfold. Bodies are read from the raw stream and inflated here in pieces of at most
``PIECE`` bytes, so memory stays at the cap plus one piece, and the read stops the moment the cap is
passed. httpx's own decoders are not used: they inflate a whole network chunk at once.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass

import httpx

from ...domain.errors import ErrorCode, OpenRouterMcpError, UpstreamError

PIECE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class ByteCap:
    """At most ``max_bytes`` decoded bytes; ``exceeded(seen)`` builds the error once more arrived."""

    max_bytes: int
    exceeded: Callable[[int], OpenRouterMcpError]


def response_cap(max_bytes: int, setting: str, context: str) -> ByteCap:
    """The cap for an upstream reply, failing with RESOURCE_TOO_LARGE that names ``setting``.

    The error is an ``UpstreamError`` (code RESOURCE_TOO_LARGE) because the upstream sent too much: callers
    that tolerate upstream trouble (a catalogue lookup before a chat) tolerate this too."""

    def exceeded(seen: int) -> OpenRouterMcpError:
        return UpstreamError(
            f"{context}: OpenRouter's reply is more than {max_bytes} bytes, over the limit set by {setting}: "
            f"raise {setting} if such replies are expected, or ask for less output.",
            code=ErrorCode.RESOURCE_TOO_LARGE,
            details={"max_bytes": max_bytes, "setting": setting, "received_bytes_at_least": seen})

    return ByteCap(max_bytes, exceeded)


class _Inflater:
    """gzip (every member) or deflate decoding whose output comes in pieces of at most ``PIECE`` bytes.

    Bytes after a complete gzip member that do not start another member are ignored, as httpx does.
    """

    def __init__(self, encoding: str, context: str) -> None:
        self._encoding = encoding
        self._context = context
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS
        self._output = False
        self._member_output = False
        self._members_done = 0
        self._ignoring = False
        self._zlib = zlib.decompressobj(self._wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._ignoring:
            return
        try:
            yield from self._drain(data)
        except zlib.error:
            if self._gzip and self._members_done and not self._member_output:
                self._ignoring = True
                return
            if self._output or self._gzip:
                raise self._broken() from None
            self._wbits = -zlib.MAX_WBITS  # raw deflate, as some servers send it
            self._zlib = zlib.decompressobj(self._wbits)
            try:
                yield from self._drain(data)
            except zlib.error:
                raise self._broken() from None

    def _drain(self, data: bytes) -> Iterator[bytes]:
        while data or not self._zlib.eof:
            if self._zlib.eof:
                if not self._gzip:
                    return
                self._zlib = zlib.decompressobj(self._wbits)  # the next member of a multi-member gzip body
                self._members_done += 1
                self._member_output = False
            piece = self._zlib.decompress(data, PIECE)
            if piece:
                self._output = self._member_output = True
                yield piece
            data = self._zlib.unconsumed_tail or (self._zlib.unused_data if self._zlib.eof else b"")
            if not data and len(piece) < PIECE:
                return

    def finish(self) -> bytes:
        if self._ignoring:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error:
            raise self._broken() from None

    def _broken(self) -> UpstreamError:
        return UpstreamError(f"{self._context}: OpenRouter sent a {self._encoding} body that could not be "
                             "decompressed: retry after a short delay.")


def _inflater(response: httpx.Response, context: str) -> _Inflater | None:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater(encoding, context)
    raise UpstreamError(f"{context}: OpenRouter sent a body encoded as '{encoding[:40]}', which was not asked "
                        "for and cannot be size-checked: retry, or check ${base_url}.")


async def iter_body(response: httpx.Response, cap: ByteCap, context: str) -> AsyncGenerator[bytes, None]:
    """The decoded body in pieces; raises ``cap.exceeded`` as soon as more than ``cap.max_bytes`` arrived."""
    if response.is_stream_consumed:  # already loaded (a replayed or mocked response), already decoded
        if len(response.content) > cap.max_bytes:
            raise cap.exceeded(len(response.content))
        if response.content:
            yield response.content
        return
    inflater = _inflater(response, context)
    declared = response.headers.get("content-length", "").strip()
    if inflater is None and declared.isdigit() and int(declared) > cap.max_bytes:
        raise cap.exceeded(int(declared))
    total = 0
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw) if inflater is not None else (raw,):
            total += len(piece)
            if total > cap.max_bytes:
                raise cap.exceeded(total)
            yield piece
    tail = inflater.finish() if inflater is not None else b""
    if tail:
        if total + len(tail) > cap.max_bytes:
            raise cap.exceeded(total + len(tail))
        yield tail


async def read_body(response: httpx.Response, cap: ByteCap, context: str) -> bytes:
    """The whole decoded body, at most ``cap.max_bytes``."""
    data = bytearray()
    async for piece in iter_body(response, cap, context):
        data += piece
    return bytes(data)


async def read_prefix(response: httpx.Response, limit: int, context: str) -> bytes:
    """The first ``limit`` decoded bytes; the rest is not read (for error bodies, which are only quoted)."""
    data = bytearray()
    cap = ByteCap(1 << 62, lambda seen: UpstreamError(context))
    async with aclosing(iter_body(response, cap, context)) as pieces:
        async for piece in pieces:
            data += piece[: limit - len(data)]
            if len(data) >= limit:
                break
    return bytes(data)


async def iter_lines(pieces: AsyncIterable[bytes]) -> AsyncIterator[str]:
    """UTF-8 text split at ``\\r\\n``, ``\\r`` or ``\\n`` (the SSE line ends), without the terminators.

    A line is scanned once for its end, however many pieces it spans.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending: list[str] = []
    async for piece in pieces:
        text = decoder.decode(piece)
        if "\n" not in text and "\r" not in text:
            pending.append(text)
            continue
        text = "".join(pending) + text
        pending = []
        parts = _LINE_BREAK.split(text)
        tail = parts.pop()
        if text.endswith("\r"):  # may be the first half of a \r\n split across pieces
            tail = parts.pop() + "\r"
        for line in parts:
            yield line
        if tail:
            pending.append(tail)
    rest = "".join(pending) + decoder.decode(b"", final=True)
    for line in _LINE_BREAK.split(rest.removesuffix("\r")) if rest else ():
        yield line
