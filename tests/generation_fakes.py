"""Hand-written fakes of the generation ports: generators, output store, previewer, media source.

Each records what it was asked in a shared ``events`` list when given one, so a test can
check the order of side effects (for example: the save target is reserved before paying).
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import AsyncIterator

from openrouter_multimodal.application.image_ports import PreparedImage
from openrouter_multimodal.application.job_ports import ByteSink, StoredFile
from openrouter_multimodal.application.media_loading import LoadedMedia
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.errors import InvalidInput, UnsafePath, UnsupportedFormat
from openrouter_multimodal.domain.generation import (
    AudioRequest,
    AudioResult,
    GeneratedImage,
    ImageRequest,
    ImageResult,
    RerankRequest,
    RerankResult,
)
from openrouter_multimodal.domain.media import MediaFormat, MediaKind
from openrouter_multimodal.domain.save_policy import SavePolicy


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG (signature + IHDR): enough for ``FakePreviewer.inspect``."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + b"\0\0\0\0"


JPEG_BYTES = b"\xff\xd8\xff\xe0fake-jpeg"


class FakeImageGenerator:
    def __init__(self, result: ImageResult | None = None, *, error: Exception | None = None,
                 events: list[str] | None = None) -> None:
        self.result = result or ImageResult(images=(GeneratedImage(png_header(64, 48), "image/png"),),
                                            text="Here you go", model="google/gemini-2.5-flash-image")
        self.error = error
        self.events = events if events is not None else []
        self.requests: list[ImageRequest] = []

    async def generate(self, request: ImageRequest) -> ImageResult:
        self.events.append("generate")
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.result


class FakeSpeechGenerator:
    def __init__(self, result: AudioResult, *, error: Exception | None = None,
                 events: list[str] | None = None) -> None:
        self.result = result
        self.error = error
        self.events = events if events is not None else []
        self.requests: list[AudioRequest] = []

    async def generate(self, request: AudioRequest) -> AudioResult:
        self.events.append("generate")
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.result


class FakeReranker:
    def __init__(self, result: RerankResult, *, error: Exception | None = None) -> None:
        self.result = result
        self.error = error
        self.requests: list[RerankRequest] = []

    async def rerank(self, request: RerankRequest) -> RerankResult:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.result


class _MemorySink:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, chunk: bytes) -> None:
        self.data += chunk


class FakeOutputStore:
    """``OutputStore`` in memory: names relative to ``/out``, with the real ``SavePolicy`` deciding them.

    ``fail_reserve`` makes ``reserve`` raise it (an unwritable output directory, say).
    """

    def __init__(self, events: list[str] | None = None, *, fail_reserve: Exception | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.events = events if events is not None else []
        self.reserved: list[str] = []
        self.fail_reserve = fail_reserve
        self._counter = 0

    def _name(self, requested: str | None, stem: str, extension: str) -> str:
        self._counter += 1
        path = SavePolicy("/out").candidate(requested, stem=stem, extension=extension, unique=str(self._counter))
        return path.removeprefix("/out/")

    async def reserve(self, requested: str | None, *, stem: str, extension: str, overwrite: bool) -> str:
        self.events.append("reserve")
        if self.fail_reserve is not None:
            raise self.fail_reserve
        name = self._name(requested, stem, extension)
        if name in self.files and not overwrite:
            raise InvalidInput(f"{name} already exists: pass overwrite: true to replace it, or another save_path.")
        self.reserved.append(name)
        return name

    async def write(self, name: str, data: bytes, *, overwrite: bool) -> str:
        self.events.append("write")
        if name in self.files and not overwrite:
            raise InvalidInput(f"{name} already exists: pass overwrite: true to replace it, or another save_path.")
        self.files[name] = data
        return name

    def atomic_writer(self, name: str, *, overwrite: bool, max_bytes: int | None = None,
                      temp_tag: str | None = None) -> contextlib.AbstractAsyncContextManager[ByteSink]:
        @contextlib.asynccontextmanager
        async def writer() -> AsyncIterator[ByteSink]:
            sink = _MemorySink()
            yield sink
            await self.write(name, bytes(sink.data), overwrite=overwrite)

        return writer()

    async def discard_partials(self, name: str, temp_tag: str) -> int:
        return 0

    async def list_files(self, limit: int = 200) -> list[StoredFile]:
        return [StoredFile(n, len(d), 0.0, "application/octet-stream") for n, d in list(self.files.items())[:limit]]

    async def read(self, name: str, max_bytes: int) -> bytes:
        return self.files[name][:max_bytes]

    def location(self, name: str) -> str:
        return f"/out/{name}"

    def contains(self, name: str) -> bool:
        return not name.startswith("/")


class FakePreviewer:
    """``ImagePreviewer`` + ``ImagePreparer``: reads PNG headers, calls anything starting 0xFFD8 a JPEG."""

    def __init__(self) -> None:
        self.previews: list[int] = []

    async def inspect(self, data: bytes) -> tuple[str, int, int]:
        return self._inspect(data)

    @staticmethod
    def _inspect(data: bytes) -> tuple[str, int, int]:
        if data.startswith(b"\x89PNG"):
            width, height = struct.unpack(">II", data[16:24])
            return "image/png", width, height
        if data.startswith(b"\xff\xd8"):
            return "image/jpeg", 10, 10
        raise UnsupportedFormat("not an image")

    async def preview(self, data: bytes, *, max_dimension: int) -> PreparedImage:
        mime, width, height = self._inspect(data)
        self.previews.append(max_dimension)
        scale = min(1.0, max_dimension / max(width, height))
        return PreparedImage(b"preview", "image/jpeg", round(width * scale), round(height * scale), width, height,
                             passed_through=False)

    async def prepare(self, data: bytes, *, max_dimension: int | None, jpeg_quality: int,
                      keep_original: bool = False) -> PreparedImage:
        mime, width, height = self._inspect(data)
        return PreparedImage(data, mime, width, height, width, height, passed_through=True)


class FakeMediaSource:
    """``MediaSource``: names in ``files`` load as PNG images; names starting with ``/outside`` are UNSAFE_PATH."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = files or {}
        self.loaded: list[str] = []
        self.callers: list[Caller] = []

    async def load(self, raw: str, kind: MediaKind, caller: Caller) -> LoadedMedia:
        self.loaded.append(raw)
        self.callers.append(caller)
        if raw.startswith("/outside"):
            raise UnsafePath(f"'{raw}' is outside the allowed input directories.")
        if raw not in self.files:
            raise InvalidInput(f"no file at {raw}.")
        data = self.files[raw]
        return LoadedMedia(kind, MediaFormat.PNG, len(data), "file", data=data)

