"""Conservative cost estimates from catalogue pricing and a call's facts, with fallbacks where pricing is unknown."""

from __future__ import annotations

from decimal import Decimal

from openrouter_multimodal.domain.cost_estimate import EstimateSettings, estimate_cost, from_nanos, to_nanos
from openrouter_multimodal.domain.model_card import Pricing
from openrouter_multimodal.domain.paid_call import CallFacts
from openrouter_multimodal.entrypoints.tool_specs import TOOL_NAMES

SETTINGS = EstimateSettings()
TOKENS = Pricing(prompt=Decimal("0.000001"), completion=Decimal("0.000002"), request=Decimal("0.001"),
                 image=Decimal("0.01"))


def test_token_pricing_covers_prompt_bytes_max_tokens_images_and_request() -> None:
    facts = CallFacts(model="m", prompt="héllo", max_tokens=100, images=2)
    estimate = estimate_cost("analyze_image", facts, TOKENS, SETTINGS)
    assert estimate.basis == "pricing"
    assert estimate.usd == Decimal("0.001") + 6 * Decimal("0.000001") + 100 * Decimal("0.000002") + 2 * Decimal("0.01")


def test_without_max_tokens_the_default_completion_allowance_is_reserved() -> None:
    settings = EstimateSettings(default_completion_tokens=10)
    estimate = estimate_cost("chat_completion", CallFacts(prompt=""), TOKENS, settings)
    assert estimate.usd == Decimal("0.001") + 10 * Decimal("0.000002")


def test_free_models_cost_nothing() -> None:
    assert estimate_cost("chat_completion", CallFacts(prompt="x"), Pricing(prompt=Decimal(0), completion=Decimal(0)),
                         SETTINGS).basis == "free"


def test_image_output_has_a_per_image_floor() -> None:
    facts = CallFacts(prompt="a cat", images=3, max_tokens=10)
    assert estimate_cost("generate_image", facts, TOKENS, SETTINGS).usd == 3 * SETTINGS.image_output_usd


def test_unknown_or_variable_pricing_uses_the_tool_fallback() -> None:
    router = Pricing(prompt=Decimal(-1), completion=Decimal(-1))
    for pricing in (None, router):
        assert estimate_cost("chat_completion", CallFacts(), pricing, SETTINGS).usd == SETTINGS.unknown_usd
        assert estimate_cost("generate_image", CallFacts(), pricing, SETTINGS).usd == Decimal("0.25")


def test_every_per_tool_fallback_names_a_published_tool() -> None:
    assert set(SETTINGS.per_tool_usd) <= set(TOOL_NAMES)
    assert estimate_cost("rerank_documents", CallFacts(), None, SETTINGS).usd == Decimal("0.01")
    assert estimate_cost("embed_texts", CallFacts(), None, SETTINGS).usd == Decimal("0.01")
    assert estimate_cost("generate_audio", CallFacts(), None, SETTINGS).usd == Decimal("0.05")


def test_video_scales_with_seconds_and_resolution() -> None:
    def video(seconds: int, resolution: str | None) -> Decimal:
        return estimate_cost("generate_video", CallFacts(video_seconds=seconds, resolution=resolution), None,
                             EstimateSettings(per_tool_usd={})).usd

    assert video(8, "720p") == Decimal("6.00")
    assert video(8, "1080p") == Decimal("9.000")
    assert video(4, "4K") == Decimal("12.00")


def test_nanos_round_up_and_back() -> None:
    assert to_nanos(Decimal("0.0000000001")) == 1
    assert to_nanos(Decimal("0.000564")) == 564_000
    assert from_nanos(564_000) == Decimal("0.000564") and from_nanos(0) == 0
