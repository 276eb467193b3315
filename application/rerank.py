"""The rerank_documents use case: order documents by relevance to a query with a rerank model."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..domain.errors import InvalidInput
from ..domain.generation import RerankRequest, RerankResult
from ..domain.model_id import ModelId
from ..domain.paid_call import CallFacts
from .call import ToolCall
from .generation_ports import Reranker
from .ports import Credentials

MAX_DOCUMENTS = 1000
"""Cohere's documented per-request maximum; more is refused here rather than by the upstream after billing."""


@dataclass(frozen=True, slots=True)
class RerankDefaults:
    model: str = "cohere/rerank-v3.5"


@dataclass(frozen=True, slots=True)
class RerankCommand:
    query: str
    documents: tuple[str, ...]
    model: str | None = None
    top_n: int | None = None
    return_documents: bool = False

    def facts(self) -> CallFacts:
        return CallFacts(model=self.model, prompt=self.query)


class RerankDocuments:
    """Scores documents against a query and returns them best first.

    Why: picking the passages worth sending to a (more expensive) chat model. How: the key
    (CONFIGURATION) and the arguments (INVALID_INPUT: blank query, no documents or more than
    1000, ``top_n`` below 1) are checked before the billed ``/rerank`` call; ``top_n`` above
    the number of documents is lowered to it. Hits carry the input index; the document text
    only when ``return_documents``. Upstream failures are the adapter's ``UpstreamError``.
    """

    def __init__(self, *, reranker: Reranker, credentials: Credentials, defaults: RerankDefaults) -> None:
        self._reranker = reranker
        self._credentials = credentials
        self._defaults = defaults

    async def __call__(self, call: ToolCall[RerankCommand]) -> RerankResult:
        self._credentials.ensure_configured()
        command = call.command
        model = ModelId.parse(command.model or self._defaults.model)
        request = RerankRequest(model=model, query=command.query, documents=command.documents, top_n=command.top_n,
                                attribution=call.attribution)
        if len(request.documents) > MAX_DOCUMENTS:
            raise InvalidInput(f"at most {MAX_DOCUMENTS} documents per call; got {len(request.documents)}: "
                               "split them into batches.")
        if request.top_n is not None and request.top_n > len(request.documents):
            request = replace(request, top_n=len(request.documents))
        result = await self._reranker.rerank(request)
        hits = sorted(result.hits, key=lambda hit: hit.score, reverse=True)[: request.top_n or None]
        if not command.return_documents:
            hits = [replace(hit, document=None) for hit in hits]
        return replace(result, hits=tuple(hits))
