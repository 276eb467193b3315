"""The model catalogue cache: a TTL over the upstream list, with coalesced refreshes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ..domain.model_card import ModelCard
from .ports import Clock, ModelCatalogSource


class ModelCatalog:
    """Caches ``ModelCatalogSource`` for ``ttl_seconds``.

    Concurrent callers during a refresh await the same in-flight request, so a burst of
    tool calls costs one upstream ``GET /models``. A failed refresh (the source raises for a
    reply that does not parse, such as a maintenance page) releases the slot, caches nothing
    and re-raises; the last good list is served (rather than failing the tool) when one exists.
    An empty list is cached like any other, so it cannot hot-loop, but it never replaces a
    non-empty list: an upstream catalogue does not legitimately shrink to nothing.
    """

    def __init__(self, *, source: ModelCatalogSource, clock: Clock, ttl_seconds: float) -> None:
        self._source = source
        self._clock = clock
        self._ttl = ttl_seconds
        self._models: dict[str, ModelCard] | None = None
        self._fetched_at: float | None = None
        self._inflight: asyncio.Future[dict[str, ModelCard]] | None = None

    @property
    def cached_count(self) -> int:
        return len(self._models or {})

    def _fresh(self) -> bool:
        return self._fetched_at is not None and self._clock.monotonic() - self._fetched_at < self._ttl

    async def models(self) -> dict[str, ModelCard]:
        if self._models is not None and self._fresh():
            return self._models
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._refresh())
        inflight = self._inflight
        try:
            return await asyncio.shield(inflight)
        except Exception:
            if self._models is not None:
                return self._models
            raise
        finally:
            if inflight.done() and self._inflight is inflight:
                self._inflight = None

    async def _refresh(self) -> dict[str, ModelCard]:
        cards: Sequence[ModelCard] = await self._source.fetch_models()
        if cards or not self._models:
            self._models = {card.id: card for card in cards}
        self._fetched_at = self._clock.monotonic()
        return self._models or {}

    async def get(self, model_id: str) -> ModelCard | None:
        """The card for ``model_id``; a variant id (``x/y:nitro``) falls back to its base entry."""
        models = await self.models()
        return models.get(model_id) or models.get(model_id.split(":", 1)[0])

    def invalidate(self) -> None:
        self._fetched_at = None
