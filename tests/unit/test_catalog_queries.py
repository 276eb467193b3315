"""Catalogue use cases: search with filters and paging, model lookup, validation."""

from __future__ import annotations

import pytest

from openrouter_multimodal.application.catalog_queries import (
    MAX_PAGE,
    GetModelInfo,
    ModelQuery,
    ModelSearch,
    SearchModels,
    ValidateModel,
)
from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.domain.errors import InvalidInput, ModelNotFound
from tests.fakes import FakeCatalogSource, FakeClock, as_call, card

pytestmark = pytest.mark.anyio

CARDS = [
    card("openai/gpt-4o", name="OpenAI: GPT-4o", inputs=("text", "image", "file")),
    card("openai/gpt-4o-mini", name="OpenAI: GPT-4o-mini", inputs=("text", "image")),
    card("google/gemini-2.5-flash", name="Google: Gemini 2.5 Flash", inputs=("text", "image", "audio", "video")),
    card("google/gemini-2.5-flash-image", name="Google: Nano Banana", inputs=("text", "image"),
         outputs=("image", "text")),
    card("google/gemma-3-27b-it:free", name="Google: Gemma 3 27B (free)", prompt_price="0", completion_price="0"),
    card("anthropic/claude-sonnet-4", name="Anthropic: Claude Sonnet 4 (Thinking Edition)"),
]


@pytest.fixture
def catalog() -> ModelCatalog:
    return ModelCatalog(source=FakeCatalogSource(CARDS), clock=FakeClock(), ttl_seconds=60)


async def ids(catalog: ModelCatalog, **search: object) -> list[str]:
    page = await SearchModels(catalog=catalog)(as_call(ModelSearch(**search)))  # type: ignore[arg-type]
    return [c.id for c in page.results]


async def test_no_filters_lists_everything_in_catalogue_order(catalog: ModelCatalog) -> None:
    assert await ids(catalog) == [c.id for c in CARDS]


async def test_query_words_match_across_id_and_name_case_insensitively(catalog: ModelCatalog) -> None:
    assert await ids(catalog, query="CLAUDE thinking") == ["anthropic/claude-sonnet-4"]
    assert await ids(catalog, query="banana") == ["google/gemini-2.5-flash-image"]
    assert await ids(catalog, query="gpt mini") == ["openai/gpt-4o-mini"]
    assert await ids(catalog, query="gpt banana") == []


async def test_provider_is_an_id_prefix(catalog: ModelCatalog) -> None:
    google = ["google/gemini-2.5-flash", "google/gemini-2.5-flash-image", "google/gemma-3-27b-it:free"]
    assert await ids(catalog, provider="google") == google
    assert await ids(catalog, provider="Google/") == google
    assert await ids(catalog, provider="goog") == []


async def test_modality_filters(catalog: ModelCatalog) -> None:
    assert await ids(catalog, input_modalities=("audio",)) == ["google/gemini-2.5-flash"]
    assert await ids(catalog, input_modalities=("image", "file")) == ["openai/gpt-4o"]
    assert await ids(catalog, output_modalities=("image",)) == ["google/gemini-2.5-flash-image"]


async def test_free_only(catalog: ModelCatalog) -> None:
    assert await ids(catalog, free_only=True) == ["google/gemma-3-27b-it:free"]


async def test_paging_reports_total_and_next_offset(catalog: ModelCatalog) -> None:
    search = SearchModels(catalog=catalog)
    first = await search(as_call(ModelSearch(limit=4)))
    assert [c.id for c in first.results] == [c.id for c in CARDS[:4]]
    assert (first.total, first.has_more, first.next_offset) == (6, True, 4)
    last = await search(as_call(ModelSearch(limit=4, offset=4)))
    assert [c.id for c in last.results] == [c.id for c in CARDS[4:]]
    assert (last.has_more, last.next_offset) == (False, None)
    body = last.as_dict()
    assert body["has_more"] is False and body["total"] == 6 and body["offset"] == 4
    assert body["results"][0]["id"] == "google/gemma-3-27b-it:free"
    assert body["results"][0]["is_free"] is True


async def test_exact_last_page_has_no_more(catalog: ModelCatalog) -> None:
    page = await SearchModels(catalog=catalog)(as_call(ModelSearch(limit=3, offset=3)))
    assert (len(page.results), page.has_more, page.next_offset) == (3, False, None)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (MAX_PAGE + 1, 0), (-5, 0), (10, -1)])
async def test_limit_or_offset_out_of_range_is_invalid_input(catalog: ModelCatalog, limit: int, offset: int) -> None:
    with pytest.raises(InvalidInput, match="limit|offset"):
        await SearchModels(catalog=catalog)(as_call(ModelSearch(limit=limit, offset=offset)))


async def test_model_info_exact_id(catalog: ModelCatalog) -> None:
    found = await GetModelInfo(catalog=catalog)(as_call(ModelQuery("google/gemma-3-27b-it:free")))
    assert found.id == "google/gemma-3-27b-it:free"


async def test_model_info_variant_resolves_to_its_base(catalog: ModelCatalog) -> None:
    found = await GetModelInfo(catalog=catalog)(as_call(ModelQuery("openai/gpt-4o:nitro:online")))
    assert found.id == "openai/gpt-4o"


async def test_unknown_model_is_model_not_found_with_close_matches(catalog: ModelCatalog) -> None:
    with pytest.raises(ModelNotFound) as caught:
        await GetModelInfo(catalog=catalog)(as_call(ModelQuery("openai/gpt-4o-minii")))
    assert "openai/gpt-4o-mini" in caught.value.suggestions
    assert "Did you mean" in caught.value.message


async def test_unknown_model_without_close_matches_points_at_search(catalog: ModelCatalog) -> None:
    with pytest.raises(ModelNotFound) as caught:
        await GetModelInfo(catalog=catalog)(as_call(ModelQuery("zzzz/qqqq")))
    assert caught.value.suggestions == ()
    assert "search_models" in caught.value.message


async def test_model_info_malformed_id_is_invalid_input(catalog: ModelCatalog) -> None:
    with pytest.raises(InvalidInput):
        await GetModelInfo(catalog=catalog)(as_call(ModelQuery("gpt-4o")))


async def test_validate_known_and_variant_ids(catalog: ModelCatalog) -> None:
    validate = ValidateModel(catalog=catalog)
    assert (await validate(as_call(ModelQuery("openai/gpt-4o")))).as_dict() == {"valid": True, "model": "openai/gpt-4o"}
    nitro = await validate(as_call(ModelQuery(" openai/gpt-4o:nitro ")))
    assert nitro.as_dict() == {"valid": True, "model": "openai/gpt-4o:nitro"}


async def test_validate_unknown_is_not_an_error(catalog: ModelCatalog) -> None:
    result = await ValidateModel(catalog=catalog)(as_call(ModelQuery("openai/gpt-4o-minii")))
    assert result.valid is False
    assert result.reason == "not in the OpenRouter catalogue"
    assert "openai/gpt-4o-mini" in result.suggestions
    assert result.as_dict()["suggestions"] == list(result.suggestions)


async def test_validate_malformed_gives_a_reason() -> None:
    source = FakeCatalogSource(CARDS)
    validate = ValidateModel(catalog=ModelCatalog(source=source, clock=FakeClock(), ttl_seconds=60))
    result = await validate(as_call(ModelQuery("gpt-4o")))
    assert result.valid is False
    assert result.model == "gpt-4o"
    assert result.reason is not None and "author/slug" in result.reason
    assert source.calls == 0
