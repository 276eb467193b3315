"""Generation values: validation, audio format sniffing (the anchor's vectors) and the PCM16→WAV wrapper."""

from __future__ import annotations

import io
import struct
import wave
from decimal import Decimal
from pathlib import Path

import pytest

from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.generation import (
    ASPECT_RATIOS,
    AUDIO_FORMATS,
    IMAGE_SIZES,
    AudioRequest,
    AudioResult,
    ImageRequest,
    RerankRequest,
    RerankResult,
    VideoRequest,
    VideoSnapshot,
    detect_audio_format,
    pcm16_to_wav,
)
from openrouter_multimodal.domain.model_id import ModelId
from openrouter_multimodal.domain.usage import Usage

MEDIA = Path(__file__).resolve().parent.parent / "fixtures" / "media"
MODEL = ModelId.parse("openai/gpt-audio")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (bytes.fromhex("4944330000"), "mp3"),
        (bytes.fromhex("FFFB9000"), "mp3"),
        (bytes.fromhex("00010203"), "pcm16"),
        (b"", "pcm16"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02" + bytes(22) + b"\x01\x13OpusHead\x01\x02", "opus"),
        (b"OggS\x00\x02" + bytes(22) + b"\x01\x1e\x01vorbis", "ogg"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "pcm16"),
    ],
)
def test_detect_audio_format_vectors(data: bytes, expected: str) -> None:
    assert detect_audio_format(data) == expected


@pytest.mark.parametrize(
    "head",
    [
        bytes.fromhex("FFE80000"),  # reserved MPEG version
        bytes.fromhex("FFF90000"),  # reserved layer
        bytes.fromhex("FFFBF000"),  # bitrate index 1111
        bytes.fromhex("FFFB9C00"),  # sample-rate index 11
        bytes.fromhex("FFFB90"),  # too short for a frame header
    ],
)
def test_invalid_mpeg_frame_headers_are_not_mp3(head: bytes) -> None:
    assert detect_audio_format(head) != "mp3"


@pytest.mark.parametrize(("name", "expected"),
                         [("tone.wav", "wav"), ("tone.mp3", "mp3"), ("tone.flac", "flac"), ("tone.ogg", "ogg")])
def test_detect_audio_format_on_real_files(name: str, expected: str) -> None:
    assert detect_audio_format((MEDIA / name).read_bytes()) == expected


def test_pcm16_to_wav_defaults_to_mono_24khz_16_bit() -> None:
    pcm = b"".join(struct.pack("<h", n) for n in range(-500, 500, 2))
    wav = pcm16_to_wav(pcm)
    assert len(wav) == 44 + len(pcm)
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt " and wav[36:40] == b"data"
    assert detect_audio_format(wav) == "wav"
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getnchannels() == 1
        assert reader.getframerate() == 24000
        assert reader.getsampwidth() == 2
        assert reader.getnframes() == len(pcm) // 2
        assert reader.readframes(reader.getnframes()) == pcm


def test_pcm16_to_wav_honours_rate_and_channels_and_drops_a_partial_frame() -> None:
    wav = pcm16_to_wav(bytes(4 * 100 + 3), sample_rate=16000, channels=2)
    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getnchannels(), reader.getframerate(), reader.getnframes()) == (2, 16000, 100)
    assert struct.unpack("<I", wav[4:8])[0] == 36 + 400
    assert struct.unpack("<IH", wav[28:34]) == (16000 * 4, 4)


def test_pcm16_to_wav_of_nothing_is_a_valid_empty_file() -> None:
    with wave.open(io.BytesIO(pcm16_to_wav(b""))) as reader:
        assert reader.getnframes() == 0


def test_pcm16_to_wav_rejects_nonsense_parameters() -> None:
    with pytest.raises(InvalidInput):
        pcm16_to_wav(b"\x00\x00", sample_rate=0)


def test_unknown_audio_format_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        AudioRequest(MODEL, "Say hi", voice="alloy", format="aac")
    assert "format 'aac' is not supported" in info.value.message
    assert all(fmt in info.value.message for fmt in AUDIO_FORMATS)


@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_every_documented_audio_format_is_accepted(fmt: str) -> None:
    assert AudioRequest(MODEL, "Say hi", voice="alloy", format=fmt).format == fmt


def test_audio_request_needs_a_prompt_and_a_voice() -> None:
    with pytest.raises(InvalidInput, match="prompt is required"):
        AudioRequest(MODEL, "  ", voice="alloy", format="wav")
    with pytest.raises(InvalidInput, match="voice"):
        AudioRequest(MODEL, "hi", voice=" ", format="wav")


def test_audio_result_mime_and_extension() -> None:
    assert AudioResult(b"x", "mp3", "", "m").mime == "audio/mpeg"
    assert AudioResult(b"x", "wav", "", "m").extension == "wav"
    assert AudioResult(b"x", "opus", "", "m").mime == "audio/ogg"


def test_image_request_enumerations_match_the_anchor() -> None:
    assert len(ASPECT_RATIOS) == 14 and "21:9" in ASPECT_RATIOS and "8:1" in ASPECT_RATIOS
    assert IMAGE_SIZES == ("0.5K", "1K", "2K", "4K")


def test_image_request_rejects_bad_values_with_the_valid_list() -> None:
    model = ModelId.parse("google/gemini-2.5-flash-image")
    with pytest.raises(InvalidInput) as info:
        ImageRequest(model, "a cat", aspect_ratio="7:5")
    assert info.value.message.startswith("aspect_ratio '7:5' is not supported. Valid values: 1:1, 2:3")
    with pytest.raises(InvalidInput, match="resolution '3K'"):
        ImageRequest(model, "a cat", resolution="3K")
    with pytest.raises(InvalidInput, match="n must be between 1 and 4"):
        ImageRequest(model, "a cat", n=5)
    with pytest.raises(InvalidInput, match="prompt is required"):
        ImageRequest(model, "")
    with pytest.raises(InvalidInput, match="must include 'image'"):
        ImageRequest(model, "a cat", modalities=("text",))
    with pytest.raises(InvalidInput, match="empty input_images"):
        ImageRequest(model, "a cat", reference_images=(" ",))
    with pytest.raises(InvalidInput, match="data: or http"):
        ImageRequest(model, "a cat", reference_images=("/etc/passwd",))
    with pytest.raises(InvalidInput, match="max_tokens"):
        ImageRequest(model, "a cat", max_tokens=0)


def test_rerank_request_validation() -> None:
    model = ModelId.parse("cohere/rerank-v3.5")
    with pytest.raises(InvalidInput, match="query is required"):
        RerankRequest(model, " ", ("a",))
    with pytest.raises(InvalidInput, match="non-empty array"):
        RerankRequest(model, "q", ())
    with pytest.raises(InvalidInput, match="top_n"):
        RerankRequest(model, "q", ("a",), top_n=0)
    assert RerankResult("m", (), usage=Usage(cost=Decimal("0.002"))).cost == Decimal("0.002")
    assert RerankResult("m", ()).cost is None


def test_video_request_validation() -> None:
    model = ModelId.parse("google/veo-3.1")
    with pytest.raises(InvalidInput, match="frame_type 'middle'"):
        VideoRequest(model, "a river", frame_images=(("middle", "https://example.com/a.png"),))
    with pytest.raises(InvalidInput, match="duration"):
        VideoRequest(model, "a river", duration=0)
    with pytest.raises(InvalidInput, match="prompt is required"):
        VideoRequest(model, " ")
    image_only = VideoRequest(model, "", frame_images=(("first_frame", "data:image/png;base64,AAAA"),))
    assert image_only.prompt == ""


@pytest.mark.parametrize(("status", "terminal"), [("pending", False), ("in_progress", False), ("completed", True),
                                                  ("failed", True), ("cancelled", True), ("expired", True)])
def test_video_snapshot_terminal_statuses(status: str, terminal: bool) -> None:
    snapshot = VideoSnapshot(id="j", status=status)
    assert snapshot.is_terminal is terminal
    assert snapshot.is_completed is (status == "completed")
