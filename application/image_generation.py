"""The generate_image use case."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from ..domain.caller import Caller
from ..domain.errors import ErrorCode, InvalidInput, OpenRouterMcpError, UpstreamError
from ..domain.generation import IMAGE_MODALITIES, GeneratedImage, ImageRequest
from ..domain.media import MediaKind, format_from_mime
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from ..domain.save_policy import correct_extension
from ..domain.setting_refs import setting
from ..domain.usage import Usage
from .call import ToolCall
from .generation_ports import ImageGenerator
from .image_ports import ImagePreparer, ImagePreviewer, PreparedImage
from .job_ports import OutputSpaces, OutputStore
from .library_ports import ImageLibrary
from .media_loading import LoadedMedia
from .model_catalog import ModelCatalog
from .model_choice import ensure_listed, readable_models
from .paid_generation import charged, numbered, save_lock, save_output
from .ports import Credentials

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

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.prompt, max_tokens=self.max_tokens, images=1,
                         lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class SavedImage:
    """One generated image in the output store under ``name``; ``preview`` is the small inline copy, ``full`` the
    original bytes if inlined."""

    name: str
    size: int
    mime: str
    width: int | None = None
    height: int | None = None
    preview: PreparedImage | None = None
    full: bytes | None = None
    file_id: str | None = None


@dataclass(frozen=True, slots=True)
class ImageGenerationResult:
    images: tuple[SavedImage, ...]
    model: str
    text: str = ""
    provider: str | None = None
    usage: Usage | None = None
    notes: tuple[str, ...] = ()

    @property
    def cost(self) -> Decimal | None:
        return self.usage.cost if self.usage else None

    @property
    def billing(self) -> Billing:
        return Billing(model=self.model, cost_usd=self.cost)


class GenerateImage:
    """Generates images from a prompt (optionally edits reference images) and saves every one.

    Why this order: generation is billed, so everything that can fail for free fails first —
    the key (CONFIGURATION), the arguments (INVALID_INPUT via ``ImageRequest``), the save
    target (``OutputStore.reserve``: UNSAFE_PATH outside the output root, INVALID_INPUT for an
    existing file without ``overwrite``, CONFIGURATION for an output directory that is missing,
    read-only or full), each reference image (loaded through ``MediaLoader``:
    sandbox, SSRF guard, size caps — http(s) URLs are downloaded by us rather than passed on, so
    one guard and one set of limits applies and the model never fetches arbitrary URLs), and a
    model the catalogue says cannot output images (INVALID_INPUT). A reply without images is
    UPSTREAM_REFUSED quoting the model's text. Saved images get the extension of their real
    format; previews are made off the event loop. A failure after the upstream was paid carries
    its ``billing``, so the pipeline audits and charges the real cost. Each saved image then joins the
    caller's ``ImageLibrary`` (so "make it bluer" can name it as INDEX_1); a library that cannot take it
    adds a note, never an error, because the image is paid and saved.
    """

    def __init__(self, *, generator: ImageGenerator, outputs: OutputSpaces, loader: MediaSource,
                 preparer: ImagePreparer, previewer: ImagePreviewer, catalog: ModelCatalog,
                 credentials: Credentials, defaults: ImageDefaults, library: ImageLibrary | None = None) -> None:
        self._generator = generator
        self._outputs = outputs
        self._loader = loader
        self._preparer = preparer
        self._previewer = previewer
        self._catalog = catalog
        self._credentials = credentials
        self._defaults = defaults
        self._library = library

    async def __call__(self, call: ToolCall[GenerateImageCommand]) -> ImageGenerationResult:
        self._credentials.ensure_configured()
        command = call.command
        store = self._outputs.for_caller(call.caller)
        refs = tuple(dict.fromkeys(command.reference_images))
        if len(refs) > MAX_REFERENCE_IMAGES:
            raise InvalidInput(f"at most {MAX_REFERENCE_IMAGES} reference_images per call; got {len(refs)}.")
        model = ModelId.parse(command.model or self._defaults.model)
        request = ImageRequest(model=model, prompt=command.prompt, aspect_ratio=command.aspect_ratio,
                               image_size=command.image_size, modalities=command.modalities or IMAGE_MODALITIES,
                               max_tokens=command.max_tokens)
        target = await store.reserve(command.save_path, stem="image", extension="png", overwrite=command.overwrite)
        urls = [await self._reference(index, raw, call.caller) for index, raw in enumerate(refs)]
        await self._check_model(model)
        request = replace(request, reference_images=tuple(urls), attribution=call.attribution)
        result = await self._generator.generate(request)
        paid = Billing(model=result.model, cost_usd=result.usage.cost if result.usage else None)
        if not result.images:
            quoted = " ".join(result.text.split())[:REFUSAL_QUOTE_CHARS]
            said = f"; it said: '{quoted}'" if quoted else " and no text"
            raise UpstreamError(
                f"the model returned no image{said}. Rephrase the prompt, or choose an image model "
                "(search_models with output=['image']).", code=ErrorCode.UPSTREAM_REFUSED,
                details={"reason": "no_image_in_response", "finish_reason": result.finish_reason}, billing=paid)
        notes: list[str] = []
        with charged(paid):
            saved = [await self._save(store, image, n, target, command, notes)
                     for n, image in enumerate(result.images, 1)]
        saved = [await self._join_library(call.caller, image, data.data, notes)
                 for image, data in zip(saved, result.images, strict=True)]
        return ImageGenerationResult(images=tuple(saved), model=result.model, text=result.text,
                                     provider=result.provider, usage=result.usage, notes=tuple(notes))

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

    async def _join_library(self, caller: Caller, image: SavedImage, data: bytes, notes: list[str]) -> SavedImage:
        if self._library is None:
            return image
        try:
            entry = await self._library.add(caller, name=image.name.rsplit("/", 1)[-1], data=data, mime=image.mime)
        except OpenRouterMcpError as exc:
            notes.append(f"{image.name} was saved but not added to your image library ({exc.message}).")
            return image
        return replace(image, file_id=entry.file_id) if entry is not None else image

    async def _check_model(self, model: ModelId) -> None:
        ensure_listed(model, await readable_models(self._catalog))
        try:
            card = await self._catalog.get(str(model))
        except UpstreamError:
            return
        if card is not None and not card.produces("image"):
            raise InvalidInput(
                f"model '{model}' does not output images: use e.g. {self._defaults.model}, "
                "or find one with search_models output=['image'].", suggestions=(self._defaults.model,))

    async def _save(self, store: OutputStore, image: GeneratedImage, n: int, target: str,
                    command: GenerateImageCommand, notes: list[str]) -> SavedImage:
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
        name = await save_output(store, target, wanted, image.data, overwrite=command.overwrite, stem="image")
        preview = None
        if width is not None:
            try:
                preview = await self._previewer.preview(image.data,
                                                        max_dimension=self._defaults.preview_max_dimension)
            except OpenRouterMcpError as exc:
                notes.append(f"no preview for image {n}: {exc.message}")
        full = None
        if command.return_full:
            if len(image.data) <= self._defaults.inline_max_bytes:
                full = image.data
            else:
                notes.append(f"image {n} ({len(image.data)} bytes) is over {setting('image_inline_max_bytes')} "
                             f"({self._defaults.inline_max_bytes}), so it is not inline: open the saved file.")
        return SavedImage(name=name, size=len(image.data), mime=mime, width=width, height=height,
                          preview=preview, full=full)
