"""Builds a ``PolicyEngine`` over a real store for the policy tests, with small helpers to call it."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from openrouter_multimodal.application.call import ToolCall
from openrouter_multimodal.application.pipeline_ports import Admission, ToolSpec
from openrouter_multimodal.application.policy_engine import EngineSettings, PolicyEngine
from openrouter_multimodal.application.state_ports import StateStore
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.errors import QuotaExceeded
from openrouter_multimodal.domain.model_card import ModelCard, Pricing
from openrouter_multimodal.domain.paid_call import CallFacts
from openrouter_multimodal.domain.policy_parse import parse_policy

from .conftest import FakeClock

PAID = {"chat_completion", "generate_image", "generate_video", "analyze_image"}


class Cards:
    """The catalogue as the engine sees it: one token-priced model (chat: $1/M in, $2/M out)."""

    def __init__(self) -> None:
        self.cards = {"m/cheap": ModelCard(id="m/cheap", name="cheap",
                                           pricing=Pricing(prompt=Decimal("0.000001"), completion=Decimal("0.000002")))}

    async def get(self, model_id: str) -> ModelCard | None:
        return self.cards.get(model_id)


def engine(store: StateStore, clock: FakeClock, rules: dict[str, Any] | None,
           settings: EngineSettings | None = None) -> PolicyEngine:
    return PolicyEngine(policy=parse_policy(rules), store=store, cards=Cards(), clock=clock, settings=settings)


async def admit(gate: PolicyEngine, tool: str, user: str = "alice", **facts: Any) -> Admission:
    call: ToolCall[None] = ToolCall(tool, None, Caller(user))
    return await gate.admit(call, ToolSpec(tool, paid=tool in PAID), CallFacts(**facts))


async def admitted_of(gate: PolicyEngine, calls: int, tool: str = "chat_completion") -> int:
    """Make ``calls`` simultaneous free-of-cost calls of ``tool`` (each settled at once); how many were admitted."""

    async def one() -> int:
        try:
            admission = await admit(gate, tool)
        except QuotaExceeded:
            return 0
        await gate.settle(admission, None, "ok")
        return 1

    return sum(await asyncio.gather(*(one() for _ in range(calls))))
