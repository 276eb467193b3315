"""The tools generate_image, generate_audio and rerank_documents.

No ``from __future__ import annotations``: ``register`` builds the reference-image type from the
configured data-URL cap, and the SDK resolves such local types only from evaluated annotations.
"""

import base64
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from mcp.server.mcpserver import Context
from mcp.types import AudioContent, CallToolResult, ContentBlock, ImageContent, ResourceLink, ToolAnnotations
from pydantic import BaseModel, Field

from ...application.image_generation import GenerateImageCommand, ImageGenerationResult
from ...application.job_ports import OutputStore
from ...application.rerank import RerankCommand
from ...application.speech_generation import GenerateAudioCommand, SpeechResult
from ...domain.generation import ASPECT_RATIOS, AUDIO_FORMATS, IMAGE_SIZES
from ...domain.media import MediaKind
from ..output_resources import resource_link
from ..presenters import guarded, success, text, usage_meta
from .fields import MODEL_MAX, TEXT_MAX, MaxTokens, SavePath
from .registry import ToolRegistry

GENERATE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
RERANK = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

AspectRatio = Literal["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "1:4", "4:1", "1:8", "8:1"]
ImageSize = Literal["0.5K", "1K", "2K", "4K"]
AudioFormat = Literal["wav", "mp3", "flac", "opus", "pcm16"]
assert get_args(AspectRatio) == ASPECT_RATIOS and get_args(ImageSize) == IMAGE_SIZES
assert get_args(AudioFormat) == AUDIO_FORMATS

IMAGE = """Create an image from a prompt, or edit up to 8 reference_images (input-folder paths, http(s) or data: URLs). Paid, often a few cents. To describe an image use analyze_image.
Each image is saved under OPENROUTER_OUTPUT_DIR: save_path is relative to it (else auto-named), its extension follows the real format, and an existing file is replaced only with overwrite: true.
Returns the absolute path, size and cost, a preview (long edge 1024 px), a resource_link, and the full image only with return_full (size-capped).
Errors: INVALID_INPUT, UNSAFE_PATH, UPSTREAM_REFUSED (no image; quotes the model's text), CONFIGURATION."""

AUDIO = """Speak a prompt aloud (or make music) with an audio-output model. Paid per token, usually under a cent. To transcribe audio use analyze_audio.
Saved under OPENROUTER_OUTPUT_DIR like generate_image (save_path relative, extension follows the real format, replaced only with overwrite: true); pcm16 becomes a mono 24 kHz WAV.
Returns path, format, size, duration, transcript, a resource_link and the audio inline when small (OPENROUTER_AUDIO_INLINE_MAX_BYTES).
Errors: INVALID_INPUT (e.g. unknown format), UNSAFE_PATH, UPSTREAM_REFUSED (no audio), UPSTREAM_HTTP (error mid-stream), CONFIGURATION."""

RERANK_DESCRIPTION = """Order documents by relevance to a query with a rerank model. Paid per search, a fraction of a cent.
Use to pick passages worth sending to chat_completion; it writes no text.
Results are best first: input index and score; top_n keeps the best n; text only with return_documents.
Errors: INVALID_INPUT, MODEL_NOT_FOUND, UPSTREAM_HTTP, CONFIGURATION."""



def _model(default: str) -> Any:
    return Field(max_length=MODEL_MAX, description=f"Default {default}.")


class RerankItem(BaseModel):
    index: int
    score: float
    document: str | None = None


class RerankOutput(BaseModel):
    model: str
    results: list[RerankItem]


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MiB"


def _served(model: str, provider: str | None, cost: Decimal | None) -> str:
    via = f" via {provider}" if provider else ""
    return f"Model {model}{via}; cost {'$' + str(cost) if cost is not None else 'not reported'}."


def _link(store: OutputStore, name: str, mime: str, size: int, description: str) -> list[ContentBlock]:
    if not store.contains(name):  # saved outside the output root (OPENROUTER_ALLOW_UNSAFE_PATHS=1): no resource
        return []
    link: ResourceLink = resource_link(name, mime, size, description)
    return [link]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def present_image(result: ImageGenerationResult, store: OutputStore) -> CallToolResult:
    lines, previews, links, full = [], [], [], []
    paths = [store.display(image.name) for image in result.images]
    for image, path in zip(result.images, paths, strict=True):
        dims = f"{image.width}x{image.height} px, " if image.width is not None else ""
        lines.append(f"Saved image to {path} ({dims}{_size(image.size)}, {image.mime}).")
        if image.file_id:
            lines.append(f"Added to your image library as {image.file_id}.")
        if image.preview is not None:
            previews.append(ImageContent(type="image", data=_b64(image.preview.data), mime_type=image.preview.mime))
        links += _link(store, image.name, image.mime, image.size, "Full-resolution generated image")
        if image.full is not None:
            full.append(ImageContent(type="image", data=_b64(image.full), mime_type=image.mime))
    lines.append(_served(result.model, result.provider, result.cost))
    if result.text.strip():
        lines.append(f"Model text: {result.text.strip()}")
    lines += result.notes
    meta: dict[str, Any] = {
        "model": result.model, "provider": result.provider, **usage_meta(result.usage),
        "saved_paths": paths,
        "images": [{"path": p, "bytes": i.size, "mime": i.mime, "width": i.width, "height": i.height,
                    "preview_mime": i.preview.mime if i.preview else None, "file_id": i.file_id}
                   for i, p in zip(result.images, paths, strict=True)],
    }
    if result.notes:
        meta["notes"] = list(result.notes)
    return success([text("\n".join(lines)), *previews, *links, *full], meta)


def present_audio(result: SpeechResult, store: OutputStore) -> CallToolResult:
    duration = f", {result.duration_s:.2f} s" if result.duration_s is not None else ""
    path = store.display(result.name)
    lines = [f"Saved audio to {path} ({result.format}, {_size(result.size)}{duration})."]
    if result.transcript:
        lines.append(f"Transcript: {result.transcript}")
    lines.append(_served(result.model, result.provider, result.cost))
    lines += result.notes
    content: list[ContentBlock] = [text("\n".join(lines))]
    content += _link(store, result.name, result.mime, result.size, "Generated audio")
    if result.inline is not None:
        content.append(AudioContent(type="audio", data=_b64(result.inline), mime_type=result.mime))
    meta: dict[str, Any] = {"model": result.model, "provider": result.provider, **usage_meta(result.usage),
                            "saved_paths": [path], "format": result.format, "mime": result.mime,
                            "bytes": result.size, "duration_s": result.duration_s}
    if result.notes:
        meta["notes"] = list(result.notes)
    return success(content, meta)


def register(registry: ToolRegistry) -> None:
    image_max = registry.source_max_chars(MediaKind.IMAGE)
    References = list[Annotated[str, Field(max_length=image_max)]] | None

    async def generate_image(
        ctx: Context,
        prompt: Annotated[str, Field(max_length=TEXT_MAX)],
        model: Annotated[str | None, _model("google/gemini-2.5-flash-image")] = None,
        aspect_ratio: AspectRatio | None = None,
        image_size: ImageSize | None = None,
        reference_images: Annotated[References, Field(max_length=8)] = None,
        input_images: Annotated[References, Field(max_length=8)] = None,
        reference_image_url: Annotated[str | None, Field(max_length=image_max)] = None,
        reference_image_urls: Annotated[References, Field(max_length=8)] = None,
        modalities: Annotated[list[Literal["image", "text"]] | None, Field(max_length=2)] = None,
        max_tokens: MaxTokens = None,
        save_path: SavePath = None,
        overwrite: bool = False,
        return_full: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            refs = tuple(dict.fromkeys([*(reference_images or ()), *(input_images or ()),
                                        *([reference_image_url] if reference_image_url else ()),
                                        *(reference_image_urls or ())]))
            result = await registry.dispatch("generate_image", GenerateImageCommand(
                prompt=prompt, model=model, aspect_ratio=aspect_ratio, image_size=image_size, reference_images=refs,
                modalities=tuple(modalities or ()), max_tokens=max_tokens, save_path=save_path, overwrite=overwrite,
                return_full=return_full), ctx)
            return present_image(result, registry.outputs(ctx))

        return await guarded("generate_image", body)

    async def generate_audio(
        ctx: Context,
        prompt: Annotated[str, Field(max_length=TEXT_MAX, description="What to say or perform.")],
        model: Annotated[str | None, _model("openai/gpt-audio")] = None,
        voice: Annotated[str, Field(max_length=50, pattern=r"^[A-Za-z0-9_.-]+$",
                                    description="e.g. alloy, echo, nova.")] = "alloy",
        format: AudioFormat = "wav",
        save_path: SavePath = None,
        overwrite: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            result = await registry.dispatch("generate_audio", GenerateAudioCommand(
                prompt=prompt, model=model, voice=voice, format=format, save_path=save_path, overwrite=overwrite), ctx)
            return present_audio(result, registry.outputs(ctx))

        return await guarded("generate_audio", body)

    async def rerank_documents(
        ctx: Context,
        query: Annotated[str, Field(max_length=TEXT_MAX)],
        documents: Annotated[list[Annotated[str, Field(max_length=100_000)]], Field(min_length=1, max_length=1000)],
        model: Annotated[str | None, _model("cohere/rerank-v3.5")] = None,
        top_n: Annotated[int | None, Field(ge=1, le=1000)] = None,
        return_documents: bool = False,
    ) -> Annotated[CallToolResult, RerankOutput]:
        async def body() -> CallToolResult:
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
                 aliases=("input_images", "reference_image_url", "reference_image_urls"))
    registry.add(generate_audio, title="Generate audio", description=AUDIO, annotations=GENERATE)
    registry.add(rerank_documents, title="Rerank documents", description=RERANK_DESCRIPTION, annotations=RERANK)
