"""``ModelCatalog``: TTL caching, coalesced refreshes, failure handling, stale fallback."""

from __future__ import annotations

import asyncio

import pytest

from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.domain.errors import UpstreamError
from tests.fakes import FakeCatalogSource, FakeClock, card

pytestmark = pytest.mark.anyio

TTL = 60.0
CARDS = [card("openai/gpt-4o"), card("google/gemini-2.5-flash")]


def make(source: FakeCatalogSource) -> tuple[ModelCatalog, FakeClock]:
    clock = FakeClock()
    return ModelCatalog(source=source, clock=clock, ttl_seconds=TTL), clock


async def test_models_are_keyed_by_id() -> None:
    catalog, _ = make(FakeCatalogSource(CARDS))
    models = await catalog.models()
    assert list(models) == ["openai/gpt-4o", "google/gemini-2.5-flash"]
    assert models["openai/gpt-4o"] is CARDS[0]
    assert catalog.cached_count == 2


async def test_fresh_list_is_served_from_cache_within_ttl() -> None:
    source = FakeCatalogSource(CARDS)
    catalog, clock = make(source)
    await catalog.models()
    clock.advance(TTL - 0.5)
    await catalog.models()
    assert await catalog.get("openai/gpt-4o") is CARDS[0]
    assert source.calls == 1


async def test_list_is_refetched_after_ttl() -> None:
    source = FakeCatalogSource(CARDS)
    catalog, clock = make(source)
    await catalog.models()
    clock.advance(TTL)
    source.cards = [card("new/model")]
    models = await catalog.models()
    assert source.calls == 2
    assert list(models) == ["new/model"]


async def test_concurrent_callers_share_one_upstream_fetch() -> None:
    gate = asyncio.Event()
    source = FakeCatalogSource(CARDS, gate=gate)
    catalog, _ = make(source)
    tasks = [asyncio.ensure_future(catalog.models()) for _ in range(4)]
    for _ in range(10):
        await asyncio.sleep(0)
    assert source.calls == 1
    assert not any(task.done() for task in tasks)
    gate.set()
    results = await asyncio.gather(*tasks)
    assert source.calls == 1
    assert all(result == results[0] for result in results)
    assert list(results[0]) == ["openai/gpt-4o", "google/gemini-2.5-flash"]


async def test_concurrent_callers_all_see_a_failed_fetch_and_the_next_call_retries() -> None:
    gate = asyncio.Event()
    source = FakeCatalogSource(CARDS, gate=gate, error=UpstreamError("models unavailable"))
    catalog, _ = make(source)
    tasks = [asyncio.ensure_future(catalog.models()) for _ in range(3)]
    for _ in range(10):
        await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, UpstreamError) and r.message == "models unavailable" for r in results)
    assert source.calls == 1
    source.error = None
    assert list(await catalog.models()) == ["openai/gpt-4o", "google/gemini-2.5-flash"]
    assert source.calls == 2


async def test_a_failure_releases_the_slot_so_the_next_call_retries() -> None:
    source = FakeCatalogSource(CARDS, error=UpstreamError("boom"))
    catalog, _ = make(source)
    with pytest.raises(UpstreamError, match="boom"):
        await catalog.models()
    assert catalog.cached_count == 0
    source.error = None
    assert len(await catalog.models()) == 2
    assert source.calls == 2


async def test_stale_list_is_served_when_a_refresh_fails() -> None:
    source = FakeCatalogSource(CARDS)
    catalog, clock = make(source)
    first = await catalog.models()
    clock.advance(TTL + 1)
    source.error = UpstreamError("boom")
    assert await catalog.models() == first
    assert source.calls == 2
    source.error = None
    source.cards = [card("new/model")]
    assert list(await catalog.models()) == ["new/model"]
    assert source.calls == 3


async def test_an_empty_list_is_cached_like_any_other() -> None:
    source = FakeCatalogSource([])
    catalog, clock = make(source)
    assert await catalog.models() == {}
    assert await catalog.models() == {}
    assert await catalog.get("openai/gpt-4o") is None
    assert source.calls == 1
    clock.advance(TTL)
    await catalog.models()
    assert source.calls == 2


async def test_an_empty_refresh_keeps_the_last_good_list_without_hot_looping() -> None:
    source = FakeCatalogSource(CARDS)
    catalog, clock = make(source)
    first = await catalog.models()
    clock.advance(TTL + 1)
    source.cards = []
    assert await catalog.models() == first
    assert await catalog.models() == first
    assert source.calls == 2


async def test_invalidate_forces_a_refetch() -> None:
    source = FakeCatalogSource(CARDS)
    catalog, _ = make(source)
    await catalog.models()
    catalog.invalidate()
    await catalog.models()
    assert source.calls == 2
