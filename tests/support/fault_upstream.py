"""A loopback upstream that misbehaves on request: hang, drip, reset, truncate, flood, gzip bomb, endless SSE, 429.

Routes map ``(method, path)`` to a ``Reply``; a test swaps replies between calls (``upstream.routes[...] = ...``)
and reads ``upstream.hits`` to count requests. Every blocking reply ends when the server shuts down.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.support.loopback import serving

Reply = Callable[[BaseHTTPRequestHandler, threading.Event], None]
MIB = 1024 * 1024


@dataclass
class FaultUpstream:
    base_url: str
    routes: dict[tuple[str, str], Reply]
    hits: list[tuple[str, str]] = field(default_factory=list)

    def count(self, method: str, path: str) -> int:
        return sum(1 for hit in self.hits if hit == (method, path))


def _head(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def body(status: int, data: bytes, content_type: str = "application/json", **headers: str) -> Reply:
    def reply(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        _head(handler, status, {"Content-Type": content_type, "Content-Length": str(len(data)),
                                **{k.replace("_", "-"): v for k, v in headers.items()}})
        handler.wfile.write(data)

    return reply


def json_reply(value: Any, status: int = 200, **headers: str) -> Reply:
    return body(status, json.dumps(value).encode(), **headers)


def hang(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Accept the request and never answer."""
    stop.wait(120)


def drip(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """A valid JSON reply sent one byte per second."""
    data = b'{"choices":[{"message":{"role":"assistant","content":"slow"}}]}'
    _head(handler, 200, {"Content-Type": "application/json", "Content-Length": str(len(data))})
    for byte in data:
        if stop.wait(1.0):
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


def reset(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Close the connection with a TCP RST before any reply."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def truncated(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Promise 10,000 bytes, send 20, close."""
    _head(handler, 200, {"Content-Type": "application/json", "Content-Length": "10000"})
    handler.wfile.write(b'{"choices":[{"messag')
    handler.wfile.flush()
    handler.close_connection = True


def huge(total: int) -> Reply:
    """``total`` bytes of JSON-looking text with no Content-Length (the end is the connection's close)."""

    def reply(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        _head(handler, 200, {"Content-Type": "application/json", "Connection": "close"})
        block = b'{"pad":"' + b"x" * (MIB - 16) + b'"},'
        handler.wfile.write(b"[")
        sent = 1
        with contextlib.suppress(OSError):
            while sent < total and not stop.is_set():
                handler.wfile.write(block)
                sent += len(block)
        handler.close_connection = True

    return reply


@cache
def gzip_bomb(mebibytes: int) -> bytes:
    """``mebibytes`` MiB of zeros as one valid gzip member of about a thousandth of the size.

    Built fast: after a full flush the compressor forgets its history, so every further MiB of zeros
    compresses to the same bytes; the trailer's CRC and length are computed for the whole.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MIB)
    first = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    ending = packer.flush()[:-8]
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    trailer = struct.pack("<II", crc, (mebibytes * MIB) & 0xFFFFFFFF)
    return first + repeated * (mebibytes - 1) + ending + trailer


def gzipped(data: bytes | Callable[[], bytes], content_type: str = "application/json") -> Reply:
    """``data`` (or what the callable returns, computed on first use) sent with Content-Encoding: gzip."""

    def reply(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        payload = data if isinstance(data, bytes) else data()
        _head(handler, 200, {"Content-Type": content_type, "Content-Encoding": "gzip",
                             "Content-Length": str(len(payload))})
        handler.wfile.write(payload)

    return reply


def _sse_forever(event: bytes) -> Reply:
    """An SSE stream that writes ``event`` ten times a second and never ends."""

    def reply(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
        _head(handler, 200, {"Content-Type": "text/event-stream", "Connection": "close"})
        with contextlib.suppress(OSError):
            while not stop.wait(0.1):
                handler.wfile.write(event)
                handler.wfile.flush()
        handler.close_connection = True

    return reply


endless_sse = _sse_forever(b": OPENROUTER PROCESSING\n\n")
"""Keep-alive comments only: no data, no end."""
endless_sse_data = _sse_forever(b'data: {"choices":[{"delta":{}}]}\n\n')
"""Empty data chunks that never end (only a total deadline stops it)."""


@contextlib.contextmanager
def fault_upstream(routes: dict[tuple[str, str], Reply]) -> Iterator[FaultUpstream]:
    """Serve ``routes`` under ``http://127.0.0.1:<port>/api/v1``; unknown routes answer 404 JSON."""
    stop = threading.Event()
    upstream = FaultUpstream("", dict(routes))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            while length > 0:
                chunk = self.rfile.read(min(MIB, length))
                if not chunk:
                    break
                length -= len(chunk)
            path = urlsplit(self.path).path.removeprefix("/api/v1")
            upstream.hits.append((self.command, path))
            reply = upstream.routes.get((self.command, path)) or json_reply(
                {"error": {"code": 404, "message": "no such route"}}, 404)
            try:
                reply(self, stop)
            except OSError:
                self.close_connection = True

        do_GET = _answer
        do_POST = _answer

    with serving(Handler) as port:
        upstream.base_url = f"http://127.0.0.1:{port}/api/v1"
        try:
            yield upstream
        finally:
            stop.set()
