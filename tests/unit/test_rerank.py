"""RerankDocuments against fakes: validation before paying, ordering, top_n, documents on request, audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.rerank import RerankCommand, RerankDefaults, RerankDocuments
from openrouter_multimodal.domain.errors import ConfigurationError, InvalidInput, UpstreamError
from openrouter_multimodal.domain.generation import RerankHit, RerankResult
from openrouter_multimodal.domain.usage import Usage
from tests.fakes import FakeCredentials
from tests.generation_fakes import FakeReranker
from tests.pipeline_fakes import Dispatch

pytestmark = pytest.mark.anyio

DOCS = ("Berlin has museums.", "Bananas are yellow.", "Paris is the capital of France.")
RESULT = RerankResult(model="cohere/rerank-v3.5", usage=Usage(cost=Decimal("0.002")), hits=(
    RerankHit(0, 0.2, DOCS[0]), RerankHit(2, 0.9, DOCS[2]), RerankHit(1, 0.01, DOCS[1])))


class Rig:
    def __init__(self, *, error: Exception | None = None, configured: bool = True) -> None:
        self.reranker = FakeReranker(RESULT, error=error)
        self.use_case = RerankDocuments(reranker=self.reranker, credentials=FakeCredentials(configured),
                                        defaults=RerankDefaults())
        self.dispatch = Dispatch({"rerank_documents": self.use_case})
        self.audit = self.dispatch.audit

    async def run(self, **kwargs: Any) -> RerankResult:
        command = RerankCommand(**{"query": "capital of France", "documents": DOCS, **kwargs})
        result: RerankResult = await self.dispatch("rerank_documents", command)
        return result


async def test_hits_come_best_first_without_documents_by_default() -> None:
    rig = Rig()
    result = await rig.run()
    assert [(h.index, h.document) for h in result.hits] == [(2, None), (0, None), (1, None)]
    assert str(rig.reranker.requests[0].model) == "cohere/rerank-v3.5"


async def test_documents_on_request_and_top_n_lowered_to_the_document_count() -> None:
    rig = Rig()
    result = await rig.run(return_documents=True, top_n=50)
    assert rig.reranker.requests[0].top_n == 3
    assert result.hits[0].document == DOCS[2]
    assert [h.index for h in (await rig.run(top_n=1)).hits] == [2]


@pytest.mark.parametrize("kwargs, fragment", [
    ({"documents": ()}, "non-empty"),
    ({"query": "  "}, "query is required"),
    ({"top_n": 0}, "top_n"),
    ({"documents": ("d",) * 1001}, "at most 1000"),
    ({"model": "not a model"}, "not an OpenRouter model id"),
])
async def test_bad_arguments_are_refused_before_paying(kwargs: dict[str, Any], fragment: str) -> None:
    rig = Rig()
    with pytest.raises(InvalidInput, match=fragment):
        await rig.run(**kwargs)
    assert rig.reranker.requests == []
    assert [(e.outcome, e.cost_usd) for e in rig.audit.events] == [("INVALID_INPUT", None)]


async def test_missing_key_is_configuration() -> None:
    rig = Rig(configured=False)
    with pytest.raises(ConfigurationError):
        await rig.run()
    assert rig.reranker.requests == []


async def test_each_paid_call_is_audited_once_with_outcome_and_cost() -> None:
    ok, failing = Rig(), Rig(error=UpstreamError("nope", status=500))
    await ok.run()
    with pytest.raises(UpstreamError):
        await failing.run()
    assert [(e.tool, e.outcome, e.cost_usd, e.prompt_preview) for e in ok.audit.events] == [
        ("rerank_documents", "ok", Decimal("0.002"), "capital of France")]
    assert [e.outcome for e in failing.audit.events] == ["UPSTREAM_HTTP"]
