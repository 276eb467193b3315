"""A tiny raw HTTP/1.1 server on loopback for fetcher tests: full control over every byte sent."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
from anyio.abc import ByteStream, SocketAttribute
from anyio.streams.buffered import BufferedByteReceiveStream
from anyio.streams.tls import TLSStream


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]


Route = Callable[[Seen, ByteStream], Awaitable[None]]


@dataclass
class LoopbackServer:
    routes: dict[str, Route]
    tls: ssl.SSLContext | None = None
    port: int = 0
    connections: int = 0
    requests: list[Seen] = field(default_factory=list)

    async def handle(self, raw: ByteStream) -> None:
        self.connections += 1
        async with raw:
            try:
                stream: ByteStream = raw
                if self.tls is not None:
                    stream = await TLSStream.wrap(
                        raw, server_side=True, ssl_context=self.tls, standard_compatible=False
                    )
                head = await BufferedByteReceiveStream(stream).receive_until(b"\r\n\r\n", 65536)
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, _version = request_line.split(" ")
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
                seen = Seen(method, target, headers)
                self.requests.append(seen)
                route = self.routes.get(target.partition("?")[0], not_found)
                await route(seen, stream)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, ssl.SSLError, OSError):
                pass


@asynccontextmanager
async def serving(
    routes: dict[str, Route], host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> AsyncIterator[LoopbackServer]:
    server = LoopbackServer(routes, tls)
    listener = await anyio.create_tcp_listener(local_host=host, local_port=0)
    server.port = listener.extra(SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


def head(status: int, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} Test", *(f"{k}: {v}" for k, v in headers), "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def body(data: bytes, content_type: str = "image/png", status: int = 200) -> Route:
    async def route(_seen: Seen, stream: ByteStream) -> None:
        await stream.send(head(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))]) + data)

    return route


def redirect(location: str | None, status: int = 302) -> Route:
    async def route(_seen: Seen, stream: ByteStream) -> None:
        headers = [("Content-Length", "9")] + ([("Location", location)] if location is not None else [])
        await stream.send(head(status, headers) + b"redirect!")

    return route


async def not_found(_seen: Seen, stream: ByteStream) -> None:
    await stream.send(head(404, [("Content-Length", "9")]) + b"not found")
