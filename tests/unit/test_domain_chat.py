"""Chat values: a request needs messages; ``fit_to_context`` drops oldest non-system messages."""

from __future__ import annotations

import pytest

from openrouter_multimodal.adapters.openrouter.wire import message_body
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest, fit_to_context
from openrouter_multimodal.domain.errors import InvalidInput

# estimated_tokens() is len(text) // 3 + 4, so 300 characters estimate at 104 tokens.
SYSTEM = ChatMessage("system", "s" * 30)  # 14
U1 = ChatMessage("user", "a" * 300)  # 104
A1 = ChatMessage("assistant", "b" * 300)  # 104
U2 = ChatMessage("user", "c" * 300)  # 104
LAST = ChatMessage("user", "d" * 300)  # 104


def test_request_without_messages_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="at least one message"):
        ChatRequest(messages=())


def test_message_estimate_is_generous() -> None:
    assert ChatMessage("user", "x" * 12).estimated_tokens() == 8
    assert ChatMessage("user", "").estimated_tokens() == 4


def test_message_body_lists_content_parts() -> None:
    """The wire shape is the adapter's (``wire.message_body``); the domain message only holds the parts."""
    part = {"type": "text", "text": "hi"}
    assert message_body(ChatMessage("user", (part,))) == {"role": "user", "content": [part]}
    assert message_body(ChatMessage("assistant", "ok")) == {"role": "assistant", "content": "ok"}


def test_a_conversation_that_fits_is_unchanged() -> None:
    messages = (SYSTEM, U1, LAST)
    assert fit_to_context(messages, context_tokens=1000, reserve_tokens=100) == (messages, 0)


def test_oldest_non_system_messages_are_dropped_first() -> None:
    messages = (SYSTEM, U1, A1, U2, LAST)  # 430 estimated
    kept, dropped = fit_to_context(messages, context_tokens=400, reserve_tokens=100)  # budget 300
    assert kept == (SYSTEM, U2, LAST)
    assert dropped == 2


def test_system_messages_survive_wherever_they_are() -> None:
    late_system = ChatMessage("system", "t" * 30)
    kept, dropped = fit_to_context((U1, late_system, A1, LAST), context_tokens=200, reserve_tokens=0)
    assert kept == (late_system, LAST)
    assert dropped == 2


def test_the_reserve_shrinks_the_budget() -> None:
    messages = (SYSTEM, U1, LAST)  # 222 estimated
    assert fit_to_context(messages, context_tokens=300, reserve_tokens=50)[1] == 0
    assert fit_to_context(messages, context_tokens=300, reserve_tokens=100) == ((SYSTEM, LAST), 1)


def test_invalid_input_when_even_system_and_last_do_not_fit() -> None:
    with pytest.raises(InvalidInput) as caught:
        fit_to_context((SYSTEM, U1, LAST), context_tokens=200, reserve_tokens=100)
    assert "context window (200 tokens)" in caught.value.message
    assert "shorten the last message" in caught.value.message


def test_a_single_oversized_message_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        fit_to_context((LAST,), context_tokens=100, reserve_tokens=0)


def data_url(mime: str, size: int) -> str:
    return f"data:{mime};base64," + "A" * (size * 4 // 3)


def test_an_inline_image_counts_as_an_image_not_as_its_base64_text() -> None:
    image = ChatMessage("user", ({"type": "text", "text": "What is this?"},
                                 {"type": "image_url", "image_url": {"url": data_url("image/png", 400_000)}}))
    assert image.estimated_tokens() < 2_000
    kept, dropped = fit_to_context((image,), context_tokens=128_000, reserve_tokens=4096)
    assert (kept, dropped) == ((image,), 0)


def test_media_parts_are_counted_by_kind_and_decoded_size() -> None:
    def tokens(part: dict[str, object]) -> int:
        return ChatMessage("user", (part,)).estimated_tokens()

    remote = tokens({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}})
    inline = tokens({"type": "image_url", "image_url": {"url": data_url("image/png", 4_000_000)}})
    assert remote == inline
    audio_1mb = tokens({"type": "input_audio", "input_audio": {"data": "A" * 1_333_336, "format": "mp3"}})
    audio_2mb = tokens({"type": "input_audio", "input_audio": {"data": "A" * 2_666_668, "format": "mp3"}})
    assert 1_000 < audio_1mb < 10_000
    assert audio_2mb > audio_1mb
    video = tokens({"type": "video_url", "video_url": {"url": data_url("video/mp4", 5_000_000)}})
    assert 5_000 < video < 50_000
    pdf = tokens({"type": "file", "file": {"filename": "a.pdf", "file_data": data_url("application/pdf", 100_000)}})
    assert 500 < pdf < 5_000
    assert tokens({"type": "video_url", "video_url": {"url": "https://example.com/v.mp4"}}) > 0


def test_text_parts_count_as_text() -> None:
    text_part = ChatMessage("user", ({"type": "text", "text": "x" * 3000},))
    assert text_part.estimated_tokens() == ChatMessage("user", "x" * 3000).estimated_tokens() + 4
