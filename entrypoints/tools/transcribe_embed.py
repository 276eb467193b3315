"""The tools transcribe_audio (speech to text) and embed_texts (vectors for texts).

No ``from __future__ import annotations``: ``register`` builds the audio source type from the configured
data-URL cap, and the SDK resolves such local types only from evaluated annotations.
"""

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ContentBlock, ToolAnnotations
from pydantic import Field

from ...domain.embeddings import MAX_DIMENSIONS, MAX_TEXT_CHARS, MAX_TEXTS
from ...domain.media import MediaKind
from ...domain.transcription import TRANSCRIPT_FORMATS
from ...domain.usage import Usage
from ..output_resources import stored_link
from ..presenters import guarded, success, text, usage_meta, usd
from .fields import SavePath, model_defaulting_to
from .registry import ToolRegistry

if TYPE_CHECKING:
    from ...application.embedding import EmbeddingsOutput
    from ...application.job_ports import OutputStore
    from ...application.transcription import TranscriptionResult

TranscriptFormat = Literal["text", "json", "srt", "vtt", "verbose_json"]
assert get_args(TranscriptFormat) == TRANSCRIPT_FORMATS

PAID_WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)

TRANSCRIBE = """Speech to text for an audio path, URL or data: URL. Paid per second. format: text, json, verbose_json (timestamps), srt or vtt (saved, linked). language: ISO code, else detected. Long WAV is split.
To ask about audio use analyze_audio."""

EMBED = """Embedding vectors for up to 256 texts. Paid. dimensions: shorter vectors, where the model supports it. Vectors in structuredContent when small, else a JSON-lines file, linked.
To rank documents for one query use rerank_documents."""


def _meta(model: str, provider: str | None, usage: Usage | None) -> dict[str, Any]:
    """Every paid result names its cost in USD, null when neither the reply nor the generation record had it."""
    cost = usage.cost if usage else None
    return {"model": model, "provider": provider, **usage_meta(usage),
            "cost_usd": usd(cost)}


def present_transcript(result: "TranscriptionResult", store: "OutputStore") -> CallToolResult:
    transcript = result.transcript
    meta = {**_meta(transcript.model, transcript.provider, transcript.usage), "format": result.format,
            "language": transcript.language, "duration_s": transcript.duration_s, "pieces": result.pieces,
            "segments": len(transcript.segments)}
    content: list[ContentBlock] = []
    structured = None
    if result.name is not None:
        path = store.display(result.name)
        meta["saved_paths"] = [path]
        mime = "application/x-subrip" if result.format == "srt" else "text/vtt"
        size = len(result.rendered.encode())
        content = [text(f"Saved {result.format} to {path}.\n{transcript.text}"),
                   *filter(None, [stored_link(store, result.name, mime, size, f"Transcript ({result.format})")])]
    elif result.format in ("json", "verbose_json"):
        structured = json.loads(result.rendered)
        content = [text(result.rendered)]
    else:
        content = [text(result.rendered)]
    if result.notes:
        meta["notes"] = list(result.notes)
        content.append(text("\n".join(result.notes)))
    if transcript.generation_id:
        meta["generation_id"] = transcript.generation_id
    return success(content, meta, structured=structured)


def present_embeddings(output: "EmbeddingsOutput", store: "OutputStore") -> CallToolResult:
    result = output.result
    meta = {**_meta(result.model, result.provider, result.usage), "dimensions": output.dimensions,
            "count": len(output.vectors)}
    if result.generation_id:
        meta["generation_id"] = result.generation_id
    cost = f"${result.cost}" if result.cost is not None else "not reported"
    lines = [f"Embedded {len(output.vectors)} texts with {result.model}: {output.dimensions} dimensions; "
             f"cost {cost}."]
    structured: dict[str, Any] = {"model": result.model, "dimensions": output.dimensions,
                                  "count": len(output.vectors)}
    content: list[ContentBlock] = []
    if output.name is not None:
        path = store.display(output.name)
        meta["saved_paths"] = [path]
        structured["saved_path"] = path
        lines.append(f"Vectors saved to {path} (JSON lines: index, embedding).")
    if output.inline:
        structured["embeddings"] = output.vectors
        lines.append("Vectors are in structuredContent.embeddings, in input order.")
    content.append(text("\n".join(lines)))
    if output.name is not None:
        content += filter(None, [stored_link(store, output.name, "application/jsonl", output.size,
                                           "Embeddings (JSON lines)")])
    return success(content, meta, structured=structured)


def register(registry: ToolRegistry) -> None:
    Audio = Annotated[str, Field(max_length=registry.source_max_chars(MediaKind.AUDIO))]

    async def transcribe_audio(
        ctx: Context,
        audio: Audio,
        model: Annotated[str | None, model_defaulting_to("openai/whisper-large-v3")] = None,
        language: Annotated[str | None, Field(max_length=3, pattern=r"^[a-z]{2,3}$")] = None,
        format: TranscriptFormat = "text",
        save_path: SavePath = None,
        overwrite: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.transcription import TranscribeAudioCommand

            result = await registry.dispatch("transcribe_audio", TranscribeAudioCommand(
                audio=audio, model=model, language=language, format=format, save_path=save_path,
                overwrite=overwrite), ctx, progress=True)
            return present_transcript(result, registry.outputs(ctx))

        return await guarded("transcribe_audio", body)

    async def embed_texts(
        ctx: Context,
        texts: Annotated[list[Annotated[str, Field(max_length=MAX_TEXT_CHARS)]],
                         Field(min_length=1, max_length=MAX_TEXTS)],
        model: Annotated[str | None, model_defaulting_to("openai/text-embedding-3-small")] = None,
        dimensions: Annotated[int | None, Field(ge=1, le=MAX_DIMENSIONS)] = None,
        save_path: SavePath = None,
        overwrite: bool = False,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.embedding import EmbedTextsCommand

            result = await registry.dispatch("embed_texts", EmbedTextsCommand(
                texts=tuple(texts), model=model, dimensions=dimensions, save_path=save_path, overwrite=overwrite),
                ctx)
            return present_embeddings(result, registry.outputs(ctx))

        return await guarded("embed_texts", body)

    registry.add(transcribe_audio, title="Transcribe audio", description=TRANSCRIBE, annotations=PAID_WRITE)
    registry.add(embed_texts, title="Embed texts", description=EMBED, annotations=PAID_WRITE)
