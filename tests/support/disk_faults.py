"""Real disk faults without root: a file-size limit makes every write past it fail like a full disk."""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def disk_full_after(limit: int) -> Iterator[None]:
    """While the block runs, writes that would make any file of this process larger than ``limit`` bytes
    fail with EFBIG (``RLIMIT_FSIZE``; SIGXFSZ ignored), which the output store treats like ENOSPC."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def failing_link(fd: int, temp: str, leaf: str) -> None:
    """A no-replace primitive standing in for a filesystem without hard links (vfat answers EPERM)."""
    raise OSError(errno.EPERM, os.strerror(errno.EPERM))


def failing_rename(fd: int, temp: str, leaf: str) -> None:
    """``renameat2`` on a kernel or filesystem without RENAME_NOREPLACE."""
    raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
