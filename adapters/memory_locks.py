"""``InProcessLocks``: the resource-lock port for one server process (asyncio locks, released when unused)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager


class InProcessLocks:
    """Exclusive holds on named resources within this process.

    Keys are taken in sorted order (no deadlock between two calls holding overlapping sets)
    and a lock is forgotten once nobody holds or waits for it, so the table stays as small as
    the number of resources in use. Replicas need the state store's locks instead.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def hold(self, keys: Sequence[str]) -> AbstractAsyncContextManager[None]:
        return self._hold(sorted(set(keys)))

    @asynccontextmanager
    async def _hold(self, keys: list[str]) -> AsyncIterator[None]:
        taken: list[str] = []
        try:
            for key in keys:
                lock = self._claim(key)
                try:
                    await lock.acquire()
                except BaseException:
                    self._release(key, locked=False)
                    raise
                taken.append(key)
            yield
        finally:
            for key in reversed(taken):
                self._release(key, locked=True)

    def _claim(self, key: str) -> asyncio.Lock:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        return lock

    def _release(self, key: str, *, locked: bool) -> None:
        lock, users = self._locks[key]
        if locked:
            lock.release()
        if users <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
