"""``ModelId``: parsing 'author/slug[:variant…]', variants, base id, and helpful errors."""

from __future__ import annotations

import pytest

from openrouter_multimodal.domain.errors import ErrorCode, InvalidInput
from openrouter_multimodal.domain.model_id import KNOWN_VARIANTS, ModelId


def test_plain_id_splits_into_author_and_slug() -> None:
    model = ModelId.parse("openai/gpt-4o-mini")
    assert (model.author, model.slug, model.variants) == ("openai", "gpt-4o-mini", ())
    assert model.base == "openai/gpt-4o-mini"
    assert str(model) == "openai/gpt-4o-mini"
    assert model.is_free is False


@pytest.mark.parametrize("variant", sorted(KNOWN_VARIANTS))
def test_each_known_variant_is_parsed(variant: str) -> None:
    model = ModelId.parse(f"google/gemini-2.5-flash:{variant}")
    assert model.variants == (variant,)
    assert model.base == "google/gemini-2.5-flash"
    assert model.is_free is (variant == "free")


def test_chained_variants_keep_their_order() -> None:
    model = ModelId.parse("meta-llama/llama-3.3-70b-instruct:free:online")
    assert model.variants == ("free", "online")
    assert model.base == "meta-llama/llama-3.3-70b-instruct"
    assert model.is_free is True
    assert str(model) == "meta-llama/llama-3.3-70b-instruct:free:online"


def test_surrounding_whitespace_is_ignored() -> None:
    assert str(ModelId.parse("  anthropic/claude-sonnet-4:nitro \n")) == "anthropic/claude-sonnet-4:nitro"


@pytest.mark.parametrize(
    ("raw", "author", "slug"),
    [
        ("openrouter/auto", "openrouter", "auto"),
        ("~openai/gpt-latest", "~openai", "gpt-latest"),
        ("qwen/qwen3-235b-a22b-2507", "qwen", "qwen3-235b-a22b-2507"),
        ("mistralai/mistral-7b-instruct-v0.3", "mistralai", "mistral-7b-instruct-v0.3"),
        ("org/family/model_v1", "org", "family/model_v1"),
    ],
)
def test_router_alias_and_nested_slugs_are_accepted(raw: str, author: str, slug: str) -> None:
    model = ModelId.parse(raw)
    assert (model.author, model.slug) == (author, slug)
    assert model.base == raw


@pytest.mark.parametrize(
    "raw",
    ["gpt-4o", "", "   ", "/gpt-4o", "openai/", "openai//gpt-4o", "open ai/gpt-4o", "openai/gpt 4o",
     "-openai/gpt-4o", "openai/gpt-4o/"],
)
def test_malformed_ids_raise_invalid_input_with_an_example(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ModelId.parse(raw)
    assert caught.value.code is ErrorCode.INVALID_INPUT
    assert "author/slug" in caught.value.message
    assert "openai/gpt-4o-mini" in caught.value.message
    assert caught.value.suggestions == ("Use search_models to find a model id",)


@pytest.mark.parametrize("raw", ["openai/gpt-4o:", "openai/gpt-4o::free", "openai/gpt-4o:FREE", "openai/gpt-4o:fr ee"])
def test_empty_or_malformed_variant_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidInput, match="variant"):
        ModelId.parse(raw)


def test_model_ids_are_values() -> None:
    assert ModelId.parse("a/b:free") == ModelId("a", "b", ("free",))
    assert len({ModelId.parse("a/b"), ModelId.parse(" a/b ")}) == 1
