"""Binds the LibreChat feature: the real ``serve`` process, a gateway token, ``x-user-id`` and the SSE transport."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp.types import CallToolResult
from pytest_bdd import given, parsers, scenarios, then, when

from tests.support.http_service import Service, bearer, over_sse, running_service, upstream
from tests.support.tool_results import text_of

scenarios("librechat.feature")
LIBRECHAT_CLIENT = "@librechat/api-client"
"""The ``clientInfo.name`` LibreChat's MCP connection declares."""


@dataclass
class Chat:
    profile: str = "auto"
    service: Service | None = None
    subject: str = ""
    gateway: str = ""
    result: CallToolResult | None = None
    refused: httpx.Response | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class Services:
    """One running service per result profile, shared by the scenarios of this module."""

    def __init__(self, tmp: pytest.TempPathFactory, base_url: str, stack: contextlib.ExitStack) -> None:
        self._tmp, self._base_url, self._stack = tmp, base_url, stack
        self._running: dict[str, Service] = {}

    def get(self, profile: str) -> Service:
        if profile not in self._running:
            extra = {} if profile == "auto" else {"OPENROUTER_RESULT_PROFILE": profile}
            self._running[profile] = self._stack.enter_context(running_service(
                self._tmp.mktemp(f"librechat-{profile}"), self._base_url, {"librechat": True}, **extra))
        return self._running[profile]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with contextlib.ExitStack() as stack:
        stub = stack.enter_context(upstream("gen_image_viewable"))
        yield Services(tmp_path_factory, stub.base_url, stack)


@pytest.fixture
def chat() -> Chat:
    return Chat()


def _service(chat: Chat) -> Service:
    assert chat.service is not None
    return chat.service


@given(parsers.parse('the HTTP service runs with a gateway token for "{name}"'))
def gateway_service(chat: Chat, services: Services, name: str) -> None:
    chat.extras["services"] = services
    chat.service = services.get(chat.profile)
    chat.gateway = name


@given(parsers.parse('the service sets OPENROUTER_RESULT_PROFILE to "{profile}"'))
def result_profile(chat: Chat, profile: str) -> None:
    chat.profile = profile
    chat.service = chat.extras["services"].get(profile)


def _generate(chat: Chat, client_name: str, subject: str, prompt: str) -> None:
    service = _service(chat)
    chat.subject = subject
    headers = bearer(service.tokens[chat.gateway], **{"x-user-id": subject})

    async def call() -> CallToolResult:
        async with over_sse(service, headers, name=client_name) as client:
            return await client.call_tool("generate_image", {"prompt": prompt})

    chat.result = anyio.run(call)


@when(parsers.parse('LibreChat asks over SSE for user "{subject}" to generate an image of "{prompt}"'))
def librechat_generates(chat: Chat, subject: str, prompt: str) -> None:
    _generate(chat, LIBRECHAT_CLIENT, subject, prompt)


@when(parsers.parse('the client "{client_name}" asks over SSE for user "{subject}" to generate an image of "{prompt}"'))
def client_generates(chat: Chat, client_name: str, subject: str, prompt: str) -> None:
    _generate(chat, client_name, subject, prompt)


@when(parsers.parse('LibreChat connects over SSE with the user header "{value}"'))
def librechat_connects(chat: Chat, value: str) -> None:
    service = _service(chat)
    chat.extras["outputs before"] = _tree(service.output_dir)
    headers = bearer(service.tokens[chat.gateway], **{"x-user-id": value})
    chat.refused = httpx.get(f"{service.base}/sse", headers=headers, timeout=10)


def _tree(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*"))


def _result(chat: Chat) -> CallToolResult:
    assert chat.result is not None
    assert not chat.result.is_error, text_of(chat.result)
    return chat.result


@then("the result starts with a text summary naming the saved file, its size and the model")
def text_summary_first(chat: Chat) -> None:
    result = _result(chat)
    first = result.content[0]
    assert first.type == "text", [block.type for block in result.content]
    saved = r"Saved image to image-[\w-]+\.png \(\d+x\d+ px \(\d+:\d+\), \d+ bytes, image/png\)"
    assert re.search(saved, first.text), first.text
    assert "google/gemini-2.5-flash-image" in first.text and "$0.0387" in first.text
    assert str(_service(chat).output_dir) not in text_of(result)


@then("the summary says the image is already shown to the user")
def says_shown(chat: Chat) -> None:
    first = _result(chat).content[0]
    assert first.type == "text" and "already shown to the user" in first.text


@then("the result has an image but no resource_link or audio blocks")
def librechat_blocks(chat: Chat) -> None:
    kinds = [block.type for block in _result(chat).content]
    assert "image" in kinds
    assert not {"resource_link", "audio"} & set(kinds), kinds


@then("the result has a resource_link block")
def has_link(chat: Chat) -> None:
    kinds = [block.type for block in _result(chat).content]
    assert "resource_link" in kinds, kinds


@then(parsers.parse('the image is saved in the folder of user "{subject}" only'))
def saved_for_user(chat: Chat, subject: str) -> None:
    users = _service(chat).output_dir / "users"
    saved = list((users / subject).glob("image-*.png"))
    assert saved, list(users.rglob("*"))
    assert not (users / "librechat").exists()
    assert not [p for p in _service(chat).output_dir.iterdir() if p.is_file()]


@then(parsers.parse("the connection is refused with HTTP {status:d} naming the user id"))
def refused(chat: Chat, status: int) -> None:
    assert chat.refused is not None
    assert chat.refused.status_code == status, chat.refused.text[:300]
    assert "user id" in chat.refused.json()["message"]


@then("no output folder was created for anyone")
def nothing_created(chat: Chat) -> None:
    assert _tree(_service(chat).output_dir) == chat.extras["outputs before"]
    assert not list(_service(chat).output_dir.parent.glob("*LIBRECHAT*"))
