"""Hand-written fakes of the dedicated-endpoint ports: TTS, transcription, embeddings, cost lookup, listings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from openrouter_multimodal.application.media_loading import LoadedMedia
from openrouter_multimodal.application.media_models import Listing, MediaModels
from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.domain.caller import Caller
from openrouter_multimodal.domain.embeddings import EmbeddingRequest, EmbeddingResult
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.generation import AudioResult
from openrouter_multimodal.domain.media import MediaFormat, MediaKind
from openrouter_multimodal.domain.model_card import ModelCard
from openrouter_multimodal.domain.transcription import Segment, Transcript, TranscriptionRequest
from openrouter_multimodal.domain.tts import SpeechRequest
from openrouter_multimodal.domain.usage import Usage
from tests.fakes import FakeCatalogSource, FakeClock


def media_models(chat: Sequence[ModelCard] = (), **listings: Sequence[ModelCard] | Exception) -> MediaModels:
    """``MediaModels`` over fake listings; a listing given as an exception cannot be read."""
    def catalog(value: Sequence[ModelCard] | Exception) -> ModelCatalog:
        source = FakeCatalogSource(error=value) if isinstance(value, Exception) else FakeCatalogSource(value)
        return ModelCatalog(source=source, clock=FakeClock(), ttl_seconds=60)

    return MediaModels(catalog=catalog(chat), listings={
        which: catalog(listings.get(which.value, ())) for which in Listing if which is not Listing.CHAT})


class FakeCostLookup:
    def __init__(self, costs: dict[str, Decimal] | None = None, *, error: Exception | None = None) -> None:
        self.costs = costs or {}
        self.error = error
        self.asked: list[str] = []

    async def cost(self, generation_id: str) -> Decimal | None:
        self.asked.append(generation_id)
        if self.error is not None:
            raise self.error
        return self.costs.get(generation_id)


class FakeSynthesizer:
    def __init__(self, result: AudioResult, events: list[str] | None = None) -> None:
        self.result = result
        self.events = events if events is not None else []
        self.requests: list[SpeechRequest] = []

    async def synthesize(self, request: SpeechRequest) -> AudioResult:
        self.events.append("synthesize")
        self.requests.append(request)
        return self.result


class FakeTranscriber:
    """Answers each piece with one segment spanning it (from the WAV byte rate when given), cost 0.001 each."""

    def __init__(self, *, seconds_per_piece: float = 1.0, error_on: int | None = None) -> None:
        self.requests: list[TranscriptionRequest] = []
        self.seconds = seconds_per_piece
        self.error_on = error_on

    async def transcribe(self, request: TranscriptionRequest) -> Transcript:
        self.requests.append(request)
        n = len(self.requests)
        if self.error_on == n:
            raise InvalidInput("piece refused")
        segments = (Segment(0.0, self.seconds, f"piece {n}"),) if request.timed else ()
        return Transcript(text=f"piece {n}", model=str(request.model), segments=segments, language="en",
                          duration_s=self.seconds, usage=Usage(cost=Decimal("0.001")), generation_id=f"gen-{n}")


class FakeEmbedder:
    def __init__(self, dimensions: int = 3, cost: str | None = "0.00001") -> None:
        self.dimensions = dimensions
        self.cost = cost
        self.requests: list[EmbeddingRequest] = []

    async def embed(self, request: EmbeddingRequest) -> EmbeddingResult:
        self.requests.append(request)
        vectors = [[float(i) + d / 10 for d in range(self.dimensions)] for i in range(len(request.texts))]
        return EmbeddingResult(model=str(request.model), vectors=vectors, generation_id="embd-1",
                               usage=Usage(prompt_tokens=4, total_tokens=4,
                                           cost=Decimal(self.cost) if self.cost else None))


class AudioFiles:
    """``MediaSource`` for audio: names in ``files`` load with the format given beside them."""

    def __init__(self, files: dict[str, tuple[bytes, MediaFormat]]) -> None:
        self.files = files

    async def load(self, raw: str, kind: MediaKind, caller: Caller) -> LoadedMedia:
        data, fmt = self.files[raw]
        return LoadedMedia(kind, fmt, len(data), "file", data=data)
