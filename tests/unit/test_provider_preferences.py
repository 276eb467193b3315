"""``ProviderPreferences``: call-over-default merging and the request's ``provider`` body."""

from __future__ import annotations

from openrouter_multimodal.domain.provider_preferences import ProviderPreferences


def test_call_fields_override_defaults() -> None:
    defaults = ProviderPreferences(order=("together",), sort="price", quantizations=("fp8",))
    call = ProviderPreferences(order=("groq", "fireworks"), sort="latency")
    merged = call.merged_over(defaults)
    assert merged == ProviderPreferences(order=("groq", "fireworks"), sort="latency", quantizations=("fp8",))


def test_none_keeps_the_default() -> None:
    defaults = ProviderPreferences(only=("openai",), data_collection="deny", zdr=True)
    assert ProviderPreferences().merged_over(defaults) == defaults


def test_false_overrides_a_true_default_and_is_kept_in_the_body() -> None:
    defaults = ProviderPreferences(allow_fallbacks=True, require_parameters=True)
    merged = ProviderPreferences(allow_fallbacks=False).merged_over(defaults)
    assert merged.allow_fallbacks is False
    assert merged.as_body() == {"allow_fallbacks": False, "require_parameters": True}


def test_body_lists_tuples_and_keeps_scalars() -> None:
    prefs = ProviderPreferences(order=("a", "b"), ignore=("c",), sort="throughput", zdr=False)
    assert prefs.as_body() == {"order": ["a", "b"], "ignore": ["c"], "sort": "throughput", "zdr": False}


def test_empty_tuples_are_dropped_from_the_body() -> None:
    prefs = ProviderPreferences(order=(), only=(), quantizations=("int8",))
    assert prefs.as_body() == {"quantizations": ["int8"]}


def test_an_explicit_empty_tuple_clears_the_default_list() -> None:
    merged = ProviderPreferences(only=()).merged_over(ProviderPreferences(only=("openai",), sort="price"))
    assert merged.only == ()
    assert merged.as_body() == {"sort": "price"}


def test_no_body_when_nothing_is_set() -> None:
    assert ProviderPreferences().as_body() is None
    assert ProviderPreferences(order=(), ignore=()).as_body() is None
