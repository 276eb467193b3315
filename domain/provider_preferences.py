"""``ProviderPreferences``: OpenRouter provider routing, merged call-over-defaults."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Literal

Sort = Literal["price", "throughput", "latency"]
DataCollection = Literal["allow", "deny"]


@dataclass(frozen=True, slots=True)
class ProviderPreferences:
    order: tuple[str, ...] | None = None
    only: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    quantizations: tuple[str, ...] | None = None
    sort: Sort | None = None
    require_parameters: bool | None = None
    data_collection: DataCollection | None = None
    allow_fallbacks: bool | None = None
    zdr: bool | None = None

    def merged_over(self, defaults: ProviderPreferences) -> ProviderPreferences:
        """Fields set here win; fields left ``None`` keep the default."""
        changes = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(defaults, **changes)

    def as_body(self) -> dict[str, Any] | None:
        """The request's ``provider`` object, or ``None`` when nothing is set (``False`` is kept)."""
        body: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == ():
                continue
            body[f.name] = list(value) if isinstance(value, tuple) else value
        return body or None
