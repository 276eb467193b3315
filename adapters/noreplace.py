"""Putting a finished temp file in place without ever replacing a file that is already there."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Callable, Sequence

from .open_flags import CLOEXEC, NEW_FILE, NO_FOLLOW

RENAME_NOREPLACE = 1
UNSUPPORTED = frozenset({errno.EPERM, errno.EXDEV, errno.EMLINK, errno.EINVAL, errno.ENOSYS, errno.ENOTSUP,
                         getattr(errno, "EOPNOTSUPP", errno.ENOTSUP)})

Primitive = Callable[[int, str, str], None]
"""Moves ``temp`` to ``leaf`` (both names in the directory descriptor) or raises; never replaces ``leaf``.
``FileExistsError`` means ``leaf`` exists; an errno in ``UNSUPPORTED`` means "try the next primitive"."""


class NoSafePrimitive(OSError):
    """No primitive could place the file; the temp file is still there with every byte."""


def _libc_renameat2() -> Callable[..., int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    result: Callable[..., int] = function
    return result


_RENAMEAT2 = _libc_renameat2()


def hard_link(fd: int, temp: str, leaf: str) -> None:
    """``linkat``: fails with EEXIST rather than replace, then the temp name is removed."""
    os.link(temp, leaf, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
    with contextlib.suppress(OSError):
        os.unlink(temp, dir_fd=fd)


def rename_noreplace(fd: int, temp: str, leaf: str) -> None:
    """Linux ``renameat2(RENAME_NOREPLACE)``, for filesystems without hard links."""
    if _RENAMEAT2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if _RENAMEAT2(fd, os.fsencode(temp), fd, os.fsencode(leaf), RENAME_NOREPLACE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def exclusive_copy(fd: int, temp: str, leaf: str) -> None:
    """Create ``leaf`` with ``O_EXCL`` and copy the bytes in; not atomic for readers, but it cannot replace."""
    source = os.open(temp, os.O_RDONLY | NO_FOLLOW | CLOEXEC, dir_fd=fd)
    try:
        target = os.open(leaf, NEW_FILE, 0o600, dir_fd=fd)
        try:
            offset = 0
            while chunk := os.pread(source, 1 << 20, offset):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(target, view):]
                offset += len(chunk)
            os.fsync(target)
        except BaseException:
            os.close(target)
            os.unlink(leaf, dir_fd=fd)
            raise
        os.close(target)
    finally:
        os.close(source)
    with contextlib.suppress(OSError):
        os.unlink(temp, dir_fd=fd)


DEFAULT_PRIMITIVES: tuple[Primitive, ...] = (hard_link, rename_noreplace, exclusive_copy)


def place_noreplace(fd: int, temp: str, leaf: str, primitives: Sequence[Primitive] = DEFAULT_PRIMITIVES) -> None:
    """Move ``temp`` to ``leaf`` with the first primitive that works; ``FileExistsError`` if ``leaf`` exists.

    Why: the old fallback (``os.replace`` when linking failed) could replace a file that
    appeared after the check. Every primitive here refuses an existing ``leaf``. How it
    fails: ``FileExistsError`` as soon as one says the name is taken; ``NoSafePrimitive``
    when none is usable here, with ``temp`` left in place so no paid byte is lost; any
    other ``OSError`` (disk full, I/O error) as raised, also with ``temp`` left in place.
    """
    failures: list[str] = []
    for primitive in primitives:
        try:
            primitive(fd, temp, leaf)
            return
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in UNSUPPORTED:
                raise
            failures.append(f"{primitive.__name__}: {exc.strerror or exc}")
    raise NoSafePrimitive(errno.ENOTSUP, "; ".join(failures) or "no primitive configured")
