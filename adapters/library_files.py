"""Descriptor-level file work for the folder library: the user folder pinned, files opened without following links.

Everything here is synchronous and runs in a worker thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator

from ..domain.errors import ConfigurationError, OpenRouterMcpError, UnsafePath
from ..domain.setting_refs import setting
from .noreplace import place_noreplace
from .open_flags import DIR_FLAGS, NEW_FILE, NO_FOLLOW, READ_FLAGS
from .output_dirs import NO_SPACE, no_space

TEMP_PREFIX = ".tmp-"
NAME_TRIES = 100
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def library_problem(root: str, exc: OSError) -> OpenRouterMcpError:
    if exc.errno in NO_SPACE:
        return no_space(root)
    return ConfigurationError(f"the image library {root} cannot be used ({exc.strerror or exc}): set "
                              f"{setting('library_dir')} to a readable, writable folder.")


@contextlib.contextmanager
def user_folder(root: str, subject: str, *, create: bool) -> Iterator[int | None]:
    """The descriptor of ``<root>/<subject>`` (None when absent and not ``create``), opened without following a
    link: a user folder that is a symlink could lead anywhere, so it is UNSAFE_PATH, never read."""
    try:
        if create:
            os.makedirs(root, mode=0o700, exist_ok=True)
        root_fd: int | None = os.open(root, DIR_FLAGS)
    except FileNotFoundError:
        root_fd = None
    except OSError as exc:
        raise library_problem(root, exc) from None
    fd = None
    if root_fd is not None:
        try:
            fd = _open_child(root_fd, subject, root, create=create)
        finally:
            os.close(root_fd)
    try:
        yield fd
    finally:
        if fd is not None:
            os.close(fd)


def _open_child(root_fd: int, subject: str, root: str, *, create: bool) -> int | None:
    for _ in range(2):
        try:
            return os.open(subject, DIR_FLAGS | NO_FOLLOW, dir_fd=root_fd)
        except FileNotFoundError:
            if not create:
                return None
            with contextlib.suppress(FileExistsError):
                os.mkdir(subject, 0o700, dir_fd=root_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise UnsafePath("your image library folder is a symbolic link or not a folder, so it is not "
                                 "used: ask the server's administrator to make it a real folder.") from None
            raise library_problem(root, exc) from None
    raise library_problem(root, FileNotFoundError(errno.ENOENT, "the user folder vanished"))


def open_regular(dir_fd: int, name: str, expected: os.stat_result | None = None) -> tuple[int, os.stat_result] | None:
    """``name`` opened in the pinned folder without following a link, with the descriptor's own ``fstat``; None
    for a symlink, a non-regular file, or a file other than ``expected`` (same device and inode)."""
    try:
        fd = os.open(name, READ_FLAGS | NO_FOLLOW, dir_fd=dir_fd)
    except OSError:
        return None
    info = os.fstat(fd)
    same = expected is None or (info.st_dev, info.st_ino) == (expected.st_dev, expected.st_ino)
    if not stat.S_ISREG(info.st_mode) or not same:
        os.close(fd)
        return None
    return fd, info


def read_bounded(fd: int, limit: int) -> bytes | None:
    """Every byte from offset 0 (no shared file position), or None when there are more than ``limit``."""
    parts: list[bytes] = []
    got = 0
    while chunk := os.pread(fd, min(1 << 20, limit + 1 - got), got):
        parts.append(chunk)
        got += len(chunk)
        if got > limit:
            return None
    return b"".join(parts)


def safe_leaf(name: str) -> tuple[str, str]:
    """A plain file name from a generated image's name: (stem, extension with its dot)."""
    base = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip("._-")[-100:]
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return (base or "image"), ""
    return stem, "." + ext


def write_new(dir_fd: int, name: str, data: bytes) -> str:
    """``data`` as a new file in the folder under ``name`` (or ``name-2``…), never replacing one; the leaf used."""
    temp = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    fd = os.open(temp, NEW_FILE, 0o600, dir_fd=dir_fd)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        stem, ext = safe_leaf(name)
        for attempt in range(1, NAME_TRIES + 1):
            leaf = f"{stem}{ext}" if attempt == 1 else f"{stem}-{attempt}{ext}"
            try:
                place_noreplace(dir_fd, temp, leaf)
                return leaf
            except FileExistsError:
                continue
        raise FileExistsError(errno.EEXIST, f"{stem}{ext} and {NAME_TRIES - 1} numbered names are taken")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
