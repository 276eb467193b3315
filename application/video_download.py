"""Streams a finished video into the output store under the size cap, named after the format its bytes really are.

Only real video is kept: the first bytes are sniffed before anything is written.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

from ..domain.errors import ConfigurationError, ErrorCode, InvalidInput, ResourceTooLarge, UnsafePath, UpstreamError
from ..domain.media import SNIFF_BYTES, MediaFormat, MediaKind, format_from_extension, format_from_mime, sniff_format
from ..domain.save_policy import correct_extension, split_extension
from ..domain.setting_refs import setting
from .generation_ports import ByteSink, VideoJobsApi
from .job_ports import OutputStore

MAX_BYTES_SETTING = setting("video_gen_max_bytes")


@dataclass(frozen=True, slots=True)
class DownloadedVideo:
    """The saved file: its output-store ``name``, MIME type and size in bytes."""

    name: str
    mime: str
    size: int


@dataclass(frozen=True, slots=True)
class SavedVideo:
    """The finished file under its output-store ``name``. ``size`` is None when a file saved earlier was too
    large to re-read; ``inline`` holds its bytes only when it is at most the inline cap."""

    name: str
    mime: str
    size: int | None
    inline: bytes | None = None
    downloaded: bool = True


def _video_format(fmt: MediaFormat | None) -> MediaFormat | None:
    return fmt if fmt is not None and fmt.kind is MediaKind.VIDEO else None


def _looks_like_text(head: bytes) -> bool:
    """HTML, JSON or any other text: no control bytes but whitespace (every video container starts with some)."""
    return bool(head) and all(b >= 0x20 or b in b"\t\n\r" for b in head)


def not_a_video(job_id: str, head: bytes, size: int) -> UpstreamError:
    """The upstream answered the download with something that is not a video (an error page, an image)."""
    sniffed = sniff_format(head)
    what = f"{sniffed.value} data" if sniffed is not None else "text" if _looks_like_text(head) else "unknown data"
    return UpstreamError(
        f"OpenRouter answered the download of video {job_id} with {what} ({size} bytes so far), not a video, so "
        f"nothing was saved: call get_video_status with video_id='{job_id}' to try the download again.",
        code=ErrorCode.UPSTREAM_HTTP, details={"video_id": job_id, "reason": "not_a_video"})


class _SniffingSink:
    """Holds back the first ``SNIFF_BYTES`` to learn the real format, then streams into the atomic writer.

    The writer is opened only once the format is known, at ``target`` with its extension
    corrected, so at most a few dozen bytes are ever buffered here.
    """

    def __init__(self, output: OutputStore, stack: AsyncExitStack, job_id: str, target: str, overwrite: bool,
                 max_bytes: int) -> None:
        self._output = output
        self._job_id = job_id
        self._stack = stack
        self._target = target
        self._overwrite = overwrite
        self._max_bytes = max_bytes
        self._head = bytearray()
        self._sink: ByteSink | None = None
        self.name = target
        self.mime: str | None = None
        self.size = 0

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._sink is not None:
            await self._sink.write(chunk)
            return
        self._head += chunk
        if len(self._head) >= SNIFF_BYTES:
            await self.open(None)

    async def open(self, declared_mime: str | None) -> None:
        """Decide the format (magic bytes, else the declared MIME, else the target's extension) and start writing.

        Raises ``not_a_video`` (nothing written) when the bytes are text or another kind of media.
        """
        if self._sink is not None:
            return
        head = bytes(self._head[:SNIFF_BYTES])
        sniffed = sniff_format(head)
        fmt = _video_format(sniffed)
        if fmt is None and (sniffed is not None or _looks_like_text(head)):
            raise not_a_video(self._job_id, head, self.size)
        fmt = fmt or _video_format(format_from_mime(declared_mime) if declared_mime else None)
        extension = fmt.extension if fmt else (split_extension(self._target)[1] or "mp4")
        self.name = correct_extension(self._target, extension)
        self.mime = fmt.mime if fmt else (declared_mime or "video/mp4")
        self._sink = await self._stack.enter_async_context(self._output.atomic_writer(
            self.name, overwrite=self._overwrite, max_bytes=self._max_bytes, temp_tag=self._job_id))
        head, self._head = bytes(self._head), bytearray()
        if head:
            await self._sink.write(head)


async def download_video(api: VideoJobsApi, output: OutputStore, job_id: str, target: str, *,
                         overwrite: bool, max_bytes: int) -> DownloadedVideo:
    """Download output 0 of a completed job into the store name ``target`` (extension corrected); all or nothing.

    How it fails: ``ResourceTooLarge`` naming ``${video_gen_max_bytes}`` past ``max_bytes``,
    ``UpstreamError`` (UPSTREAM_HTTP) for an empty body, a body that is not a video or a failed
    transfer, ``ConfigurationError`` (reason ``no_space``) when the disk fills, saying to free
    space and call get_video_status again. In every case no file (and no temp file) is left
    behind, because the atomic writer discards on any exception, and the job stays
    resumable: the caller does not mark it failed.
    """
    try:
        async with AsyncExitStack() as stack:
            sink = _SniffingSink(output, stack, job_id, target, overwrite, max_bytes)
            declared = await api.download(job_id, 0, sink, max_bytes)
            if sink.size == 0:
                raise UpstreamError(
                    f"OpenRouter returned an empty file for video {job_id}: call get_video_status with "
                    f"video_id='{job_id}' to try the download again.")
            await sink.open(declared)
    except ResourceTooLarge as exc:
        if MAX_BYTES_SETTING in exc.message:
            raise
        raise ResourceTooLarge(
            f"video {job_id} is over the {max_bytes}-byte download limit: raise {MAX_BYTES_SETTING} and call "
            f"get_video_status with video_id='{job_id}' to download it.",
            details={"max_bytes": max_bytes, "setting": MAX_BYTES_SETTING, "video_id": job_id}) from None
    except ConfigurationError as exc:
        if exc.details.get("reason") != "no_space":
            raise
        raise ConfigurationError(
            f"the disk is full, so video {job_id} could not be saved (it is paid for and kept upstream): free disk "
            f"space in the output directory, then call get_video_status with video_id='{job_id}' to finish saving it.",
            details={"reason": "no_space", "video_id": job_id}) from None
    return DownloadedVideo(name=sink.name, mime=sink.mime or declared, size=sink.size)


async def read_inline(output: OutputStore, name: str, cap: int) -> bytes | None:
    """The saved file's bytes when it is inside the store and at most ``cap``; None otherwise."""
    if not output.contains(name):
        return None
    try:
        return await output.read(name, cap)
    except (ResourceTooLarge, InvalidInput, UnsafePath):
        return None


async def saved_earlier(output: OutputStore, name: str, cap: int) -> SavedVideo | None:
    """The file a job saved earlier (inline when at most ``cap``), or None when it is gone (download again)."""
    fmt = format_from_extension(name)
    mime = fmt.mime if fmt else "video/mp4"
    if not output.contains(name):
        return SavedVideo(name, mime, None, downloaded=False)
    try:
        data = await output.read(name, cap)
    except ResourceTooLarge:
        return SavedVideo(name, mime, None, downloaded=False)
    except (InvalidInput, UnsafePath):
        return None
    return SavedVideo(name, mime, len(data), data, downloaded=False)
