"""Streams a finished video to disk under the size cap, naming the file after the format its bytes really are."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

from ..domain.errors import ResourceTooLarge, UpstreamError
from ..domain.media import SNIFF_BYTES, MediaFormat, MediaKind, format_from_mime, sniff_format
from ..domain.save_policy import correct_extension, split_extension
from .generation_ports import ByteSink, VideoJobsApi
from .job_ports import OutputStore

MAX_BYTES_SETTING = "OPENROUTER_VIDEO_GEN_MAX_BYTES"


@dataclass(frozen=True, slots=True)
class DownloadedVideo:
    path: str
    mime: str
    size: int


def _video_format(fmt: MediaFormat | None) -> MediaFormat | None:
    return fmt if fmt is not None and fmt.kind is MediaKind.VIDEO else None


class _SniffingSink:
    """Holds back the first ``SNIFF_BYTES`` to learn the real format, then streams into the atomic writer.

    The writer is opened only once the format is known, at ``target`` with its extension
    corrected, so at most a few dozen bytes are ever buffered here.
    """

    def __init__(self, output: OutputStore, stack: AsyncExitStack, target: str, overwrite: bool,
                 max_bytes: int) -> None:
        self._output = output
        self._stack = stack
        self._target = target
        self._overwrite = overwrite
        self._max_bytes = max_bytes
        self._head = bytearray()
        self._sink: ByteSink | None = None
        self.path = target
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
        """Decide the format (magic bytes, else the declared MIME, else the target's extension) and start writing."""
        if self._sink is not None:
            return
        fmt = _video_format(sniff_format(bytes(self._head[:SNIFF_BYTES])))
        fmt = fmt or _video_format(format_from_mime(declared_mime) if declared_mime else None)
        extension = fmt.extension if fmt else (split_extension(self._target)[1] or "mp4")
        self.path = correct_extension(self._target, extension)
        self.mime = fmt.mime if fmt else (declared_mime or "video/mp4")
        self._sink = await self._stack.enter_async_context(
            self._output.atomic_writer(self.path, overwrite=self._overwrite, max_bytes=self._max_bytes))
        head, self._head = bytes(self._head), bytearray()
        if head:
            await self._sink.write(head)


async def download_video(api: VideoJobsApi, output: OutputStore, job_id: str, target: str, *,
                         overwrite: bool, max_bytes: int) -> DownloadedVideo:
    """Download output 0 of a completed job into ``target`` (extension corrected); all or nothing.

    How it fails: ``ResourceTooLarge`` naming OPENROUTER_VIDEO_GEN_MAX_BYTES past ``max_bytes``,
    ``UpstreamError`` for an empty body or a failed transfer; in every case no file (and no
    temp file) is left behind, because the atomic writer discards on any exception.
    """
    try:
        async with AsyncExitStack() as stack:
            sink = _SniffingSink(output, stack, target, overwrite, max_bytes)
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
    return DownloadedVideo(path=sink.path, mime=sink.mime or declared, size=sink.size)
