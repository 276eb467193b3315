"""``LocalOutputStore``: the output port on the real filesystem, confined to the output directory."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import mimetypes
import os
import secrets
import stat
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import BinaryIO

from ..application.job_ports import ByteSink, StoredFile
from ..domain.errors import ConfigurationError, InvalidInput, ResourceTooLarge, UnsafePath
from ..domain.media import format_from_extension
from ..domain.save_policy import SavePolicy

_MIB = 1024 * 1024
_OPEN_FLAGS = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | _OPEN_FLAGS)


def _mime(name: str) -> str:
    fmt = format_from_extension(name)
    return fmt.mime if fmt is not None else mimetypes.guess_type(name)[0] or "application/octet-stream"


def _escape(raw: str, where: Path, root: Path) -> UnsafePath:
    return UnsafePath(
        f"save_path '{raw}' resolves through a symbolic link to {where}, outside the output directory {root}: "
        "pass a name inside it, set OPENROUTER_OUTPUT_DIR to a directory that contains it, "
        "or set OPENROUTER_ALLOW_UNSAFE_PATHS=1 to allow any path."
    )


class _Sink:
    """Writes chunks to the temp file and remembers a passed cap, so a swallowed error still aborts."""

    def __init__(self, handle: BinaryIO, target: Path, max_bytes: int | None) -> None:
        self._handle = handle
        self._target = target
        self._max = max_bytes
        self.written = 0
        self.error: ResourceTooLarge | None = None

    async def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        if self._max is not None and self.written + len(chunk) > self._max:
            self.error = ResourceTooLarge(
                f"the result for {self._target.name} is over the {self._max / _MIB:.1f} MiB limit: "
                "raise the limit or ask for a smaller output.",
                details={"limit_bytes": self._max},
            )
            raise self.error
        await asyncio.to_thread(self._handle.write, chunk)
        self.written += len(chunk)


class LocalOutputStore:
    """Writes generated files only where ``SavePolicy`` and the real filesystem both agree.

    Why: the anchor server checked the parent directory but then wrote *through* a symlink
    planted as the leaf, overwriting a file outside its folder. How: the name is first
    checked lexically (``SavePolicy``, ``~`` expanded); the parent's resolved path must lie
    inside the resolved root both before and after its directories are created (so a
    symlinked directory cannot make us create directories outside); the leaf must not be a
    symlink, a directory or any non-regular file, checked at reservation and again right
    before the temp file ``.<name>.<random>.part`` is moved into place. Without
    ``overwrite`` the final step is a hard link, which fails rather than replace a file
    that appeared meanwhile. Files are created with mode 0600.

    ``allow_unsafe`` bypasses containment only: a symlink leaf is still refused, and
    ``read`` is always confined to the root. How it fails: see ``OutputStore``; a root that
    cannot be created is ``ConfigurationError``, other OS errors are ``InvalidInput``.
    """

    def __init__(self, policy: SavePolicy) -> None:
        self._configured = Path(policy.root).expanduser().absolute()
        self._allow_unsafe = policy.allow_unsafe

    @property
    def root(self) -> str:
        return str(self._configured.resolve())

    def reserve(self, requested: str | None, *, stem: str, extension: str, overwrite: bool) -> str:
        candidate = self._candidate(requested, stem, extension, self._allow_unsafe)
        return str(self._checked_target(candidate, requested or candidate.name, overwrite))

    async def write(self, path: str, data: bytes, *, overwrite: bool) -> str:
        return await asyncio.to_thread(self._write, path, data, overwrite)

    def atomic_writer(
        self, path: str, *, overwrite: bool, max_bytes: int | None = None
    ) -> AbstractAsyncContextManager[ByteSink]:
        return self._atomic(path, overwrite, max_bytes)

    def list_files(self, limit: int = 200) -> list[StoredFile]:
        root = self._real_root()
        found: list[StoredFile] = []
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                if name.startswith(".") and name.endswith(".part"):
                    continue
                full = Path(dirpath, name)
                with contextlib.suppress(OSError):
                    info = os.lstat(full)
                    if stat.S_ISREG(info.st_mode):
                        relative = full.relative_to(root).as_posix()
                        found.append(StoredFile(str(full), relative, info.st_size, info.st_mtime, _mime(name)))
        return heapq.nsmallest(max(limit, 0), found, key=lambda f: (-f.mtime, f.relative))

    def read(self, relative: str, max_bytes: int) -> bytes:
        root = self._real_root()
        try:
            candidate = self._candidate(relative, "output", "", allow_unsafe=False)
            resolved = candidate.resolve(strict=True)
        except UnsafePath:
            resolved = None
        except (OSError, RuntimeError):
            raise InvalidInput(f"no file '{relative}' in the output directory: pass a name from the list.") from None
        if resolved is None or not resolved.is_relative_to(root):
            raise UnsafePath(f"'{relative}' is outside the output directory {root}: pass a path relative to it.")
        try:
            with open(resolved, "rb", opener=_no_follow) as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise InvalidInput(f"'{relative}' is not a regular file: pass a file name from the list.")
                data = handle.read(max(max_bytes, 0) + 1)
        except OSError as exc:
            raise InvalidInput(f"cannot open '{relative}' ({exc.strerror}): pass a file name from the list.") from None
        if len(data) > max_bytes:
            raise ResourceTooLarge(
                f"'{relative}' is over the {max_bytes / _MIB:.1f} MiB limit for reading it back: open it from disk.",
                details={"limit_bytes": max_bytes},
            )
        return data

    def _real_root(self) -> Path:
        try:
            self._configured.mkdir(parents=True, exist_ok=True)
            return self._configured.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise ConfigurationError(
                f"cannot create the output directory {self._configured} ({exc}): "
                "set OPENROUTER_OUTPUT_DIR to a writable directory and restart the server."
            ) from None

    def _candidate(self, requested: str | None, stem: str, extension: str, allow_unsafe: bool) -> Path:
        """Lexical check against the root as configured, then as resolved (absolute names may use either)."""
        text = requested.strip() if requested is not None else None
        if text is not None and text.startswith("~"):
            text = os.path.expanduser(text)
        unique = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        real = self._real_root()
        try:
            name = SavePolicy(str(self._configured), allow_unsafe).candidate(
                text, stem=stem, extension=extension, unique=unique
            )
        except UnsafePath:
            if real == self._configured:
                raise
            name = SavePolicy(str(real), allow_unsafe).candidate(text, stem=stem, extension=extension, unique=unique)
        return Path(name)

    def _checked_target(self, candidate: Path, raw: str, overwrite: bool) -> Path:
        root = self._real_root()
        parent = candidate.parent
        if not self._allow_unsafe and not parent.resolve().is_relative_to(root):
            raise _escape(raw, parent.resolve(), root)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            real_parent = parent.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise InvalidInput(f"cannot create the directory {parent} ({exc}): pass another save_path.") from None
        if not self._allow_unsafe and not real_parent.is_relative_to(root):
            raise _escape(raw, real_parent, root)
        target = real_parent / candidate.name
        self._check_leaf(target, overwrite)
        return target

    @staticmethod
    def _check_leaf(target: Path, overwrite: bool) -> None:
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise InvalidInput(f"cannot inspect {target} ({exc.strerror}): pass another save_path.") from None
        if stat.S_ISLNK(info.st_mode):
            raise UnsafePath(
                f"{target} is a symbolic link, never written through: remove it or pass another save_path."
            )
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInput(f"{target} is a directory: pass a file name inside it, such as 'out.png'.")
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{target} exists and is not a regular file: pass another save_path.")
        if not overwrite:
            raise InvalidInput(f"{target} already exists: pass overwrite: true to replace it, or another save_path.")

    def _target_for(self, path: str, overwrite: bool) -> Path:
        return self._checked_target(self._candidate(path, "output", "", self._allow_unsafe), path, overwrite)

    @staticmethod
    def _open_temp(target: Path) -> tuple[BinaryIO, Path]:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=target.parent)
        except OSError as exc:
            raise InvalidInput(f"cannot write in {target.parent} ({exc.strerror}): check its permissions.") from None
        return os.fdopen(fd, "wb"), Path(name)

    @staticmethod
    def _discard(handle: BinaryIO, temp: Path) -> None:
        with contextlib.suppress(OSError):
            handle.close()
        with contextlib.suppress(OSError):
            temp.unlink()

    def _commit(self, handle: BinaryIO, temp: Path, target: Path, overwrite: bool, data: bytes = b"") -> None:
        """Write ``data``, flush, re-check the leaf and move the temp file into place; on any failure remove it."""
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            self._check_leaf(target, overwrite)
            if overwrite:
                os.replace(temp, target)
                return
            try:
                os.link(temp, target)
            except FileExistsError:
                self._check_leaf(target, overwrite=False)
                raise
            except OSError:
                os.replace(temp, target)
                return
            temp.unlink()
        except OSError as exc:
            self._discard(handle, temp)
            raise InvalidInput(
                f"cannot write {target} ({exc.strerror or exc}): check free space and permissions."
            ) from None
        except BaseException:
            self._discard(handle, temp)
            raise

    def _write(self, path: str, data: bytes, overwrite: bool) -> str:
        target = self._target_for(path, overwrite)
        handle, temp = self._open_temp(target)
        self._commit(handle, temp, target, overwrite, data)
        return str(target)

    @contextlib.asynccontextmanager
    async def _atomic(self, path: str, overwrite: bool, max_bytes: int | None) -> AsyncIterator[ByteSink]:
        target = await asyncio.to_thread(self._target_for, path, overwrite)
        handle, temp = await asyncio.to_thread(self._open_temp, target)
        sink = _Sink(handle, target, max_bytes)
        try:
            yield sink
            if sink.error is not None:
                raise sink.error
        except BaseException:
            self._discard(handle, temp)
            raise
        await asyncio.to_thread(self._commit, handle, temp, target, overwrite)
