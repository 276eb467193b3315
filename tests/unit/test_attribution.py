"""OpenRouter's per-user fields: a stable pseudonym as ``user`` and the conversation as ``session_id``."""

from __future__ import annotations

import pytest

from openrouter_multimodal.adapters.openrouter.images import image_body
from openrouter_multimodal.adapters.openrouter.speech import speech_body
from openrouter_multimodal.adapters.openrouter.wire import chat_body, session_header
from openrouter_multimodal.domain.caller import Attribution, Caller, IdentitySource
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.generation import AudioRequest, ImageRequest
from openrouter_multimodal.domain.model_id import ModelId


def test_the_pseudonym_is_stable_per_subject_and_salt_and_hides_the_subject() -> None:
    alice = Caller("alice", IdentitySource.GATEWAY, conversation_id="conv-1")
    assert alice.pseudonym() == Caller("alice").pseudonym()
    assert alice.pseudonym() != Caller("bob").pseudonym()
    assert alice.pseudonym("salt") != alice.pseudonym()
    assert "alice" not in alice.pseudonym() and alice.pseudonym().startswith("u-")
    assert alice.attribution() == Attribution(user=alice.pseudonym(), session_id="conv-1")


@pytest.mark.parametrize("subject", ["", "  ", "../x", ".", "..", "a/b", "{{LIBRECHAT_USER_ID}}", "x" * 129, "é"])
def test_unusable_subjects_are_refused(subject: str) -> None:
    with pytest.raises(InvalidInput):
        Caller(subject)


def test_chat_shaped_bodies_carry_user_and_session_and_media_endpoints_get_the_header() -> None:
    attribution = Caller("alice", conversation_id="conv-9").attribution()
    chat = chat_body(ChatRequest(messages=(ChatMessage("user", "hi"),), model=ModelId.parse("a/b"),
                                 attribution=attribution))
    assert chat["user"] == attribution.user and chat["session_id"] == "conv-9"
    image = image_body(ImageRequest(model=ModelId.parse("a/b"), prompt="x", attribution=attribution))
    speech = speech_body(AudioRequest(model=ModelId.parse("a/b"), prompt="x", voice="alloy", format="wav",
                                      attribution=attribution))
    assert image["user"] == speech["user"] == attribution.user
    assert session_header(attribution) == {"x-session-id": "conv-9"}
    anonymous = chat_body(ChatRequest(messages=(ChatMessage("user", "hi"),), model=ModelId.parse("a/b")))
    assert "user" not in anonymous and "session_id" not in anonymous
