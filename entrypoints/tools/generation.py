"""The tools generate_image, generate_audio and rerank_documents.

No ``from __future__ import annotations``: ``register`` builds the reference-image type from the
configured data-URL cap, and the SDK resolves such local types only from evaluated annotations.
"""

import base64
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from mcp.server.mcpserver import Context
from mcp.types import AudioContent, CallToolResult, ContentBlock, ImageContent, ToolAnnotations
from pydantic import Field

from ...domain.generation import ASPECT_RATIOS, AUDIO_FORMATS, IMAGE_SIZES
from ...domain.image_options import MAX_VARIANTS, OUTPUT_FORMATS, QUALITIES, RESOLUTIONS
from ...domain.media import MediaKind
from ...domain.tts import SPEED_RANGE
from ..output_resources import stored_link
from ..presenters import guarded, success, text, usage_meta, usd
from .fields import TEXT_MAX, MaxTokens, SavePath, model_defaulting_to
from .registry import ToolRegistry

if TYPE_CHECKING:
    from ...application.image_generation import ImageGenerationResult
    from ...application.job_ports import OutputStore
    from ...application.speech_generation import SpeechResult

GENERATE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
RERANK = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

AspectRatio = Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8", "8:1"]
ImageSize = Literal["0.5K", "1K", "2K", "4K"]
Resolution = Literal["512", "1K", "2K", "4K"]
OutputFormat = Literal["png", "jpeg", "webp"]
Quality = Literal["auto", "low", "medium", "high"]
AudioFormat = Literal["wav", "mp3", "flac", "opus", "pcm16"]
assert get_args(AspectRatio) == ASPECT_RATIOS and get_args(ImageSize) == IMAGE_SIZES
assert get_args(AudioFormat) == AUDIO_FORMATS and get_args(Resolution) == RESOLUTIONS
assert get_args(OutputFormat) == OUTPUT_FORMATS and get_args(Quality) == QUALITIES

IMAGE = """Create images from a prompt, or edit reference_images (paths, URLs, data: URLs, get_user_images indexes). Paid. Models: search_models output=['image'].
n, seed, quality, output_format only where the model takes them. Saved (save_path relative; kept unless overwrite); returns paths, cost, previews, links.
Errors: INVALID_INPUT (option the model lacks: names models that take it), UNSAFE_PATH, UPSTREAM_REFUSED (no image)."""

AUDIO = """Make speech or music from a prompt (default: a chat audio model); TTS models add voice, speed, instructions. Paid. Transcription: transcribe_audio.
Saved in the output folder (PCM as WAV; files kept unless overwrite); returns path, duration, cost, link, inline audio when small."""

RERANK_DESCRIPTION = """Order documents by relevance to one query with a rerank model. Paid. Many queries: embed_texts.
Returns index and score, best first; text with return_documents."""


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def _served(model: str, provider: str | None, cost: Decimal | None) -> str:
    via = f" via {provider}" if provider else ""
    return f"Model {model}{via}; cost {'$' + str(cost) if cost is not None else 'not reported'}."


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _requested(result: "ImageGenerationResult") -> str:
    parts = [f"{result.requested_n} image{'s' if result.requested_n > 1 else ''}"]
    parts += [p for p in (result.requested_aspect_ratio, result.requested_resolution) if p]
    return " at ".join([parts[0], " ".join(parts[1:])]) if len(parts) > 1 else parts[0]


def present_image(result: "ImageGenerationResult", store: "OutputStore") -> CallToolResult:
    lines, previews, full = [], [], []
    links: list[ContentBlock] = []
    paths = [store.display(image.name) for image in result.images]
    if result.requested_n != 1 or len(result.images) != 1:
        lines.append(f"Asked for {_requested(result)} via the {result.route.value} route; got {len(result.images)}.")
    for image, path in zip(result.images, paths, strict=True):
        dims = f"{image.width}x{image.height} px ({image.aspect_ratio}), " if image.width is not None else ""
        lines.append(f"Saved image to {path} ({dims}{_size(image.size)}, {image.mime}).")
        if image.file_id:
            lines.append(f"Added to your image library as {image.file_id}.")
        if image.preview is not None:
            previews.append(ImageContent(type="image", data=_b64(image.preview.data), mime_type=image.preview.mime))
        links += filter(None, [stored_link(store, image.name, image.mime, image.size, "Full-resolution generated image")])
        if image.full is not None:
            full.append(ImageContent(type="image", data=_b64(image.full), mime_type=image.mime))
    lines.append(_served(result.model, result.provider, result.cost))
    if result.text.strip():
        lines.append(f"Model text: {result.text.strip()}")
    lines += result.notes
    meta: dict[str, Any] = {
        "model": result.model, "provider": result.provider, "route": result.route.value, **usage_meta(result.usage),
        "cost_usd": usd(result.cost),
        "requested": {"n": result.requested_n, "aspect_ratio": result.requested_aspect_ratio,
                      "resolution": result.requested_resolution},
        "saved_paths": paths,
        "images": [{"path": p, "bytes": i.size, "mime": i.mime, "width": i.width, "height": i.height,
                    "aspect_ratio": i.aspect_ratio, "preview_mime": i.preview.mime if i.preview else None,
                    "file_id": i.file_id}
                   for i, p in zip(result.images, paths, strict=True)],
    }
    if result.generation_id:
        meta["generation_id"] = result.generation_id
    if result.notes:
        meta["notes"] = list(result.notes)
    return success([text("\n".join(lines)), *previews, *links, *full], meta)


def present_audio(result: "SpeechResult", store: "OutputStore") -> CallToolResult:
    duration = f", {result.duration_s:.2f} s" if result.duration_s is not None else ""
    path = store.display(result.name)
    lines = [f"Saved audio to {path} ({result.format}, {_size(result.size)}{duration})."]
    if result.transcript:
        lines.append(f"Transcript: {result.transcript}")
    lines.append(_served(result.model, result.provider, result.cost))
    lines += result.notes
    content: list[ContentBlock] = [text("\n".join(lines))]
    content += filter(None, [stored_link(store, result.name, result.mime, result.size, "Generated audio")])
    if result.inline is not None:
        content.append(AudioContent(type="audio", data=_b64(result.inline), mime_type=result.mime))
    meta: dict[str, Any] = {"model": result.model, "provider": result.provider, "route": result.route,
                            **usage_meta(result.usage), "cost_usd": usd(result.cost), "saved_paths": [path], "format": result.format, "mime": result.mime,
                            "bytes": result.size, "duration_s": result.duration_s}
    if result.generation_id:
        meta["generation_id"] = result.generation_id
    if result.notes:
        meta["notes"] = list(result.notes)
    return success(content, meta)


def register(registry: ToolRegistry) -> None:
    image_max = registry.source_max_chars(MediaKind.IMAGE)
    References = list[Annotated[str, Field(max_length=image_max)]] | None

    async def generate_image(
        ctx: Context,
        prompt: Annotated[str, Field(max_length=TEXT_MAX)],
        model: Annotated[str | None, model_defaulting_to("google/gemini-2.5-flash-image")] = None,
        aspect_ratio: AspectRatio | None = None,
        resolution: Resolution | None = None,
        n: Annotated[int, Field(ge=1, le=MAX_VARIANTS)] = 1,
        seed: Annotated[int | None, Field(ge=0, le=2**32 - 1)] = None,
        output_format: OutputFormat | None = None,
        quality: Quality | None = None,
        reference_images: Annotated[References, Field(max_length=8)] = None,
        input_images: Annotated[References, Field(max_length=8)] = None,
        reference_image_url: Annotated[str | None, Field(max_length=image_max)] = None,
        reference_image_urls: Annotated[References, Field(max_length=8)] = None,
        max_tokens: MaxTokens = None,
        save_path: SavePath = None,
        overwrite: bool = False,
        return_full: bool = False,
        image_size: ImageSize | None = None,
        modalities: Annotated[list[Literal["image", "text"]] | None, Field(max_length=2)] = None,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.image_generation import GenerateImageCommand

            refs = tuple(dict.fromkeys([*(reference_images or ()), *(input_images or ()),
                                        *([reference_image_url] if reference_image_url else ()),
                                        *(reference_image_urls or ())]))
            result = await registry.dispatch("generate_image", GenerateImageCommand(
                prompt=prompt, model=model, aspect_ratio=aspect_ratio, image_size=image_size, resolution=resolution,
                n=n, seed=seed, output_format=output_format, quality=quality, reference_images=refs,
                modalities=tuple(modalities or ()), max_tokens=max_tokens, save_path=save_path, overwrite=overwrite,
                return_full=return_full), ctx)
            return present_image(result, registry.outputs(ctx))

        return await guarded("generate_image", body)

    async def generate_audio(
        ctx: Context,
        prompt: Annotated[str, Field(max_length=TEXT_MAX)],
        model: Annotated[str | None, model_defaulting_to("openai/gpt-audio")] = None,
        voice: Annotated[str | None, Field(max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")] = None,
        format: AudioFormat = "wav",
        speed: Annotated[float | None, Field(ge=SPEED_RANGE[0], le=SPEED_RANGE[1])] = None,
        instructions: Annotated[str | None, Field(max_length=2000)] = None,
        save_path: SavePath = None,
        overwrite: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.speech_generation import GenerateAudioCommand

            result = await registry.dispatch("generate_audio", GenerateAudioCommand(
                prompt=prompt, model=model, voice=voice, format=format, speed=speed, instructions=instructions,
                save_path=save_path, overwrite=overwrite), ctx)
            return present_audio(result, registry.outputs(ctx))

        return await guarded("generate_audio", body)

    async def rerank_documents(
        ctx: Context,
        query: Annotated[str, Field(max_length=TEXT_MAX)],
        documents: Annotated[list[Annotated[str, Field(max_length=100_000)]], Field(min_length=1, max_length=1000)],
        model: Annotated[str | None, model_defaulting_to("cohere/rerank-v3.5")] = None,
        top_n: Annotated[int | None, Field(ge=1, le=1000)] = None,
        return_documents: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.rerank import RerankCommand

            result = await registry.dispatch("rerank_documents", RerankCommand(
                query=query, documents=tuple(documents), model=model, top_n=top_n,
                return_documents=return_documents), ctx)
            items = [{"index": h.index, "score": h.score, **({"document": h.document} if h.document is not None else {})}
                     for h in result.hits]
            lines = [f"{rank}. document {h.index} (score {h.score:.3f})" + (f": {h.document}" if h.document is not None else "")
                     for rank, h in enumerate(result.hits, 1)]
            meta = {"model": result.model, "provider": result.provider, **usage_meta(result.usage)}
            return success([text("\n".join([f"Ranked {len(items)} documents with {result.model}:", *lines]))],
                           meta, structured={"model": result.model, "results": items})

        return await guarded("rerank_documents", body)

    registry.add(generate_image, title="Generate image", description=IMAGE, annotations=GENERATE,
                 aliases=("input_images", "reference_image_url", "reference_image_urls", "image_size", "modalities"))
    registry.add(generate_audio, title="Generate audio", description=AUDIO, annotations=GENERATE)
    registry.add(rerank_documents, title="Rerank documents", description=RERANK_DESCRIPTION, annotations=RERANK)
