"""``SandboxedFileReader``: the local-file port, confined to the configured input directories."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from ..domain.errors import InvalidInput, UnsafePath
from ..domain.media_source import LocalPath
from ..domain.setting_refs import setting
from .open_flags import DIR_FLAGS, NO_FOLLOW, READ_FLAGS
from .opened_file import OpenedFile


class _NotFound(Exception):
    """This candidate does not exist; the next root may have it."""


class SandboxedFileReader:
    """Opens files only when the file actually opened lies inside one of ``roots``.

    Why: paths arrive from a model through an MCP client, so ``../../.ssh/id_rsa`` or a
    symlink planted in the input folder must not turn the server into a file exfiltrator,
    and neither may someone flipping a directory between a folder and a symlink while we
    work. How, per candidate: ``~`` is expanded and the path resolved (every symlink and
    ``..`` followed); a result outside every root is refused before the file is touched,
    so the refusal reveals neither existence nor contents. Then the file is opened, and
    the *opened descriptor* is verified: it must be a regular file, and walking the name's
    real path (resolved again after the open) down from a root's descriptor without
    following any symlink must reach a file with the descriptor's device and inode. A swap
    between check and open makes those disagree, which is UNSAFE_PATH, never a read from
    outside. Every read after that uses
    the pinned descriptor. Roots are compared component-wise, so ``/data/in-evil`` is not
    inside ``/data/in``. Relative paths are tried against each root in order.

    How it fails: ``UnsafePath`` outside the roots or on a detected swap, ``InvalidInput``
    for a missing file (naming every root searched), a directory, a non-regular file or an
    unreadable one. ``allow_unsafe`` skips containment only, never the regular-file checks.
    """

    def __init__(self, roots: Sequence[Path], allow_unsafe: bool, *, remote: bool = False) -> None:
        self._roots = tuple(Path(root).expanduser().resolve(strict=False) for root in roots)
        self._allow_unsafe = allow_unsafe
        self._remote = remote

    @property
    def roots(self) -> tuple[Path, ...]:
        return self._roots

    async def open(self, path: str) -> OpenedFile:
        return await asyncio.to_thread(self._open, path)

    def _open(self, raw: str) -> OpenedFile:
        text = raw.strip()
        if not text or "\x00" in text:
            raise InvalidInput("the file path is empty or contains a NUL character: pass a file path.")
        try:
            candidate = Path(text).expanduser()
        except RuntimeError:
            raise InvalidInput(f"'{text[:80]}' names the home folder of an unknown user: pass a path inside the "
                               "input directories.") from None
        if candidate.is_absolute() or not self._roots:
            bases: tuple[Path, ...] = (candidate if candidate.is_absolute() else Path.cwd() / candidate,)
        else:
            bases = tuple(root / candidate for root in self._roots)
        refused: UnsafePath | None = None
        for base in bases:
            try:
                return self._open_one(text, base)
            except UnsafePath as exc:
                refused = refused or exc
            except _NotFound:
                continue
        if refused is not None:
            raise refused
        raise self._missing(text, bases, relative=not candidate.is_absolute() and bool(self._roots))

    def _open_one(self, text: str, candidate: Path) -> OpenedFile:
        resolved = self._resolve(text, candidate)
        self._check_inside(text, resolved)
        try:
            fd = os.open(resolved, READ_FLAGS)
        except FileNotFoundError:
            raise _NotFound from None
        except OSError as exc:
            raise InvalidInput(f"cannot open {resolved} ({exc.strerror}): check the file and its permissions.") \
                from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise InvalidInput(f"{resolved} is a directory: pass the path of a file inside it.")
            if not stat.S_ISREG(info.st_mode):
                raise InvalidInput(f"{resolved} is not a regular file: pass an ordinary media file.")
            real = self._verify(text, resolved, info) if not self._allow_unsafe else resolved
            return OpenedFile(fd, info.st_size, str(real))
        except BaseException:
            os.close(fd)
            raise

    def _resolve(self, text: str, candidate: Path) -> Path:
        try:
            return candidate.resolve(strict=False)
        except (OSError, RuntimeError) as exc:
            raise InvalidInput(f"cannot resolve the path '{text}' ({exc}): pass an existing file path.") from None

    def _inside(self, path: Path) -> bool:
        return self._allow_unsafe or any(path.is_relative_to(root) for root in self._roots)

    def _check_inside(self, text: str, resolved: Path) -> None:
        if not self._inside(resolved):
            raise self._unsafe(f"'{text}' is outside the allowed input directories")

    def _verify(self, text: str, resolved: Path, opened: os.stat_result) -> Path:
        """The opened descriptor must be the file that the name's real path reaches inside a root *now*.

        The real path is walked again from the root's descriptor, one directory at a time with
        ``O_NOFOLLOW`` (a real path has no symlinks, so one appearing there is a swap), and the
        leaf found that way must have the descriptor's device and inode.
        """
        try:
            real = Path(os.path.realpath(resolved, strict=True))
        except (OSError, RuntimeError, ValueError):
            raise self._unsafe(f"'{text}' changed while it was being opened") from None
        if not any(self._reaches(root, real, opened) for root in self._roots if real.is_relative_to(root)):
            raise self._unsafe(f"'{text}' changed while it was being opened, or leads outside "
                               "the allowed input directories")
        return real

    @staticmethod
    def _reaches(root: Path, real: Path, opened: os.stat_result) -> bool:
        parts = real.relative_to(root).parts
        if not parts:
            return False
        try:
            fd = os.open(root, DIR_FLAGS)
        except OSError:
            return False
        try:
            for part in parts[:-1]:
                child = os.open(part, DIR_FLAGS | NO_FOLLOW, dir_fd=fd)
                os.close(fd)
                fd = child
            found = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        except OSError:
            return False
        finally:
            os.close(fd)
        return stat.S_ISREG(found.st_mode) and (found.st_dev, found.st_ino) == (opened.st_dev, opened.st_ino)

    def _unsafe(self, what: str) -> UnsafePath:
        if self._remote:
            return UnsafePath("that path is not one of your files: over HTTP only your own generated files (by the "
                              "name a tool returned) and http(s) or data: URLs can be read.")
        allowed = ", ".join(str(root) for root in self._roots) or "none configured"
        return UnsafePath(
            f"{what} ({allowed}): move the file into one of them, add its directory to {setting('input_dir')}, "
            "or set ${allow_unsafe_paths}=1 to allow any path.",
            suggestions=("Add the file's directory to ${input_dir} and restart the server",),
        )

    def _missing(self, text: str, bases: Sequence[Path], *, relative: bool) -> InvalidInput:
        if self._remote:
            return InvalidInput(f"no file '{text[:200]}' among your files: pass a name a tool returned to you, an "
                                "http(s) URL or a data: URL.")
        hint = ""
        if os.name != "nt" and LocalPath.parse(text).windows_style:
            hint = " (Windows-style paths are not understood by this server; use a POSIX path)"
        if relative:
            searched = ", ".join(str(root) for root in self._roots)
            looked = ", ".join(str(Path(os.path.normpath(base))) for base in bases)
            return InvalidInput(f"no file '{text}' in any input directory (searched {searched}; looked for "
                                f"{looked}){hint}: check the path and that the file exists.")
        return InvalidInput(f"no file at {Path(os.path.normpath(bases[0]))}{hint}: check the path and that "
                            "the file exists.")
