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


async def choose_model(
    requested: str | None,
    configured: str | None,
    catalog: ModelCatalog,
    input_modality: str = "text",
) -> tuple[ModelId, bool]:
    """Return the model to call and whether it was picked automatically.

    Order: the caller's model, then the configured default (used only if the catalogue
    says it accepts ``input_modality``), then the best free model that does.
    """
    if requested:
        return ModelId.parse(requested), False
    if configured:
        configured_id = ModelId.parse(configured)
        if input_modality == "text":
            return configured_id, False
        card = await catalog.get(configured_id.base)
        if card is None or card.accepts(input_modality):
            return configured_id, False
    card = best_free_model(await catalog.models(), input_modality)
    if card is None:
        raise InvalidInput(
            f"no model was given and the catalogue lists no free model accepting {input_modality}: "
            "pass 'model' explicitly.",
            suggestions=("Use search_models to find a model",),
        )
    return ModelId.parse(card.id), True
