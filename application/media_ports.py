"""Ports for reading local media files inside the configured input sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A regular file that passed the sandbox check: its fully resolved path and size in bytes."""

    path: str
    size: int


class LocalFileReader(Protocol):
    """Reads files a caller named, but only inside the allowed input roots.

    Paths come from an MCP client (ultimately from a model), so every call resolves the
    path again (``~``, ``..``, symlinks) and re-checks containment: a file swapped for a
    symlink between two calls is still refused. Failures are domain errors:
    ``UnsafePath`` when the resolved path leaves the roots (its message names
    ``OPENROUTER_INPUT_DIR`` and ``OPENROUTER_ALLOW_UNSAFE_PATHS``, never file contents),
    ``InvalidInput`` when it is missing, a directory or unreadable.
    """

    async def open_checked(self, path: str) -> LocalFile:
        """Resolve and check ``path``; callers compare ``size`` with their limit before reading."""
        ...

    async def read_head(self, path: str, n: int) -> bytes:
        """At most the first ``n`` bytes, for magic-byte sniffing."""
        ...

    async def read_all(self, path: str, max_bytes: int) -> bytes:
        """The whole file; ``ResourceTooLarge`` if it is (or grows) over ``max_bytes``.

        Callers that want a limit message naming their own env var check
        ``open_checked(...).size`` first; this cap guards against the file growing meanwhile.
        """
        ...

    def iter_chunks(self, path: str, max_bytes: int, chunk_size: int = 1 << 20) -> AsyncIterator[bytes]:
        """Stream the file in chunks (re-checked against the sandbox) so large media never sits in memory whole;
        raises ``ResourceTooLarge`` if the file grows past ``max_bytes`` while being read."""
        ...
