"""Ports for reading local media files inside the configured input sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Protocol

from ..domain.caller import Caller

DEFAULT_CHUNK = 1 << 20


class MediaFile(Protocol):
    """One opened, checked regular file; every read comes from the same open descriptor.

    Why one handle: resolving and opening a path once per read left a window in which a
    directory could be swapped for a symlink to somewhere outside the roots between the
    check and the read. The handle pins the file that passed the check, so ``size``,
    ``read_head`` and every ``chunks`` pass see that file and no other. Reads start at
    offset 0 each time, so ``chunks`` can be iterated again (an upstream retry). Close it
    (``close`` or ``async with``); reading after close raises ``InvalidInput``.
    """

    @property
    def size(self) -> int:
        """Bytes in the file when it was opened; callers compare it with their limit before reading."""
        ...

    @property
    def display_name(self) -> str:
        """The file's real path, for messages and for guessing the format from its extension."""
        ...

    async def read_head(self, n: int) -> bytes:
        """At most the first ``n`` bytes, for magic-byte sniffing."""
        ...

    async def read_all(self, max_bytes: int) -> bytes:
        """The whole file; ``ResourceTooLarge`` if it is (or has grown) over ``max_bytes``."""
        ...

    def chunks(self, max_bytes: int, chunk_size: int = DEFAULT_CHUNK) -> AsyncIterator[bytes]:
        """The file from the start in chunks, so large media never sits in memory whole;
        ``ResourceTooLarge`` if it grows past ``max_bytes`` while being read."""
        ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> MediaFile: ...

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...


class LocalFileReader(Protocol):
    """Opens files a caller named, but only inside the allowed input roots.

    Paths come from an MCP client (ultimately from a model). ``open`` resolves the path
    (``~``, ``..``, symlinks), refuses it before touching the file when it resolves outside
    the roots, opens it, and then verifies the opened descriptor is a regular file that
    really lies inside a root, so a swap between check and open is caught, not read.
    Relative paths are tried in each root in order. Failures are domain errors:
    ``UnsafePath`` when the path (or the file actually opened) is outside the roots,
    ``InvalidInput`` when it is missing (naming every root searched), a directory, not a
    regular file or unreadable. Never file contents in a message.
    """

    async def open(self, path: str) -> MediaFile:
        """The checked file, opened once; the caller closes it."""
        ...


class InputSpaces(Protocol):
    """Which local files a caller may read.

    Why per caller: the machine's owner (stdio) may read the configured input roots, but a remote
    HTTP user is not the machine's owner, so they read only their own outputs (and library). Never
    raises; the returned reader refuses everything outside the caller's roots with UNSAFE_PATH.
    """

    def for_caller(self, caller: Caller) -> LocalFileReader: ...
