"""Ports for persisting video jobs and for writing generated files into the output sandbox."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from ..domain.video_job import VideoJob


class VideoJobStore(Protocol):
    """Where video jobs live between tool calls.

    Jobs are persisted (not kept in memory) so a ``video_id`` handle returned as
    JOB_STILL_RUNNING still works after the server or the MCP client restarts. Storage
    failures surface as ``InternalError``; a missing job is ``None``, not an error.
    """

    async def save(self, job: VideoJob) -> None:
        """Insert or replace the job with this id."""
        ...

    async def get(self, job_id: str) -> VideoJob | None: ...

    async def list_recent(self, limit: int, owner: str | None = None) -> list[VideoJob]:
        """Newest first (by creation time); ``owner=None`` lists every owner's jobs."""
        ...


class ByteSink(Protocol):
    """Receives a download chunk by chunk; raises ``ResourceTooLarge`` once the cap is passed."""

    async def write(self, chunk: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the output directory: absolute ``path``, ``relative`` to the root (``/``-separated)."""

    path: str
    relative: str
    size: int
    mtime: float
    mime: str


class OutputStore(Protocol):
    """The output side of the filesystem: the only way generated files reach the disk.

    Why: ``save_path`` comes from a model, and an earlier server wrote through a symlink
    planted in its output folder, overwriting a file outside it. How: every target is
    checked lexically (``SavePolicy``) and again against the real filesystem (the parent's
    resolved path must lie in the resolved root, the leaf must not be a symlink or a
    directory), and files are written to a temp file in the target directory and moved
    into place, so readers never see half a file. How it fails: ``UnsafePath`` for
    anything outside the root or a symlinked leaf, ``InvalidInput`` for a directory, an
    existing file without ``overwrite`` or an uncreatable directory, ``ResourceTooLarge``
    past ``max_bytes``.
    """

    @property
    def root(self) -> str:
        """The resolved absolute output directory."""
        ...

    def reserve(self, requested: str | None, *, stem: str, extension: str, overwrite: bool) -> str:
        """Resolve and check the target before any paid call, creating its parent directories.

        ``None`` picks a fresh automatic name. Refuses an existing file unless ``overwrite``
        (``InvalidInput`` saying to pass overwrite: true or another save_path). Returns the
        absolute path; nothing is written yet.
        """
        ...

    async def write(self, path: str, data: bytes, *, overwrite: bool) -> str:
        """Write ``data`` atomically to ``path`` (re-checked as in ``reserve``); return the final path."""
        ...

    def atomic_writer(
        self, path: str, *, overwrite: bool, max_bytes: int | None = None
    ) -> AbstractAsyncContextManager[ByteSink]:
        """Stream into ``path``: it appears only if the block exits normally.

        Any exception inside the block (including ``ResourceTooLarge`` from the sink, even
        if the caller catches it) removes the temp file and leaves the destination untouched.
        """
        ...

    def list_files(self, limit: int = 200) -> list[StoredFile]:
        """Regular files under the root, newest first; symlinks and temp files are skipped."""
        ...

    def read(self, relative: str, max_bytes: int) -> bytes:
        """A file under the root, even when unsafe paths are allowed for writing.

        ``UnsafePath`` for anything resolving outside the root, ``InvalidInput`` for a missing
        or non-regular file, ``ResourceTooLarge`` over ``max_bytes``.
        """
        ...
