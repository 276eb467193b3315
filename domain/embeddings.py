"""Embedding requests and results (``POST /embeddings``), with the bounds checked before paying."""

from __future__ import annotations

from dataclasses import dataclass, field

from .caller import Attribution
from .errors import InvalidInput
from .model_id import ModelId
from .paid_call import ReportedCost
from .usage import Usage

MAX_TEXTS = 256
MAX_TEXT_CHARS = 32_000
"""About 8,000 tokens, the input limit of common embedding models."""
MAX_TOTAL_CHARS = 1_000_000
MAX_DIMENSIONS = 16_384


@dataclass(frozen=True, slots=True)
class EmbeddingRequest:
    model: ModelId
    texts: tuple[str, ...]
    dimensions: int | None = None
    attribution: Attribution = field(default_factory=Attribution)

    def __post_init__(self) -> None:
        if not self.texts:
            raise InvalidInput("texts must be a non-empty array of strings.")
        if len(self.texts) > MAX_TEXTS:
            raise InvalidInput(f"at most {MAX_TEXTS} texts per call; got {len(self.texts)}: split them into batches.")
        for index, text in enumerate(self.texts):
            if not isinstance(text, str) or not text.strip():
                raise InvalidInput(f"texts[{index}] is empty: every text must have content.")
            if len(text) > MAX_TEXT_CHARS:
                raise InvalidInput(f"texts[{index}] has {len(text)} characters, over {MAX_TEXT_CHARS}: split it.")
        total = sum(len(text) for text in self.texts)
        if total > MAX_TOTAL_CHARS:
            raise InvalidInput(f"the texts hold {total} characters, over {MAX_TOTAL_CHARS} per call: split them.")
        if self.dimensions is not None and not 1 <= self.dimensions <= MAX_DIMENSIONS:
            raise InvalidInput(f"dimensions must be between 1 and {MAX_DIMENSIONS}.")


@dataclass(frozen=True, slots=True)
class EmbeddingResult(ReportedCost):
    """``vectors[i]`` embeds ``texts[i]`` (the upstream's ``index`` order), as plain lists of floats."""

    model: str
    vectors: list[list[float]]
    provider: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None

    @property
    def dimensions(self) -> int:
        return len(self.vectors[0]) if self.vectors else 0
