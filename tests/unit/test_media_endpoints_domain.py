"""Pure rules behind the dedicated endpoints: WAV splitting, subtitles, joined transcripts, ratios, descriptors."""

from __future__ import annotations

import io
import wave
from decimal import Decimal

import pytest

from openrouter_multimodal.domain.embeddings import MAX_TEXTS, EmbeddingRequest
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.generation import pcm16_to_wav
from openrouter_multimodal.domain.image_options import measured_ratio, resolution_tier
from openrouter_multimodal.domain.model_card import ParamSpec
from openrouter_multimodal.domain.model_id import ModelId
from openrouter_multimodal.domain.transcription import Segment, Transcript, join_transcripts, render_srt, render_vtt
from openrouter_multimodal.domain.usage import Usage
from openrouter_multimodal.domain.wav import parse_wav, split_wav


def stereo_wav(frames: int, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(range(256)) * (frames * 4 // 256) + bytes(frames * 4 % 256))
    return out.getvalue()


def test_a_long_wav_is_cut_on_whole_frames_into_playable_pieces_that_keep_every_sample() -> None:
    data = stereo_wav(8000 * 5 + 3)  # 5 s and 3 frames, 4-byte frames
    layout = parse_wav(data)
    assert layout is not None and layout.block_align == 4
    pieces = split_wav(data, layout, max_seconds=2, max_bytes=10 * 1024 * 1024)
    assert [offset for offset, _ in pieces] == [0.0, 2.0, 4.0]
    joined = b""
    for _, piece in pieces:
        with wave.open(io.BytesIO(piece)) as w:
            assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, 8000, 2)
            joined += w.readframes(w.getnframes())
    assert joined == data[layout.data_offset:]


def test_the_byte_limit_also_cuts_and_a_short_file_is_sent_as_it_is() -> None:
    data = pcm16_to_wav(b"\x01\x00" * 24_000)
    layout = parse_wav(data)
    assert layout is not None
    assert split_wav(data, layout, max_seconds=600, max_bytes=1 << 20) == [(0.0, data)]
    pieces = split_wav(data, layout, max_seconds=600, max_bytes=10_000)
    assert len(pieces) == 5 and all(len(piece) <= 10_000 for _, piece in pieces)


def test_not_a_wav_has_no_layout() -> None:
    assert parse_wav(b"ID3\x04" + b"\0" * 64) is None
    assert parse_wav(b"RIFF\0\0\0\0WAVEdata\x10\0\0\0") is None  # data before fmt


def test_subtitles_render_with_their_own_time_formats_and_no_cue_breaking_text() -> None:
    segments = (Segment(0.0, 1.5, "Hello"), Segment(3661.25, 3662.0, "a --> b\n\nend"))
    assert render_srt(segments) == ("1\n00:00:00,000 --> 00:00:01,500\nHello\n\n"
                                    "2\n01:01:01,250 --> 01:01:02,000\na -> b\nend\n")
    assert render_vtt(segments).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello\n")


def test_pieces_join_with_shifted_timestamps_and_summed_costs() -> None:
    def piece(text: str, cost: str | None) -> Transcript:
        return Transcript(text=text, model="m/x", segments=(Segment(0.0, 1.0, text),), duration_s=2.0,
                          usage=Usage(cost=Decimal(cost) if cost else None))

    joined = join_transcripts([(0.0, piece("one", "0.1")), (2.0, piece("two", "0.2"))])
    assert joined.text == "one two" and joined.duration_s == 4.0 and joined.usage is not None
    assert joined.usage.cost == Decimal("0.3") and joined.segments[1] == Segment(2.0, 3.0, "two")
    unknown = join_transcripts([(0.0, piece("one", "0.1")), (2.0, piece("two", None))])
    assert unknown.usage is not None and unknown.usage.cost is None


def test_delivered_ratios_are_named_within_two_percent_else_reduced() -> None:
    assert measured_ratio(1024, 1024) == "1:1" and measured_ratio(1344, 768) == "16:9"
    assert measured_ratio(64, 48) == "4:3" and measured_ratio(1000, 333) == "1000:333"
    assert resolution_tier("0.5K") == "512"
    with pytest.raises(InvalidInput):
        resolution_tier("8K")


def test_descriptors_accept_only_their_values() -> None:
    assert ParamSpec("range", minimum=1, maximum=4).allows(3) and not ParamSpec("range", maximum=4).allows(5)
    assert ParamSpec("enum", values=("png",)).allows("png") and not ParamSpec("enum", values=("png",)).allows("webp")
    assert ParamSpec().allows("anything")


def test_embedding_requests_are_bounded_before_paying() -> None:
    model = ModelId.parse("openai/text-embedding-3-small")
    with pytest.raises(InvalidInput, match="at most 256"):
        EmbeddingRequest(model, ("x",) * (MAX_TEXTS + 1))
    with pytest.raises(InvalidInput, match=r"texts\[1\] is empty"):
        EmbeddingRequest(model, ("a", " "))
    with pytest.raises(InvalidInput, match="1000000 per call"):
        EmbeddingRequest(model, ("x" * 30_000,) * 40)
