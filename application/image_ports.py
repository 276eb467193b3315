"""Ports for turning user images into something a model accepts, and for previewing generated ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """Encoded image bytes ready to send, plus what happened to them.

    Dimensions are as a viewer shows them, i.e. after any EXIF orientation. ``width``/``height``
    describe ``data``; ``original_width``/``original_height`` describe the input. ``passed_through``
    is True when ``data`` is the caller's input, byte for byte.
    """

    data: bytes
    mime: str
    width: int
    height: int
    original_width: int
    original_height: int
    passed_through: bool


class ImagePreparer(Protocol):
    """Makes an input image small and in a format every vision model accepts.

    Models bill by pixels and reject exotic formats, and phone photos arrive rotated by EXIF, so
    images are normalised before upload rather than sent raw.
    """

    async def prepare(
        self, data: bytes, *, max_dimension: int | None, jpeg_quality: int, keep_original: bool = False
    ) -> PreparedImage:
        """Return ``data`` as-is when it is already fine, else an upright JPEG capped at ``max_dimension``.

        Runs off the event loop, one decode at a time (the adapter bounds it). ``keep_original`` sends the input
        bytes unchanged whenever their format is one models accept. Raises ``UnsupportedFormat``
        when the bytes do not decode as an image, ``ResourceTooLarge`` when the pixel count looks
        like a decompression bomb, and ``InvalidInput`` for an out-of-range quality or dimension.
        """
        ...


class ImagePreviewer(Protocol):
    """Shrinks generated images for inline previews and reads their basic facts.

    Generated images are often multi-megabyte PNGs; a preview keeps the tool result small while
    the full file is saved elsewhere.
    """

    async def preview(self, data: bytes, *, max_dimension: int) -> PreparedImage:
        """Return a JPEG (WebP when the image has transparency) with its long edge at most ``max_dimension``.

        Runs off the event loop, one decode at a time. Raises ``UnsupportedFormat`` for undecodable bytes and
        ``ResourceTooLarge`` for decompression bombs.
        """
        ...

    async def inspect(self, data: bytes) -> tuple[str, int, int]:
        """Return ``(mime, width, height)`` from the image header, without decoding the pixels.

        Raises ``UnsupportedFormat`` when the bytes are not a recognisable image and
        ``ResourceTooLarge`` for decompression bombs.
        """
        ...
