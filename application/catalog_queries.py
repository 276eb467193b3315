"""Use cases over the model catalogue: search, look up, validate."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..domain.errors import InvalidInput, ModelNotFound
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from .call import ToolCall
from .model_catalog import ModelCatalog
from .model_choice import card_in

MAX_PAGE = 50


@dataclass(frozen=True, slots=True)
class ModelSearch:
    query: str | None = None
    provider: str | None = None
    input_modalities: tuple[str, ...] = ()
    output_modalities: tuple[str, ...] = ()
    free_only: bool = False
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ModelPage:
    results: tuple[ModelCard, ...]
    offset: int
    limit: int
    total: int
    next_offset: int | None = field(default=None)

    @property
    def has_more(self) -> bool:
        return self.next_offset is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "results": [card.summary() for card in self.results],
            "offset": self.offset,
            "limit": self.limit,
            "total": self.total,
            "has_more": self.has_more,
            "next_offset": self.next_offset,
        }


def _matches(card: ModelCard, search: ModelSearch) -> bool:
    if search.query:
        haystack = f"{card.id} {card.name}".lower()
        if not all(word in haystack for word in search.query.lower().split()):
            return False
    if search.provider and not card.id.lower().startswith(search.provider.lower().rstrip("/") + "/"):
        return False
    if not all(card.accepts(m) for m in search.input_modalities):
        return False
    if not all(card.produces(m) for m in search.output_modalities):
        return False
    return not (search.free_only and not card.is_free)


class SearchModels:
    """Filters the cached catalogue and pages through it; costs nothing upstream but one cached list."""

    def __init__(self, *, catalog: ModelCatalog) -> None:
        self._catalog = catalog

    async def __call__(self, call: ToolCall[ModelSearch]) -> ModelPage:
        search = call.command
        if not 1 <= search.limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}, got {search.limit}.")
        if search.offset < 0:
            raise InvalidInput(f"offset must be 0 or more, got {search.offset}.")
        models = await self._catalog.models()
        hits = [card for card in models.values() if _matches(card, search)]
        page = tuple(hits[search.offset : search.offset + search.limit])
        end = search.offset + search.limit
        return ModelPage(page, search.offset, search.limit, len(hits), end if end < len(hits) else None)


def _close_ids(raw: str, models: dict[str, ModelCard]) -> list[str]:
    return difflib.get_close_matches(raw, list(models), n=3, cutoff=0.5)


@dataclass(frozen=True, slots=True)
class ModelQuery:
    """One model id as a caller typed it (get_model_info, validate_model)."""

    model: str


class GetModelInfo:
    """Looks one model up; variant suffixes (``:free``, ``:nitro``…) resolve to their base entry."""

    def __init__(self, *, catalog: ModelCatalog) -> None:
        self._catalog = catalog

    async def __call__(self, call: ToolCall[ModelQuery]) -> ModelCard:
        model_id = ModelId.parse(call.command.model)
        models = await self._catalog.models()
        card = card_in(models, model_id)
        if card is None:
            close = _close_ids(str(model_id), models)
            hint = f" Did you mean {', '.join(close)}?" if close else " Use search_models to find one."
            raise ModelNotFound(f"model '{model_id}' is not in the OpenRouter catalogue.{hint}",
                                suggestions=tuple(close))
        return card


@dataclass(frozen=True, slots=True)
class Validation:
    valid: bool
    model: str
    reason: str | None = None
    suggestions: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"valid": self.valid, "model": self.model}
        if self.reason:
            body["reason"] = self.reason
        if self.suggestions:
            body["suggestions"] = list(self.suggestions)
        return body


class ValidateModel:
    """Says whether a model id can be used; an unknown or malformed id is ``valid: false``, not an error."""

    def __init__(self, *, catalog: ModelCatalog) -> None:
        self._catalog = catalog

    async def __call__(self, call: ToolCall[ModelQuery]) -> Validation:
        raw_model = call.command.model
        try:
            model_id = ModelId.parse(raw_model)
        except InvalidInput as exc:
            return Validation(False, raw_model, reason=exc.message)
        models = await self._catalog.models()
        if str(model_id) in models or model_id.base in models:
            return Validation(True, str(model_id))
        return Validation(False, str(model_id), reason="not in the OpenRouter catalogue",
                          suggestions=tuple(_close_ids(str(model_id), models)))
