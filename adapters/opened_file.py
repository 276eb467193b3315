"""``OpenedFile``: the ``MediaFile`` handle, reading only from the descriptor that passed the sandbox check."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator
from types import TracebackType

from ..application.media_ports import DEFAULT_CHUNK
from ..domain.errors import InvalidInput, ResourceTooLarge

_MIB = 1024 * 1024


def too_large(name: str, size: int, limit: int) -> ResourceTooLarge:
    return ResourceTooLarge(
        f"{name} is over the {limit / _MIB:.1f} MiB limit: pass a smaller file.",
        details={"size_bytes": size, "limit_bytes": limit},
    )


class OpenedFile:
    """A pinned descriptor: reads use ``pread`` from offset 0, so no path is looked up again.

    Closing is idempotent; a handle that is dropped without ``close`` still releases its
    descriptor when it is garbage-collected (``weakref.finalize``), so an abandoned stream
    cannot leak descriptors.
    """

    def __init__(self, fd: int, size: int, display_name: str) -> None:
        self._fd = fd
        self._size = size
        self._name = display_name
        self._finalizer = weakref.finalize(self, os.close, fd)

    @property
    def size(self) -> int:
        return self._size

    @property
    def display_name(self) -> str:
        return self._name

    async def read_head(self, n: int) -> bytes:
        return await asyncio.to_thread(self._pread, max(n, 0), 0)

    async def read_all(self, max_bytes: int) -> bytes:
        return await asyncio.to_thread(self._read_all, max(max_bytes, 0))

    async def chunks(self, max_bytes: int, chunk_size: int = DEFAULT_CHUNK) -> AsyncIterator[bytes]:
        sent = 0
        while chunk := await asyncio.to_thread(self._pread, chunk_size, sent):
            sent += len(chunk)
            if sent > max_bytes:
                raise too_large(self._name, sent, max_bytes)
            yield chunk

    async def close(self) -> None:
        self._finalizer()

    async def __aenter__(self) -> OpenedFile:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    def _pread(self, n: int, offset: int) -> bytes:
        if not self._finalizer.alive:
            raise InvalidInput(f"{self._name} was already closed: open it again.")
        try:
            return os.pread(self._fd, n, offset)
        except OSError as exc:
            raise InvalidInput(f"cannot read {self._name} ({exc.strerror}): check the file.") from None

    def _read_all(self, limit: int) -> bytes:
        if self._size > limit:
            raise too_large(self._name, self._size, limit)
        parts: list[bytes] = []
        got = 0
        while got <= limit and (chunk := self._pread(min(DEFAULT_CHUNK, limit + 1 - got), got)):
            parts.append(chunk)
            got += len(chunk)
        if got > limit:
            raise too_large(self._name, got, limit)
        return b"".join(parts)
