"""The catalogue tools: search_models, get_model_info, validate_model."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from ..presenters import guarded, success, text
from .registry import ToolRegistry

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
Modality = Literal["text", "image", "audio", "video", "file"]

SEARCH = """Find model ids by words, author and modality. Free. Use before paid tools to pick a model; get_model_info for one id.
query matches all words in id or name; provider is the id prefix; input=['video'] finds video understanding, output=['image'] image generation. Page with offset while has_more."""

INFO = """One model's card: context length, modalities, USD price per token, max output, supported parameters. Free.
Use when you know the id; search_models to discover. An unknown id is MODEL_NOT_FOUND with close matches."""

VALIDATE = """Check that a model id exists before spending on it. Free (cached catalogue).
model as chat_completion takes it ('author/slug', optionally ':free' or ':nitro'). Unknown: valid:false with a reason and close ids, never an error."""


class ModelDetail(BaseModel):

    model_config = ConfigDict(extra="allow")
    id: str


class ValidationResult(BaseModel):
    valid: bool
    model: str
    reason: str | None = None
    suggestions: list[str] | None = None


def register(registry: ToolRegistry) -> None:

    async def search_models(
        ctx: Context,
        query: Annotated[str | None, Field(max_length=200)] = None,
        provider: Annotated[str | None, Field(max_length=100, description="Author prefix, e.g. 'anthropic'.")] = None,
        input: Annotated[list[Modality] | None, Field(max_length=5, description="Required input modalities.")] = None,
        output: Annotated[list[Modality] | None, Field(max_length=5, description="Required output modalities.")] = None,
        free_only: bool = False,
        limit: Annotated[int, Field(ge=1, le=50)] = 20,
        offset: Annotated[int, Field(ge=0, le=100_000)] = 0,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            from ...application.catalog_queries import ModelSearch

            page = await registry.dispatch("search_models", ModelSearch(
                query=query, provider=provider, input_modalities=tuple(input or ()),
                output_modalities=tuple(output or ()), free_only=free_only, limit=limit, offset=offset), ctx)
            lines = [f"{c.id} — {c.name} (ctx {c.context_length}, in {'+'.join(c.input_modalities)}"
                     f"{', free' if c.is_free else ''})" for c in page.results]
            more = f" More: offset={page.next_offset}." if page.has_more else ""
            summary = f"{page.total} models match; showing {len(page.results)} from offset {page.offset}.{more}"
            return success([text("\n".join([summary, *lines]))], structured=page.as_dict())

        return await guarded("search_models", body)

    async def get_model_info(
        ctx: Context,
        model: Annotated[str, Field(min_length=1, max_length=200, description="e.g. 'google/gemini-2.5-flash'.")],
    ) -> Annotated[CallToolResult, ModelDetail]:
        async def body() -> CallToolResult:
            from ...application.catalog_queries import ModelQuery

            card = await registry.dispatch("get_model_info", ModelQuery(model), ctx)
            detail = card.detail()
            return success([text(f"{card.id}: {card.name}; context {card.context_length}; "
                                 f"in {'+'.join(card.input_modalities)} -> out {'+'.join(card.output_modalities)}; "
                                 f"pricing {detail['pricing']}")], structured=detail)

        return await guarded("get_model_info", body)

    async def validate_model(
        ctx: Context,
        model: Annotated[str, Field(min_length=1, max_length=200)],
    ) -> Annotated[CallToolResult, ValidationResult]:
        async def body() -> CallToolResult:
            from ...application.catalog_queries import ModelQuery

            verdict = await registry.dispatch("validate_model", ModelQuery(model), ctx)
            words = "is available" if verdict.valid else f"is not valid: {verdict.reason}"
            hint = f" Close matches: {', '.join(verdict.suggestions)}." if verdict.suggestions else ""
            return success([text(f"{verdict.model} {words}.{hint}")], structured=verdict.as_dict())

        return await guarded("validate_model", body)

    registry.add(search_models, title="Search models", description=SEARCH, annotations=READ_ONLY)
    registry.add(get_model_info, title="Get model info", description=INFO, annotations=READ_ONLY)
    registry.add(validate_model, title="Validate model id", description=VALIDATE, annotations=READ_ONLY)
