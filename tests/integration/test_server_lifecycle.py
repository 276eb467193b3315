"""Server lifecycle: shared clients outlive sessions; logging never touches stdout; keys stay hidden."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from mcp import Client

from openrouter_multimodal.adapters.openrouter.attachments import streamed_body
from openrouter_multimodal.adapters.openrouter.http import BearerAuth
from openrouter_multimodal.application.ports import StreamedAttachment
from openrouter_multimodal.domain.chat import ChatMessage, ChatRequest
from openrouter_multimodal.domain.media import MediaKind
from openrouter_multimodal.domain.model_id import ModelId
from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.container import shutdown
from openrouter_multimodal.entrypoints.media_settings import MediaSettings
from openrouter_multimodal.entrypoints.server import build_server
from tests.support.harness import TEST_KEY, make_settings
from tests.support.replay import use_cassette

pytestmark = pytest.mark.anyio


@pytest.fixture
def pristine_structlog() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_second_session_still_works_after_the_first_ends(tmp_path: Path) -> None:
    container, _ = bootstrap(make_settings(output_dir=str(tmp_path)))
    server = build_server(container)
    with use_cassette("key_valid"):
        for _ in range(2):
            async with Client(server) as client:
                result = await client.call_tool("health_check", {})
                assert not result.is_error
                assert result.structured_content is not None and result.structured_content["api_key_valid"]
    await shutdown(container)


async def test_bootstrap_points_an_unconfigured_structlog_at_stderr_with_redaction(
        pristine_structlog: None, capsys: pytest.CaptureFixture[str]) -> None:
    bootstrap(make_settings())
    structlog.get_logger("probe").warning("probe", detail=f"key is {TEST_KEY}")
    captured = capsys.readouterr()
    assert captured.out == ""
    line = json.loads(captured.err.strip().splitlines()[-1])
    assert line["event"] == "probe" and TEST_KEY not in captured.err


def test_the_bearer_auth_never_shows_the_key() -> None:
    assert TEST_KEY not in repr(BearerAuth(TEST_KEY))


async def test_caller_text_that_looks_like_a_placeholder_is_sent_verbatim() -> None:
    question = "what does @@attachment-00000000000000000000000000000000@@ or @@OPENROUTER_MCP_ATTACHMENT@@ mean?"
    request = ChatRequest(messages=(ChatMessage("user", question),), model=ModelId.parse("google/gemini-2.5-flash"))
    attachment = StreamedAttachment(kind=MediaKind.AUDIO, mime="audio/wav", size=3, audio_format="wav",
                                    base64="AAAA")
    stream, length = streamed_body(request, attachment)
    body = b"".join([piece async for piece in stream])
    assert len(body) == length
    content = json.loads(body)["messages"][0]["content"]
    assert content[0]["text"] == question and content[1]["input_audio"]["data"] == "AAAA"


def test_a_working_directory_that_contains_home_is_never_an_implicit_input_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path / "home")
    roots = MediaSettings().input_roots(str(tmp_path / "outputs"))
    assert roots == [tmp_path / "outputs"]
    monkeypatch.chdir(home / "..")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert MediaSettings().input_roots(str(tmp_path / "outputs"))[0] == project.resolve()
