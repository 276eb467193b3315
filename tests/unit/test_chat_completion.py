"""The chat_completion use case against fakes: defaults, model choice, context fitting, empty answers."""

from __future__ import annotations

import pytest

from openrouter_multimodal.application.background import BackgroundWork
from openrouter_multimodal.application.chat_completion import ChatCompletion, ChatDefaults
from openrouter_multimodal.application.chat_jobs import ChatJobs
from openrouter_multimodal.application.model_catalog import ModelCatalog
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest, ChatResult, ResponseCache
from openrouter_multimodal.domain.errors import (
    ConfigurationError,
    ErrorCode,
    InvalidInput,
    ModelNotFound,
    UpstreamError,
)
from openrouter_multimodal.domain.model_card import ModelCard
from openrouter_multimodal.domain.model_id import ModelId
from openrouter_multimodal.domain.provider_preferences import ProviderPreferences
from tests.fakes import FakeCatalogSource, FakeChat, FakeClock, FakeCredentials, as_call, card
from tests.video_fakes import InMemoryJobStore

pytestmark = pytest.mark.anyio

FREE = {"prompt_price": "0", "completion_price": "0"}
CARDS = [
    card("openai/gpt-4o", context=128_000),
    card("google/gemini-huge", context=1_000_000),  # paid: never picked automatically
    card("meta-llama/llama-3.3-70b-instruct:free", context=65_536, **FREE),
    card("google/gemma-3-27b-it:free", context=96_000, **FREE),
    card("openrouter/auto", context=2_000_000, **FREE),  # a router, not a model: never picked
    card("small/window", context=300),
]
HELLO = (ChatMessage("user", "Hello"),)


def make(
    defaults: ChatDefaults | None = None,
    *,
    chat: FakeChat | None = None,
    source: FakeCatalogSource | None = None,
    configured: bool = True,
) -> tuple[ChatCompletion, FakeChat, FakeCatalogSource]:
    chat = chat or FakeChat()
    source = source or FakeCatalogSource(CARDS)
    catalog = ModelCatalog(source=source, clock=FakeClock(), ttl_seconds=60)
    jobs = ChatJobs(store=InMemoryJobStore(), clock=FakeClock(), work=BackgroundWork(), lost_after_s=180)
    use_case = ChatCompletion(upstream=chat, catalog=catalog, credentials=FakeCredentials(configured),
                              defaults=defaults or ChatDefaults(), jobs=jobs)
    return use_case, chat, source


def request(model: str | None = "openai/gpt-4o", messages: tuple[ChatMessage, ...] = HELLO,
            **kw: object) -> ChatRequest:
    return ChatRequest(messages=messages, model=ModelId.parse(model) if model else None, **kw)  # type: ignore[arg-type]


async def test_no_key_is_a_configuration_error_before_any_upstream_call() -> None:
    use_case, chat, source = make(configured=False)
    with pytest.raises(ConfigurationError, match=r"\$\{api_key\}"):
        await use_case(as_call(request()))
    assert chat.requests == []
    assert source.calls == 0


async def test_explicit_model_is_used() -> None:
    use_case, chat, _ = make(ChatDefaults(default_model="google/gemini-huge"))
    result = await use_case(as_call(request("openai/gpt-4o:nitro")))
    assert str(chat.last.model) == "openai/gpt-4o:nitro"
    assert result.text == "Hello!"
    assert "model_selected_automatically" not in result.notes


async def test_configured_default_model_is_used_when_none_is_given() -> None:
    use_case, chat, _ = make(ChatDefaults(default_model="google/gemini-huge"))
    result = await use_case(as_call(request(None)))
    assert str(chat.last.model) == "google/gemini-huge"
    assert result.notes == {}


async def test_without_any_model_the_free_model_with_the_largest_context_is_chosen() -> None:
    use_case, chat, _ = make()
    result = await use_case(as_call(request(None)))
    assert str(chat.last.model) == "google/gemma-3-27b-it:free"
    assert result.notes["model_selected_automatically"] is True


async def test_without_any_free_model_the_cheapest_paid_model_is_chosen() -> None:
    source = FakeCatalogSource([card("openai/gpt-4o", prompt_price="0.000005"),
                                card("openai/gpt-4o-mini", prompt_price="0.00000015")])
    use_case, chat, _ = make(source=source)
    result = await use_case(as_call(request(None)))
    assert str(chat.last.model) == "openai/gpt-4o-mini"
    assert result.notes["model_selected_automatically"] is True


async def test_without_any_usable_model_is_invalid_input() -> None:
    use_case, chat, _ = make(source=FakeCatalogSource([card("acme/image-only", inputs=("image",))]))
    with pytest.raises(InvalidInput, match="pass 'model' explicitly"):
        await use_case(as_call(request(None)))
    assert chat.requests == []


async def test_max_tokens_defaults_from_settings_and_the_call_wins() -> None:
    use_case, chat, _ = make(ChatDefaults(max_tokens=777))
    await use_case(as_call(request()))
    assert chat.last.max_tokens == 777
    await use_case(as_call(request(max_tokens=100)))
    assert chat.last.max_tokens == 100


async def test_provider_preferences_are_merged_over_the_defaults() -> None:
    defaults = ChatDefaults(provider=ProviderPreferences(sort="price", only=("together",), allow_fallbacks=True))
    use_case, chat, _ = make(defaults)
    await use_case(as_call(request(provider=ProviderPreferences(only=("groq",), allow_fallbacks=False))))
    assert chat.last.provider == ProviderPreferences(sort="price", only=("groq",), allow_fallbacks=False)


async def test_include_reasoning_defaults_from_settings() -> None:
    use_case, chat, _ = make(ChatDefaults(include_reasoning=True))
    await use_case(as_call(request()))
    assert chat.last.include_reasoning is True
    await use_case(as_call(request(include_reasoning=False)))
    assert chat.last.include_reasoning is False


async def test_response_cache_defaults_from_cache_responses() -> None:
    use_case, chat, _ = make(ChatDefaults(cache_responses=True))
    await use_case(as_call(request(cache=ResponseCache(ttl="5m"))))
    assert chat.last.cache == ResponseCache(enabled=True, ttl="5m")
    await use_case(as_call(request(cache=ResponseCache(enabled=False))))
    assert chat.last.cache.enabled is False


async def test_response_cache_off_by_default() -> None:
    use_case, chat, _ = make()
    await use_case(as_call(request()))
    assert chat.last.cache.enabled is False


async def test_oldest_non_system_messages_are_dropped_to_fit_the_window() -> None:
    system = ChatMessage("system", "Be brief.")  # 7 estimated tokens
    old = [ChatMessage("user", "a" * 300), ChatMessage("assistant", "b" * 300), ChatMessage("user", "c" * 300)]
    last = ChatMessage("user", "Hi")
    use_case, chat, _ = make()
    # small/window has 300 tokens; max_tokens 100 leaves 200 for a 323-token conversation.
    result = await use_case(as_call(request("small/window", messages=(system, *old, last), max_tokens=100)))
    assert chat.last.messages == (system, old[2], last)
    assert result.notes["dropped_messages"] == 2


async def test_a_fitting_conversation_reports_no_dropped_messages() -> None:
    use_case, chat, _ = make()
    result = await use_case(as_call(request("openai/gpt-4o")))
    assert chat.last.messages == HELLO
    assert "dropped_messages" not in result.notes


async def test_reasoning_only_answer_cut_by_length_asks_to_raise_max_tokens() -> None:
    chat = FakeChat(ChatResult(text="  ", model="m", reasoning="Let me think…", finish_reason="length"))
    use_case, _, _ = make(chat=chat)
    with pytest.raises(InvalidInput) as caught:
        await use_case(as_call(request(max_tokens=256)))
    assert "raise max_tokens" in caught.value.message
    assert "256" in caught.value.message
    assert caught.value.details["finish_reason"] == "length"


async def test_reasoning_only_answer_otherwise_is_returned_with_a_note() -> None:
    chat = FakeChat(ChatResult(text="", model="m", reasoning="The answer is 4.", finish_reason="stop"))
    use_case, _, _ = make(chat=chat)
    result = await use_case(as_call(request()))
    assert result.text == "The answer is 4."
    assert result.notes["answer_from_reasoning"] is True


async def test_an_empty_answer_is_an_upstream_error() -> None:
    chat = FakeChat(ChatResult(text="", model="m", finish_reason="stop"))
    use_case, _, _ = make(chat=chat)
    with pytest.raises(UpstreamError) as caught:
        await use_case(as_call(request()))
    assert caught.value.code is ErrorCode.UPSTREAM_HTTP
    assert "empty answer" in caught.value.message


async def test_upstream_errors_propagate_unchanged() -> None:
    refused = UpstreamError("rate limited", code=ErrorCode.UPSTREAM_REFUSED, status=429)
    use_case, _, _ = make(chat=FakeChat(error=refused))
    with pytest.raises(UpstreamError) as caught:
        await use_case(as_call(request()))
    assert caught.value is refused


async def test_catalogue_failure_with_an_explicit_model_still_calls_upstream_unfitted() -> None:
    source = FakeCatalogSource(CARDS, error=UpstreamError("models unavailable"))
    use_case, chat, _ = make(source=source)
    long = tuple(ChatMessage("user", str(i) * 3000) for i in range(5))
    result = await use_case(as_call(request("small/window", messages=long)))
    assert chat.last.messages == long
    assert str(chat.last.model) == "small/window"
    assert "dropped_messages" not in result.notes
    assert source.calls == 1


async def test_catalogue_failure_without_any_model_is_raised() -> None:
    source = FakeCatalogSource(CARDS, error=UpstreamError("models unavailable"))
    use_case, chat, _ = make(source=source)
    with pytest.raises(UpstreamError, match="models unavailable"):
        await use_case(as_call(request(None)))
    assert chat.requests == []


async def test_a_free_variant_known_only_by_its_suffixed_id_is_still_fitted_to_its_context() -> None:
    source = FakeCatalogSource([card("tiny/ctx:free", context=4096, prompt_price="0", completion_price="0")])
    use_case, chat, _ = make(source=source)
    long = tuple(ChatMessage("user" if i % 2 == 0 else "assistant", "x" * 2000) for i in range(21))
    result = await use_case(as_call(request(None, messages=long)))
    assert str(chat.last.model) == "tiny/ctx:free"
    assert result.notes["dropped_messages"] > 0


async def test_a_400kb_inline_image_fits_a_128k_model() -> None:
    image = "data:image/png;base64," + "iVBORw0K" * 66_667
    message = ChatMessage("user", ({"type": "text", "text": "Describe it."},
                                   {"type": "image_url", "image_url": {"url": image}}))
    use_case, chat, _ = make()
    result = await use_case(as_call(request("openai/gpt-4o", messages=(message,))))
    assert chat.last.messages == (message,)
    assert "dropped_messages" not in result.notes


def sized(tokens: int) -> tuple[ChatMessage, ...]:
    """One user message whose estimate is exactly ``tokens`` (len // 3 + 4)."""
    message = ChatMessage("user", "x" * ((tokens - 4) * 3))
    assert message.estimated_tokens() == tokens
    return (message,)


@pytest.mark.parametrize(("model_card", "max_tokens", "reserve"), [
    (card("big/window", context=100_000), None, 4096),  # the default reserve: 4,096 tokens
    (card("big/short-answers", context=100_000, max_completion=1_000), None, 1_000),  # the model's own cap, if less
    (card("big/long-answers", context=100_000, max_completion=50_000), None, 4096),  # never more than the default
    (card("small/eight-k", context=8_000), None, 2_000),  # never more than a quarter of the window
    (card("big/window", context=100_000), 30_000, 30_000),  # the caller's max_tokens wins
])
async def test_the_completion_reserve_rule(model_card: ModelCard, max_tokens: int | None, reserve: int) -> None:
    """The conversation may use exactly context - reserve tokens; one more is refused. Literal numbers on purpose."""
    source = FakeCatalogSource([model_card])
    use_case, chat, _ = make(source=source)
    model = model_card.id
    assert model_card.context_length is not None
    budget = model_card.context_length - reserve
    await use_case(as_call(request(model, messages=sized(budget), max_tokens=max_tokens)))
    assert len(chat.requests) == 1
    with pytest.raises(InvalidInput, match="larger than the model's context window"):
        await use_case(as_call(request(model, messages=sized(budget + 1), max_tokens=max_tokens)))
    assert len(chat.requests) == 1


async def test_a_model_the_catalogue_does_not_list_fails_before_paying_with_close_ids() -> None:
    use_case, chat, _ = make()
    with pytest.raises(ModelNotFound) as caught:
        await use_case(as_call(request("openai/gpt-4p")))
    assert caught.value.suggestions[0] == "openai/gpt-4o"
    assert chat.requests == []


class FailingOnce(FakeCatalogSource):
    """The catalogue cannot be read at the check, but can when the upstream's refusal needs suggestions."""

    async def fetch_models(self) -> list[ModelCard]:
        try:
            return list(await super().fetch_models())
        finally:
            self.error = None


async def test_an_upstream_model_not_found_gets_the_closest_catalogue_ids() -> None:
    refused = UpstreamError("No endpoints found for openai/gpt-4p.", code=ErrorCode.MODEL_NOT_FOUND,
                            suggestions=("search_models",))
    use_case, chat, _ = make(chat=FakeChat(error=refused),
                             source=FailingOnce(CARDS, error=UpstreamError("models unavailable")))
    with pytest.raises(UpstreamError) as caught:
        await use_case(as_call(request("openai/gpt-4p")))
    assert len(chat.requests) == 1
    assert caught.value.code is ErrorCode.MODEL_NOT_FOUND
    assert caught.value.suggestions == ("openai/gpt-4o", "search_models")
    assert "Did you mean openai/gpt-4o?" in caught.value.message
