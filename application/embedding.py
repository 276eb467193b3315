"""The embed_texts use case: vectors for up to 256 texts, inline when small, else saved as JSON lines."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from decimal import Decimal

from ..domain.embeddings import EmbeddingRequest, EmbeddingResult
from ..domain.model_id import ModelId
from ..domain.paid_call import Billing, CallFacts
from .call import ToolCall
from .generation_costs import with_cost
from .generation_ports import CostLookup, Embedder
from .job_ports import OutputSpaces
from .media_models import Listing, MediaModels
from .paid_generation import charged, save_lock, save_output
from .ports import Credentials


@dataclass(frozen=True, slots=True)
class EmbeddingDefaults:
    """``inline_max_values``: vectors × dimensions returned in the result; more are saved as a file."""

    model: str = "openai/text-embedding-3-small"
    inline_max_values: int = 4096


@dataclass(frozen=True, slots=True)
class EmbedTextsCommand:
    texts: tuple[str, ...]
    model: str | None = None
    dimensions: int | None = None
    save_path: str | None = None
    overwrite: bool = False

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=" ".join(self.texts[:4]), lock_keys=save_lock(self.save_path))


@dataclass(frozen=True, slots=True)
class EmbeddingsOutput:
    """The embeddings; ``name`` is the saved JSON-lines file (one ``{"index", "embedding"}`` per line), if any;
    ``inline`` says whether the vectors belong in the tool result."""

    result: EmbeddingResult
    name: str | None = None
    inline: bool = True
    size: int = 0

    @property
    def vectors(self) -> list[list[float]]:
        return self.result.vectors

    @property
    def dimensions(self) -> int:
        return self.result.dimensions

    @property
    def model(self) -> str:
        return self.result.model

    @property
    def cost(self) -> Decimal | None:
        return self.result.cost

    @property
    def billing(self) -> Billing:
        return self.result.billing


def json_lines(vectors: list[list[float]]) -> bytes:
    return "".join(json.dumps({"index": i, "embedding": v}, separators=(",", ":")) + "\n"
                   for i, v in enumerate(vectors)).encode()


class EmbedTexts:
    """Embeds texts with an embedding model (``POST /embeddings``) for search, clustering or deduplication.

    Why: vectors are for comparing texts by meaning, not for reading, so small results go to
    ``structuredContent`` and large ones to a file the caller's code can load. How: the key, the
    bounds (at most 256 texts, 32,000 characters each, 1,000,000 in all: INVALID_INPUT), the model
    (MODEL_NOT_FOUND when the embeddings listing does not have it) and the save target are checked
    before the paid call. The cost is the reply's, else the generation record's. A failure to save
    after paying carries the call's ``billing``.
    """

    def __init__(self, *, embedder: Embedder, models: MediaModels, outputs: OutputSpaces, costs: CostLookup,
                 credentials: Credentials, defaults: EmbeddingDefaults) -> None:
        self._embedder = embedder
        self._models = models
        self._outputs = outputs
        self._costs = costs
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[EmbedTextsCommand]) -> EmbeddingsOutput:
        self._credentials.ensure_configured()
        command = call.command
        model = ModelId.parse(command.model or self._defaults.model)
        request = EmbeddingRequest(model=model, texts=tuple(command.texts), dimensions=command.dimensions,
                                   attribution=call.attribution)
        await self._models.ensure_listed(model, Listing.EMBEDDINGS)
        store = self._outputs.for_caller(call.caller)
        target = await store.reserve(command.save_path, stem="embeddings", extension="jsonl",
                                     overwrite=command.overwrite)
        result = await self._embedder.embed(request)
        result = replace(result, usage=await with_cost(result.usage, result.generation_id, self._costs))
        values = len(result.vectors) * result.dimensions
        if command.save_path is None and values <= self._defaults.inline_max_values:
            return EmbeddingsOutput(result=result)
        with charged(result.billing):
            data = await asyncio.to_thread(json_lines, result.vectors)
            name = await save_output(store, target, target, data, overwrite=command.overwrite, stem="embeddings")
        return EmbeddingsOutput(result=result, name=name, inline=values <= self._defaults.inline_max_values,
                                size=len(data))
