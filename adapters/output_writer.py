"""``TempFile``: a temp file inside an opened output directory, committed without a path to swap."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from ..domain.errors import ConfigurationError, InvalidInput, ResourceTooLarge
from ..domain.setting_refs import setting
from .noreplace import DEFAULT_PRIMITIVES, NoSafePrimitive, Primitive, place_noreplace
from .open_flags import NEW_FILE
from .output_dirs import check_leaf, write_error

_MIB = 1024 * 1024
PART = ".part"
WRITE_BYTES = _MIB
"""How much a download gathers before one write (a thread hop); two such pieces are the most it holds."""


def tagged_prefix(tag: str) -> str:
    """How every temp file written for ``tag`` (a job id) starts; no leaf-named temp file starts so."""
    return f".~{tag}~."


def temp_name(leaf: str, tag: str | None = None) -> str:
    """``.<leaf>.<random>.part``, or ``.~<tag>~.<random>.part`` for an owner's write: hidden and unique."""
    return f"{tagged_prefix(tag) if tag else f'.{leaf[:100]}.'}{secrets.token_hex(6)}{PART}"


def is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(PART)


class TempFile:
    """Owns the directory descriptor and the temp file in it until ``commit`` or ``discard``.

    ``commit`` flushes and fsyncs, re-checks the leaf, then puts the file in place relative
    to the same descriptor: ``rename`` when replacing was asked for (a symlink leaf is
    refused), else ``place_noreplace``. How it fails: ``InvalidInput`` when the name was
    taken meanwhile (temp removed), ``ConfigurationError`` naming the kept temp file when no
    no-replace primitive works on this filesystem (nothing lost), a coded write error
    (``no_space`` for a full disk) for OS failures; never a bare ``OSError``.
    """

    def __init__(self, dir_fd: int, leaf: str, shown: str, display: str, name: str, handle: BinaryIO,
                 primitives: Sequence[Primitive]) -> None:
        self._primitives = primitives
        self._dir = dir_fd
        self._leaf = leaf
        self.shown = shown
        self._display = display
        self._name = name
        self._handle = handle

    @classmethod
    def create(cls, dir_fd: int, leaf: str, shown: str, display: str, name: str,
               primitives: Sequence[Primitive] = DEFAULT_PRIMITIVES) -> TempFile:
        try:
            fd = os.open(name, NEW_FILE, 0o600, dir_fd=dir_fd)
        except OSError as exc:
            raise write_error(exc, display) from None
        return cls(dir_fd, leaf, shown, display, name, os.fdopen(fd, "wb"), primitives)

    def sink(self, max_bytes: int | None) -> Sink:
        return Sink(self, max_bytes)

    def write(self, chunk: bytes | bytearray) -> None:
        try:
            self._handle.write(chunk)
        except OSError as exc:
            raise write_error(exc, self._display) from None

    def commit(self, overwrite: bool, data: bytes = b"") -> None:
        settled = False
        try:
            self._handle.write(data)
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            if overwrite:
                check_leaf(self._dir, self._leaf, self.shown, overwrite=True)
                os.replace(self._name, self._leaf, src_dir_fd=self._dir, dst_dir_fd=self._dir)
            else:
                place_noreplace(self._dir, self._name, self._leaf, self._primitives)
            settled = True
        except FileExistsError:
            raise InvalidInput(f"'{self.shown}' already exists: pass overwrite: true to replace it, "
                               "or another save_path.") from None
        except NoSafePrimitive as exc:
            settled = True
            kept = os.path.join(os.path.dirname(self._display), self._name)
            raise ConfigurationError(
                f"could not put {self._display} in place without risking replacing another file ({exc.strerror}); "
                f"every byte is kept in {kept}: rename it yourself, and set {setting('output_dir')} to a filesystem "
                "with hard links.", details={"reason": "no_safe_rename", "kept": kept}) from None
        except OSError as exc:
            raise write_error(exc, self._display) from None
        finally:
            self._close(unlink=not settled)

    def discard(self) -> None:
        self._close(unlink=True)

    def _close(self, *, unlink: bool) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()
        if unlink:
            with contextlib.suppress(OSError):
                os.unlink(self._name, dir_fd=self._dir)
        with contextlib.suppress(OSError):
            os.close(self._dir)
        self._dir = -1


class Sink:
    """Writes chunks to the temp file in large pieces from its own writer thread, and remembers a passed cap,
    so a swallowed error still aborts the commit.

    Why: a download arrives in network-sized chunks (16-64 KiB); one thread hop per chunk cost more than
    the disk (3,900 hops for 256 MB). Chunks are gathered into ``WRITE_BYTES`` pieces, and one piece is
    written while the next fills, so memory stays at about two pieces whatever the size. Every write, and
    then the commit or discard (``close``), runs on the one writer thread in order: the file is never
    committed, discarded or closed while a write is still running, even when the caller is cancelled.
    A write error surfaces on the next ``write`` or on ``flush``.
    """

    def __init__(self, temp: TempFile, max_bytes: int | None) -> None:
        self._temp = temp
        self._max = max_bytes
        self._pending = bytearray()
        self._accepted = 0
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="output-writer")
        self._writing: asyncio.Future[None] | None = None
        self.error: ResourceTooLarge | None = None

    async def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        if self._max is not None and self._accepted + len(chunk) > self._max:
            self.error = ResourceTooLarge(
                f"the result for {self._temp.shown} is over the {self._max / _MIB:.1f} MiB limit: "
                "raise the limit or ask for a smaller output.",
                details={"limit_bytes": self._max},
            )
            raise self.error
        self._accepted += len(chunk)
        self._pending += chunk
        if len(self._pending) >= WRITE_BYTES:
            await self._hand_over()

    async def _hand_over(self) -> None:
        """Wait for the piece in flight (re-raising its error), then start writing what is pending."""
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing
        piece, self._pending = self._pending, bytearray()
        if piece:
            self._writing = asyncio.get_running_loop().run_in_executor(self._writer, self._temp.write, piece)

    async def flush(self) -> None:
        """Write everything accepted and wait for it."""
        await self._hand_over()
        await self._hand_over()

    async def close(self, finish: Callable[[], None]) -> None:
        """Run ``finish`` (commit or discard) on the writer thread after every write queued there; it runs even
        if this await is cancelled. A write still in flight here failed or was abandoned: its error is dropped."""
        if self._writing is not None:
            self._writing.add_done_callback(_drop_result)
            self._writing = None
        done = asyncio.get_running_loop().run_in_executor(self._writer, finish)
        self._writer.shutdown(wait=False)
        await done


def _drop_result(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
