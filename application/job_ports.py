"""Ports for persisting jobs (video and chat) and for writing generated files into the output sandbox."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from ..domain.caller import Caller
from ..domain.job import Job, JobKind


class JobStore(Protocol):
    """Where jobs of every kind live between tool calls.

    Jobs are persisted (not kept in memory) so a job id returned as JOB_STILL_RUNNING still
    works after the server or the MCP client restarts, and a chat answered in the background
    is readable by a later server process. Saves are
    compare-and-set on ``Job.version``, so two callers polling one job cannot both
    record its completion (which would audit it twice and download it twice). Storage
    failures surface as ``InternalError``; a missing job is ``None``, not an error.
    """

    async def save(self, job: Job, expected_version: int) -> bool:
        """Store ``job`` as version ``expected_version + 1`` if the stored row is still at ``expected_version``
        (0: not stored yet); False, and nothing written, when another caller saved first."""
        ...

    async def get(self, job_id: str) -> Job | None:
        """The job with ``version`` set to the stored version."""
        ...

    async def list_recent(self, limit: int, owner: str | None = None, kind: JobKind | None = None) -> list[Job]:
        """Newest first (by creation time) among the newest ``limit`` records; ``owner=None`` lists every
        owner's jobs, ``kind=None`` every kind."""
        ...


class ByteSink(Protocol):
    """Receives a download chunk by chunk; raises ``ResourceTooLarge`` once the cap is passed."""

    async def write(self, chunk: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the output store: its store-relative ``name`` (``/``-separated), size, mtime and MIME type."""

    name: str
    size: int
    mtime: float
    mime: str


class OutputStore(Protocol):
    """The output side of the filesystem: the only way generated files reach the disk.

    Files are named by store-relative names (``/``-separated, relative to the output root,
    e.g. ``videos/clip.mp4``), never by absolute paths, so another kind of store could
    stand behind this port. With unsafe paths allowed, a target outside the root is its own
    absolute name; reads never leave the root. ``location`` turns a name into what a person
    can open (an absolute path here).

    Why so careful: ``save_path`` comes from a model, and an earlier server wrote through a
    symlink planted in its output folder. Every name is checked lexically (``SavePolicy``)
    and then walked on the real filesystem without following symlinks, and files appear
    only complete and never over a file that was not meant to be replaced. How it fails:
    ``UnsafePath`` for anything outside the root or through a symlink (a race included),
    ``InvalidInput`` for a directory, an existing file without ``overwrite`` or an unusable
    subdirectory, ``ConfigurationError`` naming ``${output_dir}`` when the output
    directory is missing and uncreatable, read-only or full (``details["reason"]`` is
    ``"no_space"`` for a full disk), ``ResourceTooLarge`` past ``max_bytes``. Never INTERNAL.
    """

    async def reserve(self, requested: str | None, *, stem: str, extension: str, overwrite: bool) -> str:
        """Check a target before any paid call and return its name; nothing is created but the root.

        ``None`` picks a fresh automatic name. Refuses an existing file unless ``overwrite``
        (``InvalidInput`` saying to pass overwrite: true or another save_path), and proves the
        directory that will receive it is writable by creating and deleting a probe file.
        """
        ...

    async def write(self, name: str, data: bytes, *, overwrite: bool) -> str:
        """Write ``data`` atomically under ``name`` (checked again, missing directories created); return the name."""
        ...

    def atomic_writer(
        self, name: str, *, overwrite: bool, max_bytes: int | None = None, temp_tag: str | None = None
    ) -> AbstractAsyncContextManager[ByteSink]:
        """Stream into ``name``: it appears only if the block exits normally.

        Any exception inside the block (including ``ResourceTooLarge`` from the sink, even
        if the caller catches it) removes the temp file and leaves the destination untouched.
        ``temp_tag`` names the temp file after its owner (a job id) so ``discard_partials``
        can find what a killed process left behind.
        """
        ...

    async def discard_partials(self, name: str, temp_tag: str) -> int:
        """Remove temp files tagged ``temp_tag`` next to ``name`` (left by an interrupted write); how many."""
        ...

    async def list_files(self, limit: int = 200) -> list[StoredFile]:
        """Regular files under the root, newest first; symlinks and temp files are skipped."""
        ...

    async def read(self, name: str, max_bytes: int) -> bytes:
        """A file under the root, even when unsafe paths are allowed for writing.

        ``UnsafePath`` for anything outside the root or through a symlink, ``InvalidInput`` for
        a missing or non-regular file, ``ResourceTooLarge`` over ``max_bytes``.
        """
        ...

    def display(self, name: str) -> str:
        """How the caller is shown the file: its absolute path for the machine's owner, the store name for a
        remote caller, who must not learn the server's paths."""
        ...

    def location(self, name: str) -> str:
        """Where ``name`` is for a person (an absolute path); pure, no disk access. ``UnsafePath`` for a name
        that leaves the root unless unsafe paths are allowed."""
        ...

    def contains(self, name: str) -> bool:
        """True when ``name`` is inside the root (so it can be offered as a resource); pure."""
        ...


class OutputSpaces(Protocol):
    """Each caller's own output store: the local user's is the output root itself, a remote user's is a
    folder of their own inside it, so one user can neither list, read nor overwrite another's files."""

    def for_caller(self, caller: Caller) -> OutputStore: ...
