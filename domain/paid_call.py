"""What the call pipeline knows about a paid call before it runs (``CallFacts``) and after (``Billing``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .usage import Usage

PROMPT_PREVIEW_CHARS = 80


def prompt_preview(prompt: str) -> str:
    """At most 80 characters of a prompt, whitespace folded: audit rows must not store whole prompts."""
    flat = " ".join(prompt.split())
    return flat if len(flat) <= PROMPT_PREVIEW_CHARS else flat[: PROMPT_PREVIEW_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class CallFacts:
    """A command's own account of itself, read by policy, audit and locks before the handler runs.

    ``model`` is the model asked for (None: the handler picks one); ``lock_keys`` name the
    resources the call must hold alone (a job id, a save path), already scoped by the pipeline
    to the caller; the other fields feed spend estimates.
    """

    model: str | None = None
    lock_keys: tuple[str, ...] = ()
    prompt: str = ""
    max_tokens: int | None = None
    images: int = 0
    video_seconds: int | None = None
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class Billing:
    """What a finished (or settled) paid call cost and produced, as the upstream reported it.

    ``cost_usd`` None means the upstream did not say. ``job_id`` links a job's submission to
    its later settlement; ``settles`` names the tool whose job a later call finished.
    """

    model: str
    cost_usd: Decimal | None = None
    generation_id: str | None = None
    job_id: str | None = None
    outcome: str = "ok"
    settles: str | None = None

    @classmethod
    def reported(cls, model: str, usage: Usage | None, generation_id: str | None = None) -> Billing:
        """The bill of a call that finished here: the cost the upstream reported with its usage, if it did."""
        return cls(model=model, cost_usd=usage.cost if usage else None, generation_id=generation_id)


class ReportedCost:
    """Mixin for a result that carries the upstream's ``usage``: ``cost`` (its reported cost, None when the
    upstream did not say) and the ``billing`` the call pipeline audits and settles."""

    __slots__ = ()

    if TYPE_CHECKING:
        @property
        def model(self) -> str: ...

        @property
        def usage(self) -> Usage | None: ...

        @property
        def generation_id(self) -> str | None: ...

    @property
    def cost(self) -> Decimal | None:
        return self.usage.cost if self.usage else None

    @property
    def billing(self) -> Billing:
        return Billing.reported(self.model, self.usage, self.generation_id)
