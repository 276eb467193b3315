"""The cost of a paid call whose reply did not carry one, looked up from its generation record (best effort)."""

from __future__ import annotations

from dataclasses import replace

from ..domain.usage import Usage
from .generation_ports import CostLookup


async def with_cost(usage: Usage | None, generation_id: str | None, lookup: CostLookup) -> Usage | None:
    """``usage`` with its cost filled in from ``GET /generation`` when the reply had none.

    Why so forgiving: this runs after the upstream was paid, so no failure here (an error, a timeout,
    a record that is not there yet) may fail the call; the cost is then simply not reported. Only
    cancellation propagates.
    """
    if (usage is not None and usage.cost is not None) or not generation_id:
        return usage
    try:
        cost = await lookup.cost(generation_id)
    except Exception:  # the paid result must survive any failure of a best-effort lookup
        return usage
    if cost is None:
        return usage
    return replace(usage or Usage(), cost=cost)
