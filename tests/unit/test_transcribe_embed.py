"""TranscribeAudio and EmbedTexts against fakes: checks before paying, splitting, rendering, files, costs."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from openrouter_multimodal.application.embedding import EmbeddingDefaults, EmbedTexts, EmbedTextsCommand
from openrouter_multimodal.application.transcription import (
    TranscribeAudio,
    TranscribeAudioCommand,
    TranscriptionDefaults,
)
from openrouter_multimodal.domain.errors import InvalidInput, ModelNotFound
from openrouter_multimodal.domain.generation import pcm16_to_wav
from openrouter_multimodal.domain.media import MediaFormat
from tests.fakes import FakeCredentials, card
from tests.generation_fakes import FakeOutputStore
from tests.media_endpoint_fakes import AudioFiles, FakeCostLookup, FakeEmbedder, FakeTranscriber, media_models
from tests.pipeline_fakes import Dispatch, SameSpace

pytestmark = pytest.mark.anyio

WHISPER = card("openai/whisper-large-v3", inputs=("audio",), outputs=("transcription",))
EMBEDDER = card("openai/text-embedding-3-small", outputs=("embeddings",))
THREE_SECONDS = pcm16_to_wav(b"\x01\x00" * 3 * 16_000, sample_rate=16_000)
FILES = {"talk.wav": (THREE_SECONDS, MediaFormat.WAV), "big.mp3": (b"ID3" + b"\0" * 5000, MediaFormat.MP3)}


class Transcribing:
    def __init__(self, *, chunk_seconds: float = 600, chunk_bytes: int = 1 << 20, error_on: int | None = None):
        self.store = FakeOutputStore()
        self.transcriber = FakeTranscriber(error_on=error_on)
        use_case = TranscribeAudio(
            transcriber=self.transcriber, loader=AudioFiles(FILES), models=media_models(transcription=[WHISPER]),
            outputs=SameSpace(self.store), costs=FakeCostLookup(), credentials=FakeCredentials(True),
            defaults=TranscriptionDefaults(chunk_seconds=chunk_seconds, chunk_bytes=chunk_bytes))
        self.dispatch = Dispatch({"transcribe_audio": use_case})

    async def run(self, **kwargs: Any) -> Any:
        return await self.dispatch("transcribe_audio", TranscribeAudioCommand(**{"audio": "talk.wav", **kwargs}))


async def test_a_wav_over_the_limit_is_split_transcribed_in_turn_and_joined_into_an_srt_file() -> None:
    rig = Transcribing(chunk_seconds=1)
    result = await rig.run(format="srt", save_path="talk.srt")
    assert len(rig.transcriber.requests) == 3 and all(r.timed for r in rig.transcriber.requests)
    assert result.pieces == 3 and result.cost == Decimal("0.003")
    saved = rig.store.files["talk.srt"].decode()
    assert "3\n00:00:02,000 --> 00:00:03,000\npiece 3" in saved and result.name == "talk.srt"
    assert any("split on frame boundaries into 3 pieces" in note for note in result.notes)


async def test_plain_text_asks_for_json_and_saves_nothing() -> None:
    rig = Transcribing()
    result = await rig.run(language="en")
    assert result.rendered == "piece 1" and result.name is None and rig.store.files == {}
    assert rig.transcriber.requests[0].timed is False and rig.transcriber.requests[0].language == "en"
    verbose = await rig.run(format="verbose_json")
    assert json.loads(verbose.rendered)["segments"] == [{"start": 0.0, "end": 1.0, "text": "piece 2"}]


@pytest.mark.parametrize("kwargs,error,fragment", [
    ({"format": "docx"}, InvalidInput, "format 'docx'"),
    ({"language": "english"}, InvalidInput, "ISO-639-1"),
    ({"model": "openai/whisper-2"}, ModelNotFound, "not in the OpenRouter catalogue"),
    ({"audio": "big.mp3"}, InvalidInput, "only WAV is split here"),
])
async def test_bad_requests_fail_before_any_paid_request(kwargs: dict[str, Any], error: type[Exception],
                                                         fragment: str) -> None:
    rig = Transcribing(chunk_bytes=4096)
    with pytest.raises(error, match=fragment):
        await rig.run(**kwargs)
    assert rig.transcriber.requests == []


async def test_a_failure_after_a_paid_piece_carries_what_was_paid() -> None:
    rig = Transcribing(chunk_seconds=1, error_on=2)
    with pytest.raises(InvalidInput) as caught:
        await rig.run()
    assert caught.value.billing is not None and caught.value.billing.cost_usd == Decimal("0.001")


class Embedding:
    def __init__(self, *, inline_max: int = 12, dimensions: int = 3, cost: str | None = "0.00001") -> None:
        self.store = FakeOutputStore()
        self.embedder = FakeEmbedder(dimensions, cost)
        self.costs = FakeCostLookup({"embd-1": Decimal("0.00002")})
        use_case = EmbedTexts(embedder=self.embedder, models=media_models(embeddings=[EMBEDDER]),
                              outputs=SameSpace(self.store), costs=self.costs, credentials=FakeCredentials(True),
                              defaults=EmbeddingDefaults(inline_max_values=inline_max))
        self.dispatch = Dispatch({"embed_texts": use_case})

    async def run(self, **kwargs: Any) -> Any:
        return await self.dispatch("embed_texts", EmbedTextsCommand(**{"texts": ("a", "b"), **kwargs}))


async def test_small_embeddings_stay_inline_and_large_ones_are_saved_as_json_lines() -> None:
    small = await Embedding().run()
    assert small.inline and small.name is None and small.vectors[1] == [1.0, 1.1, 1.2]
    rig = Embedding(inline_max=5)
    large = await rig.run()
    assert not large.inline and large.name is not None
    lines = [json.loads(line) for line in rig.store.files[large.name].decode().splitlines()]
    assert lines == [{"index": 0, "embedding": [0.0, 0.1, 0.2]}, {"index": 1, "embedding": [1.0, 1.1, 1.2]}]


async def test_embeddings_without_a_reported_cost_take_it_from_the_generation_record() -> None:
    rig = Embedding(cost=None)
    assert (await rig.run()).cost == Decimal("0.00002") and rig.costs.asked == ["embd-1"]


async def test_an_unknown_embedding_model_is_refused_before_paying() -> None:
    rig = Embedding()
    with pytest.raises(ModelNotFound):
        await rig.run(model="openai/text-embeding-3-small")
    assert rig.embedder.requests == []
