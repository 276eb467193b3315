"""Choosing a model from configuration and the catalogue, and naming close ids for one that does not exist."""

from __future__ import annotations

import difflib

from ..domain.errors import ErrorCode, InvalidInput, ModelNotFound, OpenRouterMcpError
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from .model_catalog import ModelCatalog


def card_in(models: dict[str, ModelCard] | None, model: ModelId) -> ModelCard | None:
    """``model``'s card in a listing, by its exact id or else its base id (without a ``:variant``)."""
    if not models:
        return None
    return models.get(str(model)) or models.get(model.base)


def best_free_model(models: dict[str, ModelCard], input_modality: str = "text") -> ModelCard | None:
    """The free text-output model accepting ``input_modality`` with the largest context window."""
    candidates = [
        card for card in models.values()
        if card.is_free and card.accepts(input_modality) and card.produces("text")
        and not card.id.startswith("openrouter/")
    ]
    return max(candidates, key=lambda c: (c.context_length or 0, c.id), default=None)


def cheapest_model(models: dict[str, ModelCard], input_modality: str) -> ModelCard | None:
    """When no free model takes ``input_modality``: the text-output one with the lowest prompt price."""
    candidates = [card for card in models.values()
                  if card.accepts(input_modality) and card.produces("text") and card.pricing.prompt is not None
                  and not card.id.startswith("openrouter/")]
    return min(candidates, key=lambda c: (c.pricing.prompt, c.id), default=None)


async def choose_model(
    requested: str | None,
    configured: str | None,
    catalog: ModelCatalog,
    input_modality: str = "text",
) -> tuple[ModelId, bool]:
    """Return the model to call and whether it was picked automatically.

    Order: the caller's model, then the configured default (used only if the catalogue
    says it accepts ``input_modality``), then the best free model that does, then the
    cheapest paid one that does.
    """
    if requested:
        return ModelId.parse(requested), False
    if configured:
        configured_id = ModelId.parse(configured)
        if input_modality == "text":
            return configured_id, False
        card = await catalog.get(str(configured_id))
        if card is None or card.accepts(input_modality):
            return configured_id, False
    models = await catalog.models()
    card = best_free_model(models, input_modality) or cheapest_model(models, input_modality)
    if card is None:
        raise InvalidInput(
            f"no model was given and the catalogue lists no model accepting {input_modality}: "
            "pass 'model' explicitly.",
            suggestions=("Use search_models to find a model",),
        )
    return ModelId.parse(card.id), True


def closest_ids(model_id: str, models: dict[str, ModelCard], n: int = 3) -> list[str]:
    """Up to ``n`` catalogue ids nearest to ``model_id`` (case-insensitive, also without the author part)."""
    wanted = model_id.lower()
    by_lower = {card_id.lower(): card_id for card_id in models}
    close = difflib.get_close_matches(wanted, list(by_lower), n=n, cutoff=0.6)
    if len(close) < n and "/" in wanted:
        slugs: dict[str, str] = {}
        for lowered in by_lower:
            slugs.setdefault(lowered.partition("/")[2], lowered)
        for slug in difflib.get_close_matches(wanted.partition("/")[2], list(slugs), n=n, cutoff=0.75):
            if slugs[slug] not in close:
                close.append(slugs[slug])
    return [by_lower[lowered] for lowered in close[:n]]


async def readable_models(catalog: ModelCatalog) -> dict[str, ModelCard] | None:
    """The catalogue, or None when it cannot be read (the upstream then decides about the model)."""
    try:
        return await catalog.models()
    except OpenRouterMcpError:
        return None


def ensure_listed(model: ModelId, models: dict[str, ModelCard] | None, source: str | None = None) -> None:
    """Fail before paying when the catalogue shows ``model`` does not exist: MODEL_NOT_FOUND with the closest ids.

    Only a catalogue that answered and is not empty can say so; otherwise the upstream decides (and
    ``suggest_close_models`` still names close ids if it refuses). ``source`` names the setting the id
    came from, when the caller did not pass it.
    """
    if not models or str(model) in models or model.base in models:
        return
    close = closest_ids(str(model), models)
    origin = f" (from {source})" if source else ""
    hint = f"did you mean {', '.join(close)}?" if close else "use search_models to find an available model id."
    raise ModelNotFound(f"model '{model}'{origin} is not in the OpenRouter catalogue: {hint}",
                        suggestions=tuple(close) or ("Use search_models to find a model id",))


async def suggest_close_models(exc: OpenRouterMcpError, model: ModelId, catalog: ModelCatalog) -> OpenRouterMcpError:
    """The upstream's MODEL_NOT_FOUND, with the closest catalogue ids added when it named none; other errors as
    they are. Never raises: a catalogue that cannot be read leaves the error unchanged."""
    if exc.code is not ErrorCode.MODEL_NOT_FOUND:
        return exc
    models = await readable_models(catalog)
    if not models or any(suggestion in models for suggestion in exc.suggestions):
        return exc
    close = [card_id for card_id in closest_ids(str(model), models) if card_id != str(model)]
    if close:
        exc.suggestions = (*close, *exc.suggestions)
        exc.message = f"{exc.message} Did you mean {', '.join(close)}?"
        exc.args = (exc.message,)
    return exc
