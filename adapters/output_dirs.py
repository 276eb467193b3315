"""Directory descriptors for the output store: walks that never follow a symlink, leaf checks, the write probe."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Sequence

from ..domain.errors import ConfigurationError, InvalidInput, OpenRouterMcpError, UnsafePath
from ..domain.setting_refs import setting
from .open_flags import DIR_FLAGS, NEW_FILE, NO_FOLLOW

NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def no_space(where: str) -> ConfigurationError:
    return ConfigurationError(
        f"no space left to write {where}: free disk space (or set {setting('output_dir')} to a directory on "
        "another disk) and try again.", details={"reason": "no_space"})


def write_error(exc: OSError, where: str, *, is_root: bool = False) -> OpenRouterMcpError:
    """A coded error for an OS failure while writing in the output directory: never INTERNAL."""
    reason = exc.strerror or str(exc)
    if exc.errno in NO_SPACE:
        return no_space(where)
    if exc.errno in READ_ONLY and is_root:
        return ConfigurationError(
            f"the output directory {where} is not writable ({reason}): set {setting('output_dir')} to a writable "
            "directory and restart the server.", details={"reason": "not_writable"})
    if exc.errno in READ_ONLY:
        return InvalidInput(f"cannot write in {where} ({reason}): pass another save_path, or make it writable "
                            "(it is under ${output_dir}).", details={"reason": "not_writable"})
    if exc.errno == errno.ELOOP:
        return UnsafePath(f"{where} goes through a symbolic link, which the output directory never follows: "
                          "pass another save_path.")
    return InvalidInput(f"cannot write {where} ({reason}): check free space and permissions.")


def open_root(path: str, *, create: bool) -> int:
    """The output root as a directory descriptor (the configured root itself may be a symlink: it is trusted)."""
    try:
        if create:
            os.makedirs(path, exist_ok=True)
        return os.open(path, DIR_FLAGS)
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise no_space(path) from None
        raise ConfigurationError(
            f"cannot open or create the output directory {path} ({exc.strerror or exc}): set {setting('output_dir')} "
            "to a writable directory and restart the server.", details={"reason": "no_output_dir"}) from None


def _step(fd: int, part: str, shown: str, *, follow: bool) -> int:
    try:
        return os.open(part, DIR_FLAGS | (0 if follow else NO_FOLLOW), dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            try:
                info = os.stat(part, dir_fd=fd, follow_symlinks=False)
            except OSError:
                raise UnsafePath(f"'{shown}' changed while it was being opened: pass the save_path again.") from None
            if stat.S_ISLNK(info.st_mode):
                raise UnsafePath(f"'{shown}' goes through the symbolic link '{part}', which the output directory "
                                 "never follows: pass a path without it, or set ${allow_unsafe_paths}=1 to "
                                 "follow links.") from None
            raise InvalidInput(f"'{part}' in '{shown}' is a file, not a directory: pass another save_path.") from None
        if exc.errno == errno.ENOENT:
            raise
        raise write_error(exc, f"'{shown}'") from None


def walk(start: int, parts: Sequence[str], shown: str, *, create: bool, follow: bool) -> tuple[int, int]:
    """Open each directory in ``parts`` below ``start`` (a descriptor the caller keeps).

    Returns a new descriptor of the deepest directory reached and how many of ``parts`` it
    covers: all of them, or fewer when one is missing and ``create`` is False. Created
    directories get mode 0755. Symlinks are never followed unless ``follow`` (unsafe paths).
    """
    fd = os.dup(start)
    try:
        for depth, part in enumerate(parts):
            try:
                child = _step(fd, part, shown, follow=follow)
            except FileNotFoundError:
                if not create:
                    return fd, depth
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise write_error(exc, f"the directory '{part}' for '{shown}'") from None
                try:
                    child = _step(fd, part, shown, follow=follow)
                except FileNotFoundError:
                    raise UnsafePath(f"'{shown}' changed while it was being created: pass the save_path again.") \
                        from None
            os.close(fd)
            fd = child
        return fd, len(parts)
    except BaseException:
        os.close(fd)
        raise


def check_leaf(fd: int, leaf: str, shown: str, *, overwrite: bool) -> None:
    """The target name in directory ``fd`` must be absent, or (with ``overwrite``) a regular file."""
    try:
        info = os.stat(leaf, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InvalidInput(f"cannot inspect '{shown}' ({exc.strerror}): pass another save_path.") from None
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(f"'{shown}' is a symbolic link, never written through: remove it or pass another save_path.")
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(f"'{shown}' is a directory: pass a file name inside it, such as 'out.png'.")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"'{shown}' exists and is not a regular file: pass another save_path.")
    if not overwrite:
        raise InvalidInput(f"'{shown}' already exists: pass overwrite: true to replace it, or another save_path.")


def probe_writable(fd: int, where: str, *, is_root: bool) -> None:
    """Create, fill with one byte and delete a fresh file in ``fd``, so read-only or full disks fail before paying."""
    name = f".probe-{secrets.token_hex(6)}.tmp"
    try:
        probe = os.open(name, NEW_FILE, 0o600, dir_fd=fd)
    except OSError as exc:
        raise write_error(exc, where, is_root=is_root) from None
    try:
        os.write(probe, b"\0")
    except OSError as exc:
        raise write_error(exc, where, is_root=is_root) from None
    finally:
        os.close(probe)
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=fd)
