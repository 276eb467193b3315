"""``FolderImageLibrary``: a caller's images in ``<library dir>/<subject>/``, found by content, named by hash."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import stat
import warnings
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from ..domain.caller import Caller
from ..domain.errors import OpenRouterMcpError
from ..domain.library import (
    FileIdRef,
    IndexRef,
    LibraryEntry,
    LibraryImage,
    LibraryPage,
    LibraryQuery,
    LibraryRef,
    folder_file_id,
    not_in_library,
)
from ..domain.media import SNIFF_BYTES, MediaKind, sniff_format, too_large
from ..domain.setting_refs import setting
from .library_files import library_problem, open_regular, read_bounded, user_folder, write_new

MAX_FILES = 2_000
"""Names looked at per listing; a folder with more lists only the first ones the directory returns."""
CACHE_MAX = 20_000

_Key = tuple[str, str, int, int, int, int, int]
"""(subject, name, device, inode, size, mtime_ns, ctime_ns): one version of one file."""


def _dimensions(data: bytes) -> tuple[int | None, int | None]:
    """Width and height from the header (Pillow opens lazily: no pixels are decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


class FolderImageLibrary:
    """The ``ImageLibrary`` port over a folder per subject: ``<root>/<subject>/`` (the stdio user's is ``local``).

    Why this shape: it needs no database, and it reads LibreChat's own ``images/<userId>/`` layout when
    pointed at it. Images are the regular files whose *bytes* are an image (magic bytes, not the extension),
    newest first by modification time (name breaks ties); dot-files and subfolders are skipped. The file id
    is ``img_`` + 32 hex of the SHA-256 of the content, so it is stable across renames and restarts and
    needs no index file; identical copies are listed once (the newest).

    Safety: the user folder is opened as a descriptor without following a link (a symlinked user folder is
    UNSAFE_PATH), each file is opened relative to it with ``O_NOFOLLOW`` (a symlink, pointing in or out,
    is never an image here) and every read comes from that descriptor after ``fstat`` says it is a regular
    file, the one that was listed; a resolved file whose hash is no longer its id is refused as "call
    get_user_images again". Each ``subject`` is one validated path component, so callers never meet.
    Facts per file version are cached in memory, so a listing re-hashes only new or changed files.
    """

    def __init__(self, *, root: str, max_image_bytes: int, max_files: int = MAX_FILES) -> None:
        self._root = os.path.abspath(os.path.expanduser(root))
        self._max_image_bytes = max_image_bytes
        self._max_files = max_files
        self._cache: dict[_Key, LibraryEntry | None] = {}

    @property
    def root(self) -> Path:
        return Path(self._root)

    async def page(self, caller: Caller, query: LibraryQuery) -> LibraryPage:
        entries = await asyncio.to_thread(self._listing, caller.subject)
        chosen = tuple(entry for _, entry in entries[query.offset:query.offset + query.limit])
        return LibraryPage(chosen, query.offset, len(entries))

    async def resolve(self, caller: Caller, ref: LibraryRef, max_bytes: int) -> LibraryImage:
        return await asyncio.to_thread(self._resolve, caller.subject, ref, max_bytes)

    async def add(self, caller: Caller, *, name: str, data: bytes, mime: str) -> LibraryEntry | None:
        return await asyncio.to_thread(self._add, caller.subject, name, data)

    def _listing(self, subject: str) -> list[tuple[str, LibraryEntry]]:
        """(name, entry) newest first, one per file id."""
        with user_folder(self._root, subject, create=False) as fd:
            if fd is None:
                return []
            found: list[tuple[int, str, LibraryEntry]] = []
            with os.scandir(fd) as names:
                for seen, item in enumerate(names):
                    if seen >= self._max_files:
                        break
                    if item.name.startswith("."):
                        continue
                    row = self._entry(fd, subject, item.name)
                    if row is not None:
                        found.append(row)
        found.sort(key=lambda row: (-row[0], row[1]))
        unique: dict[str, tuple[str, LibraryEntry]] = {}
        for _, name, entry in found:
            unique.setdefault(entry.file_id, (name, entry))
        return list(unique.values())

    def _entry(self, dir_fd: int, subject: str, name: str) -> tuple[int, str, LibraryEntry] | None:
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        key: _Key = (subject, name, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        if key not in self._cache:
            if len(self._cache) >= CACHE_MAX:
                self._cache.clear()
            self._cache[key] = self._inspect(dir_fd, name, info)
        entry = self._cache[key]
        return (info.st_mtime_ns, name, entry) if entry is not None else None

    def _inspect(self, dir_fd: int, name: str, listed: os.stat_result) -> LibraryEntry | None:
        """The entry for an image file, or None (not an image, empty, over the size cap, or swapped)."""
        if not 0 < listed.st_size <= self._max_image_bytes:
            return None
        opened = open_regular(dir_fd, name, listed)
        if opened is None:
            return None
        fd, info = opened
        try:
            fmt = sniff_format(os.pread(fd, SNIFF_BYTES, 0))
            if fmt is None or fmt.kind is not MediaKind.IMAGE:
                return None
            data = read_bounded(fd, self._max_image_bytes)
        except OSError:
            return None
        finally:
            os.close(fd)
        if data is None:
            return None
        width, height = _dimensions(data)
        return LibraryEntry(file_id=folder_file_id(hashlib.sha256(data).hexdigest()), filename=name, mime=fmt.mime,
                            bytes=len(data), created_at=datetime.fromtimestamp(info.st_mtime_ns / 1e9, UTC),
                            width=width, height=height)

    def _resolve(self, subject: str, ref: LibraryRef, max_bytes: int) -> LibraryImage:
        listing = self._listing(subject)
        if isinstance(ref, IndexRef):
            if ref.index > len(listing):
                raise not_in_library(ref, f" (you have {len(listing)} images)")
            name, entry = listing[ref.index - 1]
        else:
            assert isinstance(ref, FileIdRef)
            match = next(((n, e) for n, e in listing if e.file_id == ref.file_id), None)
            if match is None:
                raise not_in_library(ref)
            name, entry = match
        if entry.bytes > max_bytes:
            raise too_large(MediaKind.IMAGE, f"library file {entry.filename}", max_bytes,
                            setting("image_max_download_bytes"))
        data = self._read(subject, name, max_bytes)
        if data is None or folder_file_id(hashlib.sha256(data).hexdigest()) != entry.file_id:
            raise not_in_library(ref, " (the file changed since it was listed)")
        return LibraryImage(entry, data)

    def _read(self, subject: str, name: str, max_bytes: int) -> bytes | None:
        with user_folder(self._root, subject, create=False) as dir_fd:
            opened = open_regular(dir_fd, name) if dir_fd is not None else None
            if opened is None:
                return None
            fd, _ = opened
            try:
                return read_bounded(fd, max_bytes)
            except OSError:
                return None
            finally:
                os.close(fd)

    def _add(self, subject: str, name: str, data: bytes) -> LibraryEntry:
        try:
            with user_folder(self._root, subject, create=True) as dir_fd:
                assert dir_fd is not None
                leaf = write_new(dir_fd, name, data)
                entry = self._entry(dir_fd, subject, leaf)
        except OpenRouterMcpError:
            raise
        except OSError as exc:
            raise library_problem(self._root, exc) from None
        if entry is None:
            raise library_problem(self._root, OSError(0, f"{leaf} was written but is not readable as an image"))
        return entry[2]

