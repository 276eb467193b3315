"""``ModelCard``: what the catalogue tells us about one model."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MODALITIES = ("text", "image", "audio", "video", "file")


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What values a dedicated endpoint takes for one request field (``/images/models`` capability descriptor).

    ``kind`` is ``enum`` (``values``), ``range`` (``minimum``..``maximum``) or ``boolean``; anything else is
    ``any`` (the field is supported, its values are not described).
    """

    kind: str = "any"
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def allows(self, value: object) -> bool:
        if self.kind == "enum" and self.values:
            return str(value) in self.values
        if self.kind == "range" and isinstance(value, int | float) and not isinstance(value, bool):
            return (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)
        if self.kind == "boolean":
            return isinstance(value, bool)
        return True

    def describe(self) -> str:
        if self.kind == "enum" and self.values:
            return ", ".join(self.values)
        if self.kind == "range":
            low = "" if self.minimum is None else f"{self.minimum:g}"
            high = "" if self.maximum is None else f"{self.maximum:g}"
            return f"{low}..{high}"
        return self.kind


@dataclass(frozen=True, slots=True)
class Pricing:
    """USD per token (prompt/completion) or per unit (request/image); ``None`` when unlisted."""

    prompt: Decimal | None = None
    completion: Decimal | None = None
    request: Decimal | None = None
    image: Decimal | None = None

    @property
    def is_free(self) -> bool:
        return all(v is None or v == 0 for v in (self.prompt, self.completion, self.request))

    def as_dict(self) -> dict[str, str]:
        return {k: format(v, "f") for k, v in (("prompt", self.prompt), ("completion", self.completion),
                                       ("request", self.request), ("image", self.image)) if v is not None}


@dataclass(frozen=True, slots=True)
class ModelCard:
    id: str
    name: str
    context_length: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)
    pricing: Pricing = field(default_factory=Pricing)
    max_completion_tokens: int | None = None
    supported_parameters: tuple[str, ...] = ()
    description: str = ""
    voices: tuple[str, ...] = ()
    parameter_specs: tuple[tuple[str, ParamSpec], ...] = ()
    """Per-field value descriptors, only from the dedicated listings (``/images/models``)."""

    @property
    def provider(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def is_free(self) -> bool:
        return self.id.endswith(":free") or self.pricing.is_free

    def accepts(self, modality: str) -> bool:
        return modality in self.input_modalities

    def produces(self, modality: str) -> bool:
        return modality in self.output_modalities

    def spec(self, parameter: str) -> ParamSpec | None:
        """The descriptor of ``parameter`` (None: the listing says the model does not take it)."""
        return next((spec for name, spec in self.parameter_specs if name == parameter), None)

    @property
    def reasons(self) -> bool:
        return "reasoning" in self.supported_parameters or "include_reasoning" in self.supported_parameters

    def summary(self) -> dict[str, Any]:
        """A compact, JSON-ready view for catalogue results."""
        return {
            "id": self.id,
            "name": self.name,
            "context_length": self.context_length,
            "input_modalities": list(self.input_modalities),
            "output_modalities": list(self.output_modalities),
            "pricing": self.pricing.as_dict(),
            "is_free": self.is_free,
        }

    def detail(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "max_completion_tokens": self.max_completion_tokens,
            "supported_parameters": list(self.supported_parameters),
            "description": self.description,
        }
