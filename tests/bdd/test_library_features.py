"""Steps for the user-images feature: the real HTTP service (uvicorn, in this process) behind a gateway token,
two LibreChat users, and a loopback OpenRouter that records every request body."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from PIL import Image
from pytest_bdd import given, parsers, scenarios, then, when

from openrouter_multimodal.entrypoints.http_app import build_http_app
from openrouter_multimodal.entrypoints.tokens import TokenBook, file_line, new_token
from tests.support.harness import make_container, make_settings
from tests.support.openrouter_stub import StubLog, serve_cassette
from tests.support.tool_results import text_of

scenarios("user_images.feature")

USERS = {"alice": "65a1b2c3d4e5f60718293a4b", "bob": "65a1b2c3d4e5f60718293a4c"}
COLORS = {"red.png": "red", "blue.png": "blue", "green.png": "green"}
CHAT = "/api/v1/chat/completions"
START_POLLS = 500


@dataclass
class HttpWorld:
    tmp: Path
    url: str = ""
    token: str = ""
    log: StubLog | None = None
    result: CallToolResult | None = None
    generated: dict[str, str] = field(default_factory=dict)
    chats_seen: int = 0
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def library(self) -> Path:
        return self.tmp / "library"


@pytest.fixture
def http(tmp_path: Path) -> Iterator[HttpWorld]:
    world = HttpWorld(tmp=tmp_path)
    with world.stack:
        yield world


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), color).save(out, "PNG")
    return out.getvalue()


@contextlib.contextmanager
def running(app: Any, sock: socket.socket) -> Iterator[None]:
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(START_POLLS):
            if server.started or not thread.is_alive():
                break
            time.sleep(0.01)
        assert server.started, "the HTTP service did not start"
        yield
    finally:
        server.should_exit = True
        thread.join()


@given(parsers.parse('the HTTP service with a folder library, a LibreChat gateway token and the upstream '
                     'replaying "{cassette}"'))
def http_service(http: HttpWorld, cassette: str) -> None:
    base_url, http.log = http.stack.enter_context(serve_cassette(cassette))
    http.token = new_token()
    tokens = http.tmp / "tokens.txt"
    tokens.write_text(file_line(http.token, "librechat", gateway=True) + "\n")
    settings = make_settings(base_url=base_url, max_retries=0, output_dir=str(http.tmp / "outputs"),
                             library_dir=str(http.library), mcp_tokens_file=str(tokens))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = build_http_app(make_container(settings), None, host="127.0.0.1", port=port,
                         tokens=TokenBook.load(str(tokens)))
    http.stack.enter_context(running(app, sock))
    http.url = f"http://127.0.0.1:{port}/mcp"


@given(parsers.parse('"{user}" uploaded "{first}" then "{second}"'))
def uploaded_two(http: HttpWorld, user: str, first: str, second: str) -> None:
    for n, name in enumerate((first, second)):
        upload(http, user, name, 1_000 + n)


@given(parsers.re(r'"(?P<user>\w+)" uploaded "(?P<name>[^"]+)"$'))
def uploaded_one(http: HttpWorld, user: str, name: str) -> None:
    upload(http, user, name, 1_500)


def upload(http: HttpWorld, user: str, name: str, mtime: int) -> None:
    folder = http.library / USERS[user]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(png(COLORS[name]))
    os.utime(path, (mtime, mtime))


def call(http: HttpWorld, user: str, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    async def run() -> CallToolResult:
        headers = {"authorization": f"Bearer {http.token}", "x-user-id": USERS[user]}
        async with (httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as client,
                    Client(streamable_http_client(http.url, http_client=client)) as session):
            return await session.call_tool(tool, arguments)

    assert http.log is not None
    http.chats_seen = sum(1 for _, path, _ in http.log.requests if path == CHAT)
    http.result = asyncio.run(run())
    return http.result


@when(parsers.parse('"{user}" calls "{tool}" over HTTP'))
def call_plain(http: HttpWorld, user: str, tool: str) -> None:
    call(http, user, tool, {})


@when(parsers.parse('"{user}" calls "{tool}" over HTTP with'))
def call_with(http: HttpWorld, user: str, tool: str, docstring: str) -> None:
    result = call(http, user, tool, json.loads(docstring))
    if tool == "generate_image" and not result.is_error and user not in http.generated:
        http.generated[user] = (result.meta or {})["images"][0]["file_id"]


@when(parsers.parse('"{user}" calls "generate_image" over HTTP with the file id of "{owner}"\'s "{name}"'))
def call_with_foreign_id(http: HttpWorld, user: str, owner: str, name: str) -> None:
    call(http, user, "generate_image", {"prompt": "steal it", "reference_images": [file_id_of(http, owner, name)]})


def file_id_of(http: HttpWorld, user: str, name: str) -> str:
    return "img_" + hashlib.sha256((http.library / USERS[user] / name).read_bytes()).hexdigest()[:32]


def listing(http: HttpWorld) -> list[dict[str, Any]]:
    result = http.result
    assert result is not None and not result.is_error, text_of(result) if result else "no call"
    images: list[dict[str, Any]] = (result.structured_content or {})["images"]
    lines = text_of(result).splitlines()
    assert len(lines) >= len(images), (lines, images)
    for i, (image, line) in enumerate(zip(images, lines, strict=False), start=1):
        size = "8x6, " if image["filename"] in COLORS else ""  # a generated image's size may be left out
        assert image["index"] == i and line.startswith(
            f"[INDEX_{i}] {image['file_id']} — {image['filename']} ({size}"), line
    return images


@then(parsers.parse('the listing is "{names}"'))
def listing_is(http: HttpWorld, names: str) -> None:
    assert [i["filename"] for i in listing(http)] == names.split(", ")


@then(parsers.parse('the listing starts with the image "{user}" just generated, then "{names}"'))
def listing_starts_with_generated(http: HttpWorld, user: str, names: str) -> None:
    images = listing(http)
    assert images[0]["file_id"] == http.generated[user] and images[0]["index"] == 1
    assert [i["filename"] for i in images[1:]] == names.split(", ")


@then("the HTTP call succeeds")
def http_succeeds(http: HttpWorld) -> None:
    assert http.result is not None and not http.result.is_error, text_of(http.result) if http.result else ""


@then(parsers.parse('the HTTP call fails with code "{code}" saying "{fragment}"'))
def http_fails(http: HttpWorld, code: str, fragment: str) -> None:
    result = http.result
    assert result is not None and result.is_error, text_of(result) if result else ""
    assert (result.meta or {}).get("code") == code and fragment in text_of(result), (result.meta, text_of(result))


def last_image_request(http: HttpWorld) -> bytes:
    assert http.log is not None
    bodies = [body for (_, path, _), body in zip(http.log.requests, http.log.small_bodies, strict=True)
              if path == CHAT]
    assert bodies, "the upstream received no image request"
    return bodies[-1]


def every_upload(http: HttpWorld) -> dict[tuple[str, str], bytes]:
    return {(user, path.name): path.read_bytes() for user, subject in USERS.items()
            for path in (http.library / subject).glob("*.png") if path.name in COLORS}


@then(parsers.parse('the upstream received the bytes of "{user}"\'s "{name}" only'))
def upstream_got(http: HttpWorld, user: str, name: str) -> None:
    body = last_image_request(http)
    for key, data in every_upload(http).items():
        sent = base64.b64encode(data) in body
        assert sent == (key == (user, name)), (key, sent)


@then("the upstream received no new image request")
def upstream_untouched(http: HttpWorld) -> None:
    assert http.log is not None
    assert sum(1 for _, path, _ in http.log.requests if path == CHAT) == http.chats_seen


@then(parsers.parse('the upstream received the bytes of the image "{user}" generated first'))
def upstream_got_generated(http: HttpWorld, user: str) -> None:
    folder = http.library / USERS[user]
    generated = {p.read_bytes() for p in folder.iterdir() if file_id_of(http, user, p.name) == http.generated[user]}
    assert len(generated) == 1
    body = last_image_request(http)
    assert base64.b64encode(generated.pop()) in body
    assert not any(base64.b64encode(data) in body for data in every_upload(http).values())
