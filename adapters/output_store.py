"""``LocalOutputStore``: the output port on the real filesystem, confined to the output directory."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import heapq
import mimetypes
import os
import re
import secrets
import stat
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import PurePosixPath

from ..application.job_ports import ByteSink, StoredFile
from ..domain.errors import InvalidInput, OpenRouterMcpError, ResourceTooLarge, UnsafePath
from ..domain.media import format_from_extension
from ..domain.save_policy import SavePolicy
from .noreplace import DEFAULT_PRIMITIVES, Primitive
from .open_flags import NO_FOLLOW, READ_FLAGS
from .output_dirs import check_leaf, open_root, probe_writable, walk
from .output_writer import TempFile, is_temp, tagged_prefix, temp_name

_MIB = 1024 * 1024
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def _safe_tag(tag: str) -> str:
    return _TAG_UNSAFE.sub("-", tag)[:64] or "-"


def _mime(name: str) -> str:
    fmt = format_from_extension(name)
    return fmt.mime if fmt is not None else mimetypes.guess_type(name)[0] or "application/octet-stream"


class LocalOutputStore:
    """Writes generated files only where ``SavePolicy`` and the real filesystem both agree.

    Why: the anchor server checked the parent directory and then wrote *through* a symlink
    planted as the leaf, and a checked path can be swapped before it is used. How: a name
    is checked lexically (``SavePolicy``, ``~`` expanded) and then every directory below
    the output root is opened from the root's descriptor with ``O_NOFOLLOW``, one component
    at a time (created with ``mkdir`` relative to its parent's descriptor when missing).
    The temp file ``.<name>.<random>.part`` is created with ``O_EXCL|O_NOFOLLOW`` inside the
    opened directory, and committed relative to the same descriptor: there is no path left
    to swap. Without ``overwrite`` the commit uses only primitives that cannot replace a
    file (``noreplace``; ``primitives`` lets a test stand in for a filesystem without hard
    links); with it, ``rename`` replaces a regular file (never a symlink's
    target). Files are created with mode 0600. ``reserve`` creates no directory but the
    root, and proves the receiving directory writable with a probe file.

    ``allow_unsafe`` lets names leave the root (an absolute name, walked from ``/``) and
    follows symlinked directories; a symlink leaf is still refused and ``read`` stays
    confined to the root and never follows a symlink. How it fails: see ``OutputStore``.
    """

    def __init__(self, policy: SavePolicy, *, primitives: Sequence[Primitive] = DEFAULT_PRIMITIVES,
                 show_paths: bool = True) -> None:
        self._show_paths = show_paths
        self._primitives = tuple(primitives)
        self._configured = os.path.abspath(os.path.expanduser(policy.root))
        self._root = os.path.realpath(self._configured)
        self._allow_unsafe = policy.allow_unsafe

    def display(self, name: str) -> str:
        """The absolute path for the machine's owner; the store name itself for a remote caller."""
        return self.location(name) if self._show_paths else name

    def location(self, name: str) -> str:
        relative, parts = self._parse(name, self._allow_unsafe)
        return str(PurePosixPath(self._root, *parts)) if relative else str(PurePosixPath("/", *parts))

    def contains(self, name: str) -> bool:
        try:
            return self._parse(name, allow_unsafe=True)[0]
        except OpenRouterMcpError:
            return False

    async def reserve(self, requested: str | None, *, stem: str, extension: str, overwrite: bool) -> str:
        return await asyncio.to_thread(self._reserve, requested, stem, extension, overwrite)

    async def write(self, name: str, data: bytes, *, overwrite: bool) -> str:
        return await asyncio.to_thread(self._write, name, data, overwrite)

    def atomic_writer(self, name: str, *, overwrite: bool, max_bytes: int | None = None,
                      temp_tag: str | None = None) -> AbstractAsyncContextManager[ByteSink]:
        return self._atomic(name, overwrite, max_bytes, temp_tag)

    async def discard_partials(self, name: str, temp_tag: str) -> int:
        return await asyncio.to_thread(self._discard_partials, name, temp_tag)

    async def list_files(self, limit: int = 200) -> list[StoredFile]:
        return await asyncio.to_thread(self._list_files, limit)

    async def read(self, name: str, max_bytes: int) -> bytes:
        return await asyncio.to_thread(self._read, name, max_bytes)

    def _parse(self, name: str | None, allow_unsafe: bool, *, stem: str = "output",
               extension: str = "") -> tuple[bool, tuple[str, ...]]:
        """(inside the root?, the components below the root or below ``/``), checked lexically; None: a new name."""
        text = name.strip() if name is not None else None
        if text is not None and text.startswith("~"):
            text = os.path.expanduser(text)
        unique = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        full: str | None = None
        for root in dict.fromkeys((self._configured, self._root)):
            try:
                full = SavePolicy(root, allow_unsafe).candidate(text, stem=stem, extension=extension, unique=unique)
                break
            except UnsafePath:
                if root == self._root:
                    raise
        assert full is not None
        path = PurePosixPath(full)
        for root in (self._configured, self._root):
            if path.is_relative_to(root):
                return True, path.relative_to(root).parts
        return False, path.parts[1:]

    def _open_parent(self, inside: bool, parts: tuple[str, ...], shown: str, *, create: bool) -> tuple[int, int]:
        start = open_root(self._root if inside else "/", create=inside)
        try:
            return walk(start, parts[:-1], shown, create=create, follow=self._allow_unsafe)
        finally:
            os.close(start)

    @staticmethod
    def _name(inside: bool, parts: tuple[str, ...]) -> str:
        return "/".join(parts) if inside else "/" + "/".join(parts)

    def _reserve(self, requested: str | None, stem: str, extension: str, overwrite: bool) -> str:
        inside, parts = self._parse(requested, self._allow_unsafe, stem=stem, extension=extension)
        shown = self._name(inside, parts)
        fd, depth = self._open_parent(inside, parts, shown, create=False)
        try:
            if depth == len(parts) - 1:
                check_leaf(fd, parts[-1], shown, overwrite=overwrite)
            where = str(PurePosixPath(self._root if inside else "/", *parts[:depth]))
            probe_writable(fd, where, is_root=inside and depth == 0)
        finally:
            os.close(fd)
        return shown

    def _temp(self, name: str, overwrite: bool, tag: str | None) -> TempFile:
        inside, parts = self._parse(name, self._allow_unsafe)
        shown = self._name(inside, parts)
        fd, _ = self._open_parent(inside, parts, shown, create=True)
        try:
            check_leaf(fd, parts[-1], shown, overwrite=overwrite)
            temp = temp_name(parts[-1], _safe_tag(tag) if tag else None)
            return TempFile.create(fd, parts[-1], shown, self.location(shown), temp,
                                   self._primitives)
        except BaseException:
            os.close(fd)
            raise

    def _write(self, name: str, data: bytes, overwrite: bool) -> str:
        temp = self._temp(name, overwrite, None)
        temp.commit(overwrite, data)
        return temp.shown

    @contextlib.asynccontextmanager
    async def _atomic(self, name: str, overwrite: bool, max_bytes: int | None,
                      tag: str | None) -> AsyncIterator[ByteSink]:
        temp = await asyncio.to_thread(self._temp, name, overwrite, tag)
        sink = temp.sink(max_bytes)
        try:
            yield sink
            if sink.error is not None:
                raise sink.error
            await sink.flush()
        except BaseException:
            await sink.close(temp.discard)
            raise
        await sink.close(functools.partial(temp.commit, overwrite))

    def _discard_partials(self, name: str, tag: str) -> int:
        inside, parts = self._parse(name, self._allow_unsafe)
        fd, depth = self._open_parent(inside, parts, self._name(inside, parts), create=False)
        removed = 0
        try:
            if depth < len(parts) - 1:
                return 0
            prefix = tagged_prefix(_safe_tag(tag))
            for entry in os.listdir(fd):
                if entry.startswith(prefix) and is_temp(entry):
                    with contextlib.suppress(OSError):
                        os.unlink(entry, dir_fd=fd)
                        removed += 1
        finally:
            os.close(fd)
        return removed

    def _list_files(self, limit: int) -> list[StoredFile]:
        root = open_root(self._root, create=True)
        found: list[StoredFile] = []
        try:
            for dirpath, _dirs, names, dir_fd in os.fwalk(".", dir_fd=root, follow_symlinks=False):
                for entry in names:
                    if is_temp(entry):
                        continue
                    with contextlib.suppress(OSError):
                        info = os.stat(entry, dir_fd=dir_fd, follow_symlinks=False)
                        if stat.S_ISREG(info.st_mode):
                            name = os.path.normpath(os.path.join(dirpath, entry)).replace(os.sep, "/")
                            found.append(StoredFile(name, info.st_size, info.st_mtime, _mime(entry)))
        finally:
            os.close(root)
        return heapq.nsmallest(max(limit, 0), found, key=lambda f: (-f.mtime, f.name))

    def _read(self, name: str, max_bytes: int) -> bytes:
        try:
            inside, parts = self._parse(name, allow_unsafe=False)
        except UnsafePath:
            inside, parts = False, ()
        if not inside:
            raise UnsafePath(f"'{name}' is outside the output directory {self._root}: pass a path relative to it.")
        shown = self._name(inside, parts)
        start = open_root(self._root, create=True)
        try:
            fd, depth = walk(start, parts[:-1], shown, create=False, follow=False)
        finally:
            os.close(start)
        try:
            if depth < len(parts) - 1:
                raise FileNotFoundError
            leaf = os.open(parts[-1], READ_FLAGS | NO_FOLLOW, dir_fd=fd)
        except FileNotFoundError:
            raise InvalidInput(f"no file '{shown}' in the output directory: pass a name from the list.") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafePath(f"'{shown}' is a symbolic link, never read back: pass a file name from the list.") \
                    from None
            raise InvalidInput(f"cannot open '{shown}' ({exc.strerror}): pass a file name from the list.") from None
        finally:
            os.close(fd)
        if not stat.S_ISREG(os.fstat(leaf).st_mode):
            os.close(leaf)
            raise InvalidInput(f"'{shown}' is not a regular file: pass a file name from the list.")
        with open(leaf, "rb") as handle:
            data = handle.read(max(max_bytes, 0) + 1)
        if len(data) > max_bytes:
            raise ResourceTooLarge(
                f"'{shown}' is over the {max_bytes / _MIB:.1f} MiB limit for reading it back: open it from disk.",
                details={"limit_bytes": max_bytes},
            )
        return data
