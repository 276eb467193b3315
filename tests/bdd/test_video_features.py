"""Binds the video-jobs feature: the real container and MCP client over a scripted ``/videos`` upstream.

Replay cassettes cannot sequence polls, so the upstream is ``httpx.MockTransport`` (httpx's own
double) fed into the container's ``gateways.transport``; the clock and the sleeper are fakes,
so a "45 second" wait takes no real time.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from dependency_injector import providers
from mcp.types import ToolAnnotations
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.conftest import World, _client, _result
from tests.fakes import FakeClock
from tests.support.harness import call_with_progress
from tests.support.tool_results import text_of
from tests.video_fakes import CLIP, FakeSleeper

scenarios("video_jobs.feature")

JOB = "job-1"


class ScriptedVideos:
    """Answers OpenRouter's video endpoints; each poll takes the next step of ``script`` (the last repeats)."""

    def __init__(self, script: list[dict[str, Any]]) -> None:
        self.script = script
        self.submissions = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/api/v1/videos":
            self.submissions += 1
            return httpx.Response(202, json={"id": JOB, "polling_url": f"/api/v1/videos/{JOB}", "status": "pending"})
        if request.method == "GET" and path == f"/api/v1/videos/{JOB}":
            step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
            return httpx.Response(200, json={"id": JOB, **step})
        if request.method == "GET" and path == f"/api/v1/videos/{JOB}/content":
            return httpx.Response(200, content=CLIP, headers={"content-type": "video/mp4"})
        return httpx.Response(404, json={"error": {"code": 404, "message": "Video job not found"}})


def _step(word: str) -> dict[str, Any]:
    status, _, progress = word.strip().partition(" ")
    step: dict[str, Any] = {"status": status}
    if progress:
        step["progress"] = int(progress)
    if status == "completed":
        step.update(unsigned_urls=[f"https://openrouter.ai/api/v1/videos/{JOB}/content?index=0"],
                    usage={"cost": 0.5, "is_byok": False})
    return step


def _install(world: World, overrides: dict[str, Any], script: list[dict[str, Any]]) -> None:
    upstream = ScriptedVideos(script)
    world.video = upstream  # type: ignore[attr-defined]
    world.settings.update(job_store_path=str(world.tmp / "jobs.sqlite3"), video_poll_interval_ms=1000)
    clock = FakeClock()
    overrides["upstream.transport"] = providers.Object(httpx.MockTransport(upstream.handle))
    overrides["storage.clock"] = providers.Object(clock)
    overrides["video.sleeper"] = providers.Object(FakeSleeper(clock))


@given(parsers.parse('the video upstream reports "{statuses}"'))
def upstream_reports(world: World, container_overrides: dict[str, Any], statuses: str) -> None:
    _install(world, container_overrides, [_step(word) for word in statuses.split(",")])


@given(parsers.parse('the video upstream fails the job with "{reason}"'))
def upstream_fails(world: World, container_overrides: dict[str, Any], reason: str) -> None:
    failed = {"status": "failed", "error": {"message": reason}}
    _install(world, container_overrides, [{"status": "in_progress"}, failed])


@when("the upstream job completes")
def job_completes(world: World) -> None:
    world.video.script[:] = [_step("completed")]  # type: ignore[attr-defined]


@when("the server restarts")
def server_restarts(world: World) -> None:
    stack = world._stack  # type: ignore[attr-defined]
    client_ctx = stack.pop()
    client_ctx.__exit__(None, None, None)
    world.client = None
    _client(world)


@when(parsers.parse('I call "{tool}" with progress'))
def call_with_progress_step(world: World, tool: str, docstring: str) -> None:
    world.result, world.progress = call_with_progress(_client(world), tool, json.loads(docstring))  # type: ignore[attr-defined]
    world.results.append(world.result)


@then(parsers.parse('the client received {count:d} progress values that never decrease, ending at {last:d}'))
def progress_received(world: World, count: int, last: int) -> None:
    values = [progress for progress, _, _ in world.progress]  # type: ignore[attr-defined]
    assert len(values) == count, world.progress  # type: ignore[attr-defined]
    assert values == sorted(values) and values[-1] == last, values
    assert all(total == 100 for _, total, _ in world.progress)  # type: ignore[attr-defined]


@then(parsers.parse('the result text mentions "{fragment}"'))
def text_mentions(world: World, fragment: str) -> None:
    assert fragment in text_of(_result(world)), text_of(_result(world))


@then(parsers.parse('the output file "{name}" holds the test clip'))
def output_file_holds_clip(world: World, name: str) -> None:
    assert (world.tmp / "outputs" / name).read_bytes() == CLIP


@then("one output file holds the test clip")
def one_output_file(world: World) -> None:
    files = [p for p in (world.tmp / "outputs").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == CLIP and files[0].suffix == ".mp4", files


@then(parsers.parse('the result links to "{uri}"'))
def result_links(world: World, uri: str) -> None:
    links = [block for block in _result(world).content if block.type == "resource_link"]
    assert [str(link.uri) for link in links] == [uri]


@then(parsers.parse('the result embeds the clip as a "{mime}" resource'))
def result_embeds(world: World, mime: str) -> None:
    import base64

    embedded = [block for block in _result(world).content if block.type == "resource"]
    assert len(embedded) == 1 and embedded[0].resource.mime_type == mime
    assert base64.b64decode(embedded[0].resource.blob) == CLIP  # type: ignore[union-attr]
    assert all(block.type in {"text", "resource_link", "resource"} for block in _result(world).content)


@then(parsers.parse("the video upstream received {count:d} submission"))
def submissions(world: World, count: int) -> None:
    assert world.video.submissions == count  # type: ignore[attr-defined]


@then(parsers.parse(
    'the tool "{name}" is annotated readOnly {read_only}, destructive {destructive}, idempotent {idempotent}, '
    'openWorld {open_world}'))
def annotated(world: World, name: str, read_only: str, destructive: str, idempotent: str, open_world: str) -> None:
    tool = next(t for t in _client(world).list_tools().tools if t.name == name)
    hints = tool.annotations or ToolAnnotations()
    sent = (hints.read_only_hint, hints.idempotent_hint, hints.open_world_hint, hints.destructive_hint)
    meant = tuple(default if value is None else value for value, default in zip(sent, (False, False, True, True),
                                                                                strict=True))
    expected = (read_only == "true", idempotent == "true", open_world == "true", destructive == "true")
    if meant[0]:  # read-only: destructive and idempotent mean nothing (MCP), so they are not sent
        meant, expected = meant[::2], expected[::2]
    assert meant == expected
    assert len(json.dumps(tool.model_dump(by_alias=True, mode="json", exclude_none=True))) < 2500

