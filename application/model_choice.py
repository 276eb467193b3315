"""Choosing a default model from configuration and the catalogue."""

from __future__ import annotations

from ..domain.errors import InvalidInput
from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from .model_catalog import ModelCatalog


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
