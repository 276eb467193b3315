"""Saving generated images: each measured from its bytes, named by its real format, previewed, maybe inlined."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import OpenRouterMcpError
from ..domain.generation import GeneratedImage
from ..domain.image_options import ImageRoute, measured_ratio
from ..domain.media import format_from_mime
from ..domain.paid_call import ReportedCost
from ..domain.save_policy import correct_extension
from ..domain.setting_refs import setting
from ..domain.usage import Usage
from .image_ports import ImagePreviewer, PreparedImage
from .job_ports import OutputStore
from .paid_generation import numbered, save_output


@dataclass(frozen=True, slots=True)
class SavedImage:
    """One generated image in the output store under ``name``; ``preview`` is the small inline copy, ``full`` the
    original bytes if inlined; ``aspect_ratio`` is measured from the delivered pixels."""

    name: str
    size: int
    mime: str
    width: int | None = None
    height: int | None = None
    preview: PreparedImage | None = None
    full: bytes | None = None
    file_id: str | None = None

    @property
    def aspect_ratio(self) -> str | None:
        return measured_ratio(self.width, self.height) if self.width and self.height else None


@dataclass(frozen=True, slots=True)
class ImageGenerationResult(ReportedCost):
    """``requested_*`` is what the caller asked for (None: the model's default), ``route`` the endpoint used."""

    images: tuple[SavedImage, ...]
    model: str
    text: str = ""
    provider: str | None = None
    usage: Usage | None = None
    notes: tuple[str, ...] = ()
    route: ImageRoute = ImageRoute.CHAT
    requested_n: int = 1
    requested_aspect_ratio: str | None = None
    requested_resolution: str | None = None
    generation_id: str | None = None


class ImageSaver:
    """Writes one image without ever losing it: inspection or preview failures become notes, not errors."""

    def __init__(self, *, previewer: ImagePreviewer, preview_max_dimension: int, inline_max_bytes: int) -> None:
        self._previewer = previewer
        self._preview_max = preview_max_dimension
        self._inline_max = inline_max_bytes

    async def save(self, store: OutputStore, image: GeneratedImage, n: int, target: str, *, overwrite: bool,
                   return_full: bool, notes: list[str]) -> SavedImage:
        mime = image.mime
        width: int | None = None
        height: int | None = None
        try:
            mime, width, height = await self._previewer.inspect(image.data)
        except OpenRouterMcpError as exc:
            notes.append(f"image {n} could not be inspected ({exc.message}); saved as received.")
        fmt = format_from_mime(mime)
        wanted = target if n == 1 else numbered(target, n)
        if fmt is not None:
            wanted = correct_extension(wanted, fmt.extension)
        name = await save_output(store, target, wanted, image.data, overwrite=overwrite, stem="image")
        preview = None
        if width is not None:
            try:
                preview = await self._previewer.preview(image.data, max_dimension=self._preview_max)
            except OpenRouterMcpError as exc:
                notes.append(f"no preview for image {n}: {exc.message}")
        full = None
        if return_full:
            if len(image.data) <= self._inline_max:
                full = image.data
            else:
                notes.append(f"image {n} ({len(image.data)} bytes) is over {setting('image_inline_max_bytes')} "
                             f"({self._inline_max}), so it is not inline: open the saved file.")
        return SavedImage(name=name, size=len(image.data), mime=mime, width=width, height=height,
                          preview=preview, full=full)
