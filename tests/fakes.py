"""Hand-written fakes of our ports (``application/ports.py``), shared by the unit tests.

Each fake satisfies its port structurally and records what it was asked, so a test can
assert on behaviour without a network or mocking library.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from openrouter_multimodal.application.call import NullProgress, ProgressReporter, ToolCall
from openrouter_multimodal.application.ports import KeyStatus
from openrouter_multimodal.domain.caller import Attribution, Caller, local_caller
from openrouter_multimodal.domain.chat import ChatRequest, ChatResult
from openrouter_multimodal.domain.errors import missing_api_key
from openrouter_multimodal.domain.model_card import ModelCard, Pricing

C = TypeVar("C")


def as_call(command: C, tool: str = "test_tool", *, caller: Caller | None = None,
            progress: ProgressReporter | None = None, attribution: Attribution | None = None) -> ToolCall[C]:
    """``command`` as the pipeline hands it to a handler: from the local caller unless ``caller`` says otherwise."""
    return ToolCall(tool=tool, command=command, caller=caller or local_caller(),
                    progress=progress or NullProgress(), attribution=attribution or Attribution())


def card(
    id: str,
    *,
    name: str | None = None,
    context: int | None = 8192,
    inputs: tuple[str, ...] = ("text",),
    outputs: tuple[str, ...] = ("text",),
    prompt_price: str | None = "0.000001",
    completion_price: str | None = "0.000002",
    max_completion: int | None = None,
    params: tuple[str, ...] = (),
    description: str = "",
) -> ModelCard:
    """A ``ModelCard`` with terse defaults: a paid text model; pass prices "0" (or a ':free' id) for free."""
    return ModelCard(
        id=id,
        name=name or id,
        context_length=context,
        input_modalities=inputs,
        output_modalities=outputs,
        pricing=Pricing(
            prompt=Decimal(prompt_price) if prompt_price is not None else None,
            completion=Decimal(completion_price) if completion_price is not None else None,
        ),
        max_completion_tokens=max_completion,
        supported_parameters=params,
        description=description,
    )


class FakeClock:
    """``Clock`` whose time only moves when a test calls ``advance``."""

    def __init__(self, monotonic: float = 1000.0, now: float = 1_700_000_000.0) -> None:
        self._monotonic = monotonic
        self._now = now

    def monotonic(self) -> float:
        return self._monotonic

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._monotonic += seconds
        self._now += seconds


class FakeCatalogSource:
    """``ModelCatalogSource`` returning ``cards``; ``gate`` (when set) blocks each fetch until it is set,
    and ``error`` (when set) is raised instead of returning."""

    def __init__(self, cards: Sequence[ModelCard] = (), *, gate: asyncio.Event | None = None,
                 error: Exception | None = None) -> None:
        self.cards = list(cards)
        self.gate = gate
        self.error = error
        self.calls = 0

    async def fetch_models(self) -> Sequence[ModelCard]:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return list(self.cards)


class FakeChat:
    """``ChatCompletions`` that records every request and returns ``result`` or raises ``error``."""

    def __init__(self, result: ChatResult | None = None, *, error: Exception | None = None) -> None:
        self.result = result or ChatResult(text="Hello!", model="fake/model", finish_reason="stop")
        self.error = error
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResult:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return self.result

    @property
    def last(self) -> ChatRequest:
        assert self.requests, "the upstream was never called"
        return self.requests[-1]


class FakeCredentials:
    """``Credentials``: quiet when ``configured``, else raises the real missing-key ``ConfigurationError``."""

    def __init__(self, configured: bool = True) -> None:
        self.configured = configured
        self.checks = 0

    def ensure_configured(self) -> None:
        self.checks += 1
        if not self.configured:
            raise missing_api_key()


class FakeKeys:
    """``KeyInspector`` returning a scripted ``KeyStatus`` (a valid key with no limit by default)."""

    def __init__(self, status: KeyStatus | None = None) -> None:
        self.status = status or KeyStatus(present=True, valid=True)
        self.calls = 0

    async def inspect_key(self) -> KeyStatus:
        self.calls += 1
        return self.status
