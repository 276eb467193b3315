"""Which models each dedicated endpoint serves: the chat catalogue plus the per-endpoint listings, all cached."""

from __future__ import annotations

import enum

from ..domain.model_card import ModelCard
from ..domain.model_id import ModelId
from .model_catalog import ModelCatalog
from .model_choice import card_in, ensure_listed, readable_models


class Listing(enum.StrEnum):
    """``chat``: ``GET /models`` (text-output models only, OpenRouter's default); the others are dedicated."""

    CHAT = "chat"
    IMAGES = "images"
    SPEECH = "speech"
    TRANSCRIPTION = "transcription"
    EMBEDDINGS = "embeddings"


class MediaModels:
    """The catalogue of every route, for routing a call and checking its model before paying.

    ``GET /models`` lists only text-output models unless asked otherwise, so image-only, speech,
    transcription and embedding models are looked up in their own listings (``/images/models``,
    ``/models?output_modalities=speech|transcription``, ``/embeddings/models``), each cached like the
    catalogue. A listing that cannot be read is None: the caller then lets the upstream decide.
    """

    def __init__(self, *, catalog: ModelCatalog, listings: dict[Listing, ModelCatalog]) -> None:
        self._catalogs = {Listing.CHAT: catalog, **listings}

    async def listing(self, which: Listing) -> dict[str, ModelCard] | None:
        return await readable_models(self._catalogs[which])

    async def card(self, model: ModelId, which: Listing) -> ModelCard | None:
        return card_in(await self.listing(which), model)

    async def ensure_listed(self, model: ModelId, *listings: Listing) -> None:
        """MODEL_NOT_FOUND (closest ids) when every readable listing named answers and none lists ``model``."""
        merged: dict[str, ModelCard] = {}
        for which in listings:
            models = await self.listing(which)
            if models is None:
                return
            merged.update(models)
        ensure_listed(model, merged)
