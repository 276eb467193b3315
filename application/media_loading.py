"""``MediaLoader``: turns a path, URL or data URL into checked, size-bounded media ready to send."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..domain.caller import Caller
from ..domain.errors import InvalidInput
from ..domain.library import LibraryRef, parse_library_ref
from ..domain.media import SNIFF_BYTES, MediaFormat, MediaKind, MediaLimits, decide_format, setting_prefix, too_large
from ..domain.media_source import DataUrl, HttpUrl, LocalPath, MediaSource
from ..domain.setting_refs import setting
from .fetch_ports import FetchLimits, UrlFetcher
from .library_ports import ImageLibrary
from .media_ports import InputSpaces, LocalFileReader

STREAM_THRESHOLD = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LoadedMedia:
    """Media that passed every local check; its bytes live in exactly one of ``data``, ``path`` or ``base64``."""

    kind: MediaKind
    format: MediaFormat
    size: int
    origin: str
    data: bytes | None = None
    path: str | None = None
    base64: str | None = None
    chunks: Callable[[], AsyncIterator[bytes]] | None = field(default=None, compare=False)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "format": self.format.value, "mime": self.format.mime,
                "bytes": self.size, "source": self.origin}


class MediaLoader:
    """Loads media for a tool call, refusing unsafe or oversized input before any upstream request.

    Local paths go through the sandboxed ``LocalFileReader`` (UNSAFE_PATH outside the roots),
    URLs through the SSRF-guarded ``UrlFetcher`` (UPSTREAM_REFUSED for private addresses), and
    data URLs are size-checked from their length before anything is decoded. The format is
    decided by magic bytes first, then the name, then the declared MIME type. Large local
    audio and video files are not read here at all: the result carries a chunk stream so the
    upstream request body can be produced without holding the file in memory.

    Images may also be named by ``"1"``, ``"INDEX_1"`` or a file id: those resolve in the caller's own
    ``ImageLibrary`` (never anyone else's), here, so every tool that takes an image accepts them.
    """

    def __init__(self, *, files: InputSpaces, fetcher: UrlFetcher,
                 limits: Mapping[MediaKind, MediaLimits], library: ImageLibrary | None = None) -> None:
        self._files = files
        self._fetcher = fetcher
        self._limits = limits
        self._library = library

    async def load(self, raw: str, kind: MediaKind, caller: Caller) -> LoadedMedia:
        """``raw`` loaded for ``caller``: local paths are read only from that caller's input space, library
        references only from that caller's library."""
        limits = self._limits[kind]
        if kind is MediaKind.IMAGE and self._library is not None:
            ref = parse_library_ref(raw)
            if ref is not None:
                return await self._from_library(self._library, ref, caller, limits)
        source = MediaSource.parse(raw)
        prefix = setting_prefix(kind)
        if isinstance(source, DataUrl):
            return self._from_data_url(source, kind, limits, prefix)
        if isinstance(source, HttpUrl):
            fetched = await self._fetcher.fetch(source.url, FetchLimits(
                max_bytes=limits.max_download_bytes, max_redirects=limits.max_redirects,
                timeout_s=limits.fetch_timeout_s, setting_prefix=prefix))
            name = urlsplit(fetched.final_url).path.rsplit("/", 1)[-1] or None
            fmt = decide_format(kind, fetched.data[:SNIFF_BYTES], name=name, mime=fetched.content_type)
            return LoadedMedia(kind, fmt, len(fetched.data), "url", data=fetched.data)
        assert isinstance(source, LocalPath)
        return await self._from_file(self._files.for_caller(caller), source.path, kind, limits, prefix)

    @staticmethod
    async def _from_library(library: ImageLibrary, ref: LibraryRef, caller: Caller,
                            limits: MediaLimits) -> LoadedMedia:
        image = await library.resolve(caller, ref, limits.max_download_bytes)
        fmt = decide_format(MediaKind.IMAGE, image.data[:SNIFF_BYTES], name=image.entry.filename,
                            mime=image.entry.mime)
        return LoadedMedia(MediaKind.IMAGE, fmt, len(image.data), "library", data=image.data)

    @staticmethod
    async def _from_file(files: LocalFileReader, path: str, kind: MediaKind, limits: MediaLimits,
                         prefix: str) -> LoadedMedia:
        """One open per file: a small file is read and closed here; a large one stays open for its chunk stream
        (closed when the ``LoadedMedia`` is dropped), so every retry re-reads the same checked file."""
        handle = await files.open(path)
        streamed = False
        try:
            if handle.size > limits.max_download_bytes:
                raise too_large(kind, "file", limits.max_download_bytes, setting(f"{prefix}_max_download_bytes"))
            if handle.size == 0:
                raise InvalidInput(f"{handle.display_name} is empty: pass a file with content.")
            fmt = decide_format(kind, await handle.read_head(SNIFF_BYTES), name=handle.display_name)
            if kind is MediaKind.IMAGE or handle.size <= STREAM_THRESHOLD:
                data = await handle.read_all(limits.max_download_bytes)
                return LoadedMedia(kind, fmt, len(data), "file", data=data)
            cap = limits.max_download_bytes

            def chunks() -> AsyncIterator[bytes]:
                return handle.chunks(cap)

            streamed = True
            return LoadedMedia(kind, fmt, handle.size, "file", path=handle.display_name, chunks=chunks)
        finally:
            if not streamed:
                await handle.close()

    @staticmethod
    def _from_data_url(source: DataUrl, kind: MediaKind, limits: MediaLimits, prefix: str) -> LoadedMedia:
        """Check a data URL whole before anything is sent; large audio and video stay base64 text.

        The kept text is copied verbatim into a JSON request body, so every character is checked
        against the base64 alphabet first (one compiled-regex pass): a quote or a non-ASCII
        character there would otherwise rewrite the paid request. Failures are INVALID_INPUT.
        """
        if source.decoded_size_estimate > limits.max_data_url_bytes:
            raise too_large(kind, "data URL", limits.max_data_url_bytes, setting(f"{prefix}_max_data_url_bytes"))
        if kind is MediaKind.IMAGE or source.decoded_size_estimate <= STREAM_THRESHOLD:
            try:
                data = source.decode()
            except InvalidInput:
                raise _bad_base64(kind) from None
            fmt = decide_format(kind, data[:SNIFF_BYTES], name=source.filename, mime=source.mime)
            return LoadedMedia(kind, fmt, len(data), "data_url", data=data)
        try:
            payload = source.standard_payload()
        except InvalidInput:
            raise _bad_base64(kind) from None
        head = base64.b64decode(payload[:128])
        fmt = decide_format(kind, head, name=source.filename, mime=source.mime)
        return LoadedMedia(kind, fmt, len(payload) // 4 * 3 - payload.count("=", -2), "data_url", base64=payload)


def _bad_base64(kind: MediaKind) -> InvalidInput:
    return InvalidInput(f"the {kind.value} data URL is not valid base64: re-encode the file with standard base64 "
                        "(A-Z a-z 0-9 + / and '=' padding only).", details={"field": kind.value})
