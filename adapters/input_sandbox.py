"""``SandboxedFileReader``: the local-file port, confined to the configured input directories."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import BinaryIO

from ..application.media_ports import LocalFile
from ..domain.errors import InvalidInput, ResourceTooLarge, UnsafePath
from ..domain.media_source import LocalPath

_MIB = 1024 * 1024
_OPEN_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _opener(path: str, flags: int) -> int:
    return os.open(path, flags | _OPEN_FLAGS)


class SandboxedFileReader:
    """Reads files only when their fully resolved path lies inside one of ``roots``.

    Why: paths arrive from a model through an MCP client, so ``../../.ssh/id_rsa`` or a
    symlink planted in the input folder must not turn the server into a file exfiltrator.
    How: ``~`` is expanded, relative paths are joined to the first root, the result goes
    through ``Path.resolve`` (every symlink, on a directory or on the file itself, and
    every ``..`` followed to its real target) and must then be ``is_relative_to`` a root
    that was resolved the same way. Comparing whole path components rather than string
    prefixes is what keeps a sibling like ``/data/in-evil`` out of ``/data/in``.

    How it fails: ``UnsafePath`` for anything outside (raised before the file is looked
    at, so it reveals neither existence nor contents), ``InvalidInput`` for a missing
    file, a directory or a non-regular file. The check runs on every call and the file
    is opened with ``O_NOFOLLOW`` and re-checked with ``fstat``, which narrows but cannot
    fully close the race against someone who can rewrite the roots' directories while we
    read; such a writer is outside the threat model. ``allow_unsafe`` skips containment
    only, never the regular-file checks.
    """

    def __init__(self, roots: Sequence[Path], allow_unsafe: bool) -> None:
        self._roots = tuple(Path(root).expanduser().resolve(strict=False) for root in roots)
        self._allow_unsafe = allow_unsafe

    @property
    def roots(self) -> tuple[Path, ...]:
        return self._roots

    async def open_checked(self, path: str) -> LocalFile:
        return await asyncio.to_thread(self._checked, path)

    async def read_head(self, path: str, n: int) -> bytes:
        return await asyncio.to_thread(self._read, path, max(n, 0), False)

    async def read_all(self, path: str, max_bytes: int) -> bytes:
        return await asyncio.to_thread(self._read, path, max(max_bytes, 0), True)

    async def iter_chunks(self, path: str, max_bytes: int, chunk_size: int = _MIB) -> AsyncIterator[bytes]:
        resolved = await asyncio.to_thread(self._resolve, path)
        await asyncio.to_thread(self._stat_regular, path, resolved)
        handle = await asyncio.to_thread(self._open, resolved)
        try:
            sent = 0
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                sent += len(chunk)
                if sent > max_bytes:
                    raise self._too_large(resolved, sent, max_bytes)
                yield chunk
        finally:
            handle.close()

    def _resolve(self, raw: str) -> Path:
        text = raw.strip()
        if not text or "\x00" in text:
            raise InvalidInput("the file path is empty or contains a NUL character: pass a file path.")
        try:
            candidate = Path(text).expanduser()
            if not candidate.is_absolute():
                candidate = (self._roots[0] if self._roots else Path.cwd()) / candidate
            resolved = candidate.resolve(strict=False)
        except (OSError, RuntimeError) as exc:
            raise InvalidInput(
                f"cannot resolve the path '{text}' ({exc}): pass an existing file path."
            ) from None
        if not self._allow_unsafe and not any(resolved.is_relative_to(root) for root in self._roots):
            allowed = ", ".join(str(root) for root in self._roots) or "none configured"
            raise UnsafePath(
                f"'{text}' is outside the allowed input directories ({allowed}): "
                "move the file into one of them, add its directory to OPENROUTER_INPUT_DIR, "
                "or set OPENROUTER_ALLOW_UNSAFE_PATHS=1 to allow any path.",
                suggestions=("Set OPENROUTER_INPUT_DIR in this server's env and restart it",),
            )
        return resolved

    def _stat_regular(self, raw: str, resolved: Path) -> os.stat_result:
        try:
            info = resolved.stat()
        except FileNotFoundError:
            hint = ""
            if os.name != "nt" and LocalPath.parse(raw).windows_style:
                hint = " (Windows-style paths are not understood by this server; use a POSIX path)"
            raise InvalidInput(
                f"no file at {resolved}{hint}: check the path and that the file exists."
            ) from None
        except OSError as exc:
            raise InvalidInput(f"cannot access {resolved} ({exc.strerror}): check its permissions.") from None
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput(f"{resolved} is a directory: pass the path of a file inside it.")
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{resolved} is not a regular file: pass an ordinary media file.")
        return info

    def _checked(self, raw: str) -> LocalFile:
        resolved = self._resolve(raw)
        return LocalFile(path=str(resolved), size=self._stat_regular(raw, resolved).st_size)

    def _open(self, resolved: Path) -> BinaryIO:
        try:
            return open(resolved, "rb", opener=_opener)
        except OSError as exc:
            raise InvalidInput(
                f"cannot open {resolved} ({exc.strerror}): check the file and its permissions."
            ) from None

    def _read(self, raw: str, limit: int, enforce_limit: bool) -> bytes:
        resolved = self._resolve(raw)
        self._stat_regular(raw, resolved)
        with self._open(resolved) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InvalidInput(f"{resolved} is not a regular file: pass an ordinary media file.")
            if enforce_limit and info.st_size > limit:
                raise self._too_large(resolved, info.st_size, limit)
            data = handle.read(limit + 1 if enforce_limit else limit)
        if enforce_limit and len(data) > limit:
            raise self._too_large(resolved, len(data), limit)
        return data

    @staticmethod
    def _too_large(resolved: Path, size: int, limit: int) -> ResourceTooLarge:
        return ResourceTooLarge(
            f"{resolved} is over the {limit / _MIB:.1f} MiB limit: pass a smaller file.",
            details={"size_bytes": size, "limit_bytes": limit},
        )
