"""The ``provider`` routing object callers may pass to chat-shaped tools, validated into the domain's preferences."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..domain.errors import InvalidInput
from ..domain.provider_preferences import ProviderPreferences

RoutingList = Annotated[list[Annotated[str, Field(max_length=100)]] | None, Field(max_length=50)]


class ProviderRouting(BaseModel):
    """Provider routing; fields given here override the OPENROUTER_PROVIDER_* defaults."""

    model_config = ConfigDict(extra="forbid")
    order: RoutingList = None
    only: RoutingList = None
    ignore: RoutingList = None
    quantizations: RoutingList = None
    sort: Literal["price", "throughput", "latency"] | None = None
    require_parameters: bool | None = None
    data_collection: Literal["allow", "deny"] | None = None
    allow_fallbacks: bool | None = None
    zdr: bool | None = None

    def to_domain(self) -> ProviderPreferences:
        def tup(v: list[str] | None) -> tuple[str, ...] | None:
            return tuple(v) if v is not None else None

        return ProviderPreferences(order=tup(self.order), only=tup(self.only), ignore=tup(self.ignore),
                                   quantizations=tup(self.quantizations), sort=self.sort,
                                   require_parameters=self.require_parameters,
                                   data_collection=self.data_collection, allow_fallbacks=self.allow_fallbacks,
                                   zdr=self.zdr)


PROVIDER_HELP = ("Routing over the server's defaults: order, only, ignore, quantizations (lists); "
                 "sort (price|throughput|latency); data_collection (allow|deny); require_parameters, "
                 "allow_fallbacks, zdr (booleans).")


def routing(raw: dict[str, Any] | None) -> ProviderPreferences:
    """Validate the free-form ``provider`` object; errors name the field (``provider.sort``)."""
    if not raw:
        return ProviderPreferences()
    try:
        return ProviderRouting.model_validate(raw).to_domain()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(["provider", *(str(p) for p in err["loc"])])
        raise InvalidInput(f"invalid argument '{field}': {err['msg']}.") from None


