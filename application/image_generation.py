"""The generate_image use case."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Protocol

from ..domain.caller import Caller
from ..domain.errors import ErrorCode, InvalidInput, OpenRouterMcpError, UpstreamError
from ..domain.generation import IMAGE_MODALITIES, ImageRequest
from ..domain.image_options import ImageRoute, resolution_tier
from ..domain.media import MediaKind, format_from_mime
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from .call import ToolCall
from .generation_costs import with_cost
from .generation_ports import CostLookup, ImageGenerator
from .image_ports import ImagePreparer, ImagePreviewer
from .image_routing import ImageRouter
from .image_saving import ImageGenerationResult, ImageSaver, SavedImage
from .job_ports import OutputSpaces
from .library_ports import ImageLibrary
from .media_loading import LoadedMedia
from .paid_generation import charged, save_lock
from .ports import Credentials

__all__ = ["GenerateImage", "GenerateImageCommand", "ImageDefaults", "ImageGenerationResult", "SavedImage"]

MAX_REFERENCE_IMAGES = 8
"""Image-edit models take a handful of references (Gemini works best with up to 3, gpt-image takes 16);
8 keeps the request body bounded (8 × the image download cap) while covering real edits."""
REFUSAL_QUOTE_CHARS = 200


class MediaSource(Protocol):
    """What ``MediaLoader`` offers: checked, size-capped media from a path, URL or data URL."""

    async def load(self, raw: str, kind: MediaKind, caller: Caller) -> LoadedMedia: ...


@dataclass(frozen=True, slots=True)
class ImageDefaults:
    model: str = "google/gemini-2.5-flash-image"
    preview_max_dimension: int = 1024
    inline_max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GenerateImageCommand:
    """``image_size`` is the older name of ``resolution`` (``0.5K`` is the ``512`` tier)."""

    prompt: str
    model: str | None = None
    aspect_ratio: str | None = None
    image_size: str | None = None
    reference_images: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    max_tokens: int | None = None
    save_path: str | None = None
    overwrite: bool = False
    return_full: bool = False
    resolution: str | None = None
    n: int = 1
    seed: int | None = None
    output_format: str | None = None
    quality: str | None = None

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.prompt, max_tokens=self.max_tokens, images=self.n,
                         lock_keys=save_lock(self.save_path), resolution=self.resolution or self.image_size)


class GenerateImage:
    """Generates images from a prompt (optionally edits reference images) and saves every one.

    Why this order: generation is billed, so everything that can fail for free fails first —
    the key (CONFIGURATION), the arguments (INVALID_INPUT via ``ImageRequest``), the save
    target (``OutputStore.reserve``: UNSAFE_PATH outside the output root, INVALID_INPUT for an
    existing file without ``overwrite``, CONFIGURATION for an output directory that is missing,
    read-only or full), each reference image (loaded through ``MediaLoader``:
    sandbox, SSRF guard, size caps — http(s) URLs are downloaded by us rather than passed on, so
    one guard and one set of limits applies and the model never fetches arbitrary URLs), and the
    route (``ImageRouter``: a model that cannot output images, or an option the model does not take,
    is INVALID_INPUT naming models that do). A reply without images is UPSTREAM_REFUSED quoting the
    model's text. Every variant is saved with the extension of its real format and measured from its
    bytes; previews are made off the event loop. The cost is the reply's, else the generation record's.
    A failure after the upstream was paid carries its ``billing``, so the pipeline charges the real cost.
    Each saved image then joins the caller's ``ImageLibrary`` (so "make it bluer" can name it as
    INDEX_1); a library that cannot take it adds a note, never an error, because the image is paid and saved.
    """

    def __init__(self, *, generator: ImageGenerator, images_endpoint: ImageGenerator, router: ImageRouter,
                 outputs: OutputSpaces, loader: MediaSource, preparer: ImagePreparer, previewer: ImagePreviewer,
                 costs: CostLookup, credentials: Credentials, defaults: ImageDefaults,
                 library: ImageLibrary | None = None) -> None:
        self._library = library
        self._generators = {ImageRoute.CHAT: generator, ImageRoute.IMAGES: images_endpoint}
        self._router = router
        self._outputs = outputs
        self._loader = loader
        self._preparer = preparer
        self._saver = ImageSaver(previewer=previewer, preview_max_dimension=defaults.preview_max_dimension,
                                 inline_max_bytes=defaults.inline_max_bytes)
        self._costs = costs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[GenerateImageCommand]) -> ImageGenerationResult:
        self._credentials.ensure_configured()
        command = call.command
        store = self._outputs.for_caller(call.caller)
        refs = tuple(dict.fromkeys(command.reference_images))
        if len(refs) > MAX_REFERENCE_IMAGES:
            raise InvalidInput(f"at most {MAX_REFERENCE_IMAGES} reference_images per call; got {len(refs)}.")
        model = ModelId.parse(command.model or self._defaults.model)
        request = ImageRequest(model=model, prompt=command.prompt, aspect_ratio=command.aspect_ratio,
                               resolution=resolution_tier(command.resolution or command.image_size),
                               modalities=command.modalities or IMAGE_MODALITIES, max_tokens=command.max_tokens,
                               n=command.n, seed=command.seed, output_format=command.output_format,
                               quality=command.quality)
        target = await store.reserve(command.save_path, stem="image", extension=command.output_format or "png",
                                     overwrite=command.overwrite)
        urls = [await self._reference(index, raw, call.caller) for index, raw in enumerate(refs)]
        chat_only = tuple(name for name, given in (("max_tokens", command.max_tokens is not None),
                                                   ("modalities", bool(command.modalities))) if given)
        route = await self._router.route(replace(request, reference_images=tuple(urls)), chat_only)
        request = replace(request, reference_images=tuple(urls), attribution=call.attribution)
        result = await self._generators[route].generate(request)
        paid = Billing(model=result.model, cost_usd=result.usage.cost if result.usage else None,
                       generation_id=result.generation_id)
        if not result.images:
            quoted = " ".join(result.text.split())[:REFUSAL_QUOTE_CHARS]
            said = f"; it said: '{quoted}'" if quoted else " and no text"
            raise UpstreamError(
                f"the model returned no image{said}. Rephrase the prompt, or choose an image model "
                "(search_models with output=['image']).", code=ErrorCode.UPSTREAM_REFUSED,
                details={"reason": "no_image_in_response", "finish_reason": result.finish_reason}, billing=paid)
        usage = await with_cost(result.usage, result.generation_id, self._costs)
        notes: list[str] = []
        with charged(replace(paid, cost_usd=usage.cost if usage else None)):
            saved = [await self._saver.save(store, image, n, target, overwrite=command.overwrite,
                                            return_full=command.return_full, notes=notes)
                     for n, image in enumerate(result.images, 1)]
            saved = [await self._join_library(call.caller, image, data.data, notes)
                     for image, data in zip(saved, result.images, strict=True)]
        notes += delivery_notes(request, saved)
        return ImageGenerationResult(images=tuple(saved), model=result.model, text=result.text,
                                     provider=result.provider, usage=usage, notes=tuple(notes), route=route,
                                     requested_n=request.n, requested_aspect_ratio=request.aspect_ratio,
                                     requested_resolution=request.resolution, generation_id=result.generation_id)

    async def _join_library(self, caller: Caller, image: SavedImage, data: bytes, notes: list[str]) -> SavedImage:
        if self._library is None:
            return image
        try:
            entry = await self._library.add(caller, name=image.name.rsplit("/", 1)[-1], data=data, mime=image.mime)
        except OpenRouterMcpError as exc:
            notes.append(f"{image.name} was saved but not added to your image library ({exc.message}).")
            return image
        return replace(image, file_id=entry.file_id) if entry is not None else image

    async def _reference(self, index: int, raw: str, caller: Caller) -> str:
        """A reference image as a data: URL (formats models may not take are re-encoded as JPEG)."""
        try:
            loaded = await self._loader.load(raw, MediaKind.IMAGE, caller)
            assert loaded.data is not None
            prepared = await self._preparer.prepare(loaded.data, max_dimension=None, jpeg_quality=90,
                                                    keep_original=True)
        except OpenRouterMcpError as exc:
            exc.message = f"reference_images[{index}]: {exc.message}"
            exc.args = (exc.message,)
            raise
        return f"data:{prepared.mime};base64,{base64.b64encode(prepared.data).decode('ascii')}"


def delivery_notes(request: ImageRequest, saved: list[SavedImage]) -> list[str]:
    """What differs from the request: fewer variants, another aspect ratio, another format."""
    notes = []
    if len(saved) < request.n:
        notes.append(f"asked for {request.n} images, the model returned {len(saved)} (billed as returned).")
    for n, image in enumerate(saved, 1):
        ratio = image.aspect_ratio
        if request.aspect_ratio and ratio and ratio != request.aspect_ratio:
            notes.append(f"image {n}: asked for {request.aspect_ratio}, delivered {image.width}x{image.height} "
                         f"({ratio}).")
        fmt = format_from_mime(image.mime)
        if request.output_format and fmt is not None and fmt.extension not in (request.output_format, "jpg"):
            notes.append(f"image {n}: asked for {request.output_format}, delivered {fmt.extension}.")
    return notes
