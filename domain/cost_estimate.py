"""A conservative USD estimate of one call, reserved against budgets before anything is paid.

How the estimate is built (``estimate_cost``):

* **Known token pricing** (the catalogue's ``Pricing`` for the model):
  ``request + prompt_bytes × prompt + completion_tokens × completion + images × image``, where
  ``prompt_bytes`` is the prompt's UTF-8 length (byte-level tokenizers never make more tokens than
  bytes) and ``completion_tokens`` is ``max_tokens`` or ``EstimateSettings.default_completion_tokens``.
* **Image output** (tools in ``image_output_tools``): at least ``image_output_usd`` per image asked for,
  because token pricing does not show what a generated picture costs.
* **Video** (``video_seconds`` set): ``video_seconds × video_usd_per_second × resolution factor``.
* **Unknown pricing** (no card, or a negative "variable" price such as the router's ``-1``):
  ``per_tool_usd[tool]`` or ``unknown_usd``, at least the image/video floors.

Overshoot bound (documented for ``get_usage``): the estimate covers the actual cost whenever the model
is priced per token, ``max_tokens`` is set (providers cap output at it; reasoning counts towards it)
and the prompt is the whole input. Above the estimate can go: attachments (images, files, audio) that
are not in ``prompt``, a missing ``max_tokens`` (then up to ``default_completion_tokens`` is assumed),
web search or other per-request extras, and the fallbacks for unknown pricing. Concurrent calls never
spend more than ``budget + Σ (actual − estimate)⁺`` of the calls in flight when the budget ran out;
the settled spend is never hidden, so ``get_usage`` shows any overshoot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from .model_card import Pricing
from .paid_call import CallFacts

NANOS_PER_USD = 1_000_000_000
_RESOLUTION_FACTORS = (("4k", Decimal(4)), ("2160", Decimal(4)), ("1440", Decimal(2)), ("2k", Decimal(2)),
                       ("1080", Decimal("1.5")))


def to_nanos(usd: Decimal) -> int:
    """USD as whole nano-dollars, rounded up, so stores add exact integers and never under-count."""
    return int((usd * NANOS_PER_USD).to_integral_value(rounding=ROUND_CEILING))


def from_nanos(nanos: int) -> Decimal:
    return (Decimal(nanos) / NANOS_PER_USD).normalize() if nanos else Decimal(0)


@dataclass(frozen=True, slots=True)
class EstimateSettings:
    """The fallbacks used where the catalogue cannot price a call; all in USD and all configurable."""

    default_completion_tokens: int = 4096
    unknown_usd: Decimal = Decimal("0.10")
    per_tool_usd: Mapping[str, Decimal] = field(default_factory=lambda: {
        "generate_image": Decimal("0.25"), "generate_video": Decimal("6.00"),
        "generate_video_from_image": Decimal("6.00"), "generate_audio": Decimal("0.05"),
        "rerank_documents": Decimal("0.01"), "embed_texts": Decimal("0.01")})
    image_output_tools: frozenset[str] = frozenset({"generate_image"})
    image_output_usd: Decimal = Decimal("0.25")
    video_usd_per_second: Decimal = Decimal("0.75")


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The reserved amount and how it was reached (``basis``: ``pricing``, ``fallback`` or ``free``)."""

    usd: Decimal
    basis: str


def _resolution_factor(resolution: str | None) -> Decimal:
    text = (resolution or "").lower()
    return next((factor for marker, factor in _RESOLUTION_FACTORS if marker in text), Decimal(1))


def _floors(tool: str, facts: CallFacts, settings: EstimateSettings) -> Decimal:
    floor = Decimal(0)
    if tool in settings.image_output_tools:
        floor += settings.image_output_usd * max(facts.images, 1)
    if facts.video_seconds:
        floor += settings.video_usd_per_second * facts.video_seconds * _resolution_factor(facts.resolution)
    return floor


def _priced(pricing: Pricing, tool: str, facts: CallFacts, settings: EstimateSettings) -> Decimal:
    completion = facts.max_tokens if facts.max_tokens is not None else settings.default_completion_tokens
    input_images = 0 if tool in settings.image_output_tools else facts.images
    parts = (
        pricing.request or 0,
        (pricing.prompt or 0) * len(facts.prompt.encode()),
        (pricing.completion or 0) * max(completion, 0),
        (pricing.image or 0) * input_images,
    )
    return Decimal(sum(parts, Decimal(0)))


def estimate_cost(tool: str, facts: CallFacts, pricing: Pricing | None, settings: EstimateSettings) -> CostEstimate:
    """The conservative amount to reserve before calling ``tool`` with ``facts`` (see the module doc)."""
    floor = _floors(tool, facts, settings)
    if pricing is not None and any(p is not None and p < 0 for p in (pricing.prompt, pricing.completion,
                                                                      pricing.request, pricing.image)):
        pricing = None
    if pricing is None:
        fallback = settings.per_tool_usd.get(tool, settings.unknown_usd)
        return CostEstimate(max(fallback, floor), "fallback")
    priced = max(_priced(pricing, tool, facts, settings), floor)
    return CostEstimate(priced, "pricing" if priced else "free")
