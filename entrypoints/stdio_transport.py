"""Serve MCP over stdio through the event loop's pipe transports: a stdin a signal can cancel, no thread hops.

The SDK reads stdin with a blocking ``readline`` in a worker thread. Cancelling the server cannot
interrupt that thread, so SIGINT and SIGTERM left the process waiting for the next line (or for the
interpreter to join the thread) until the client wrote or closed stdin. Here stdin is read through the
event loop's non-blocking pipe reader, which cancellation ends at once; fd 0 is pointed at the null
device while serving (as the SDK does), so nothing else in the process can read protocol bytes.

The SDK also writes each message with two worker-thread hops (``write``, then ``flush``): about 0.3 ms a
message here. When stdout is a pipe or a socket it is written through the loop's pipe writer instead,
and fd 1 points at stderr while serving (as the SDK does), so a stray ``print`` cannot corrupt a frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
from collections.abc import AsyncIterator
from typing import Any, cast

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server

FINAL_WRITE_SECONDS = 2.0
"""At the end, how long a reply still in the transport may take to leave before it is dropped."""
MAX_LINE_BYTES = 256 * 1024 * 1024
"""One JSON-RPC message; big enough for the largest inline media the tools accept (100 MiB video as base64)."""


class PipeLines:
    """Async iterator of the UTF-8 lines of a non-blocking pipe; a line over ``MAX_LINE_BYTES`` is skipped
    (the SDK then answers nothing for it, as for any line that is not JSON-RPC)."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> PipeLines:
        return self

    async def __anext__(self) -> str:
        while True:
            try:
                line = await self._reader.readline()
            except ValueError:
                continue
            if not line:
                raise StopAsyncIteration
            return line.decode("utf-8", errors="replace")


def _is_pollable(fd: int) -> bool:
    """A pipe, a socket or a terminal: what the loop can wait on. ``/dev/null`` and regular files cannot be
    polled (epoll refuses them) but never block either, so the SDK's reader serves them."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or (stat.S_ISCHR(mode) and os.isatty(fd))


@contextlib.asynccontextmanager
async def cancellable_stdin() -> AsyncIterator[PipeLines | None]:
    """Claim fd 0 and yield its lines, or None when stdin cannot be polled (see ``_is_pollable``) or on
    Windows, where the SDK's own reader is used. The descriptor and its flags are restored."""
    if sys.platform == "win32" or not _is_pollable(0):
        yield None
        return
    import fcntl

    private = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    flags = fcntl.fcntl(private, fcntl.F_GETFL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE_BYTES)
    pipe = os.fdopen(private, "rb", buffering=0, closefd=False)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        yield PipeLines(reader)
    finally:
        transport.close()
        with contextlib.suppress(OSError):
            fcntl.fcntl(private, fcntl.F_SETFL, flags)
            os.dup2(private, 0)
        os.close(private)


class PipeText:
    """The ``write``/``flush`` of a text file, on the loop's pipe writer: ``flush`` returns once every byte
    written so far is in the pipe (the transport holds none back)."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


@contextlib.asynccontextmanager
async def loop_stdout() -> AsyncIterator[PipeText | None]:
    """Claim fd 1 and yield a writer on it, or None when stdout is not a pipe or a socket (a terminal or a
    file: the SDK's own writer serves those) or on Windows. fd 1 points at stderr meanwhile; the descriptor
    and its flags are restored, after what was written has left (a cancelled write may be cut short)."""
    if sys.platform == "win32" or not _is_pipe(1):
        yield None
        return
    import fcntl

    sys.stdout.flush()
    private = fcntl.fcntl(1, fcntl.F_DUPFD_CLOEXEC, 3)
    flags = fcntl.fcntl(private, fcntl.F_GETFL)
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    pipe = os.fdopen(private, "wb", buffering=0, closefd=False)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, pipe)
    transport.set_write_buffer_limits(high=0)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    try:
        yield PipeText(writer)
    finally:
        if transport.get_write_buffer_size():
            with anyio.CancelScope(shield=True), anyio.move_on_after(FINAL_WRITE_SECONDS), \
                    contextlib.suppress(OSError):
                await writer.drain()
        transport.abort()
        with contextlib.suppress(OSError):
            fcntl.fcntl(private, fcntl.F_SETFL, flags)
            os.dup2(private, 1)
        os.close(private)


def _is_pipe(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def serve_stdio(server: MCPServer) -> None:
    """``server.run_stdio_async()`` on the loop's pipes; returns when the client closes stdin."""
    lowlevel = server._lowlevel_server
    async with cancellable_stdin() as lines, loop_stdout() as out, \
            stdio_server(stdin=cast(Any, lines), stdout=cast(Any, out)) as (read_stream, write_stream):
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
