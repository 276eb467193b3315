"""End to end over HTTP: the installed ``serve`` command on loopback, driven by the real ``mcp`` client over
Streamable HTTP and SSE: bearer tokens, gateway identity, per-user isolation and many sessions at once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anyio
import httpx
import pytest
from mcp import MCPError

from tests.support.http_service import (
    Service,
    Upstream,
    bearer,
    over_sse,
    running_service,
    streamable,
    upstream,
)
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
USERS = {"alice": False, "bob": False, "carol": False, "librechat-gw": True}
MONGO_ID = "64f1c0ffee0123456789abcd"
LEGACY_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
               "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "raw-http", "version": "1"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
SESSIONS = 50


@pytest.fixture(scope="module")
def stub() -> Iterator[Upstream]:
    with upstream("gen_video_complete", "gen_image") as state:
        yield state


@pytest.fixture(scope="module")
def service(stub: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("http"), stub.base_url, USERS,
                         OPENROUTER_VIDEO_POLL_INTERVAL_MS="50") as running:
        yield running


def files_of(service: Service, subject: str) -> set[str]:
    folder = service.output_dir / "users" / subject
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def raw_initialize(service: Service, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{service.base}/mcp", json=LEGACY_INIT, headers={**MCP_HEADERS, **headers}, timeout=10)


def test_requests_without_a_valid_token_get_401_and_healthz_stays_open(service: Service) -> None:
    wrong = bearer("ormcp_" + "x" * 43)
    for headers in ({}, wrong, {"Authorization": service.tokens["alice"]}, {"Authorization": "Basic YWxpY2U6eA=="}):
        answer = raw_initialize(service, headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "mcp-session-id" not in answer.headers
        assert httpx.get(f"{service.base}/sse", headers=headers, timeout=10).status_code == 401
        assert httpx.post(f"{service.base}/messages/?session_id=0123456789abcdef", headers=headers,
                          json={}, timeout=10).status_code == 401
    health = httpx.get(f"{service.base}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["state_store"] == "reachable"
    assert raw_initialize(service, bearer(service.tokens["alice"])).status_code == 200


async def test_a_user_token_makes_its_subject_the_caller_over_both_transports(service: Service) -> None:
    async with streamable(service, bearer(service.tokens["alice"])) as client:
        made = await client.call_tool("generate_image", {"prompt": "A cat"})
    assert not made.is_error, text_of(made)
    async with over_sse(service, bearer(service.tokens["alice"])) as client:
        listed = {r.name for r in (await client.list_resources()).resources}
    saved = files_of(service, "alice")
    assert saved and saved <= listed
    assert str(service.output_dir) not in text_of(made)


async def test_a_user_tokens_identity_header_is_ignored(service: Service) -> None:
    async with streamable(service, bearer(service.tokens["carol"], **{"x-user-id": "dave"})) as client:
        made = await client.call_tool("generate_image", {"prompt": "A cat"})
    assert not made.is_error, text_of(made)
    assert files_of(service, "carol") and not files_of(service, "dave")


async def test_a_gateway_names_its_user_or_acts_as_itself(service: Service) -> None:
    gateway = service.tokens["librechat-gw"]
    async with over_sse(service, bearer(gateway, **{"x-user-id": MONGO_ID})) as client:
        named = await client.call_tool("generate_image", {"prompt": "A cat"})
    async with streamable(service, bearer(gateway)) as client:
        itself = await client.call_tool("generate_image", {"prompt": "A cat"})
    assert not named.is_error and not itself.is_error
    assert len(files_of(service, MONGO_ID)) == 1 and len(files_of(service, "librechat-gw")) == 1


@pytest.mark.parametrize("named", ["", "../x", "..", "a/b", "{{LIBRECHAT_USER_ID}}", "x" * 129],
                         ids=["empty", "dotdot-x", "dotdot", "slash", "placeholder", "too-long"])
def test_a_gateways_malformed_user_header_is_refused_never_served(service: Service, named: str) -> None:
    before = sorted(p.relative_to(service.output_dir) for p in service.output_dir.rglob("*"))
    answer = raw_initialize(service, bearer(service.tokens["librechat-gw"], **{"x-user-id": named}))
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "bad_identity" and "mcp-session-id" not in answer.headers
    assert sorted(p.relative_to(service.output_dir) for p in service.output_dir.rglob("*")) == before
    assert not (service.output_dir.parent / "x").exists()


async def test_two_users_see_only_their_own_files_and_video_jobs(service: Service) -> None:
    async with streamable(service, bearer(service.tokens["alice"])) as alice:
        video = await alice.call_tool("generate_video", {"prompt": "A cat"})
        assert not video.is_error, text_of(video)
        assert video.meta is not None
        job_id = video.meta["video_id"]
        own = await alice.call_tool("get_video_status", {"video_id": job_id})
        assert not own.is_error, text_of(own)
        alice_uris = [r.uri for r in (await alice.list_resources()).resources if r.uri.startswith("output://")]
        assert alice_uris
        alice_jobs = text_of(await alice.call_tool("list_video_jobs", {}))
        assert job_id in alice_jobs
    for opened in (streamable, over_sse):
        async with opened(service, bearer(service.tokens["bob"])) as bob:
            assert [r for r in (await bob.list_resources()).resources if r.uri.startswith("output://")] == []
            for uri in alice_uris:
                with pytest.raises(MCPError):
                    await bob.read_resource(uri)
            stolen = await bob.call_tool("get_video_status", {"video_id": job_id})
            assert stolen.is_error and stolen.meta is not None and stolen.meta["code"] == "INVALID_INPUT"
            listed = await bob.call_tool("list_video_jobs", {})
            assert not listed.is_error and job_id not in text_of(listed)
            assert job_id not in json.dumps(listed.model_dump(mode="json"))
    assert files_of(service, "bob") == set()


def test_a_streamable_http_session_answers_only_the_caller_who_opened_it(service: Service) -> None:
    opened = raw_initialize(service, bearer(service.tokens["alice"]))
    assert opened.status_code == 200
    session = opened.headers["mcp-session-id"]
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    for intruder in (bearer(service.tokens["bob"]), bearer(service.tokens["librechat-gw"], **{"x-user-id": "mallory"})):
        answer = httpx.post(f"{service.base}/mcp", json=listing, timeout=10,
                            headers={**MCP_HEADERS, **intruder, "mcp-session-id": session})
        assert answer.status_code == 404, answer.text[:300]
        assert "tools" not in answer.text
    done = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    own = httpx.post(f"{service.base}/mcp", json=done, timeout=10,
                     headers={**MCP_HEADERS, **bearer(service.tokens["alice"]), "mcp-session-id": session})
    assert own.status_code == 202, own.text


def test_an_sse_session_answers_only_the_caller_who_opened_it(service: Service) -> None:
    with httpx.stream("GET", f"{service.base}/sse", headers=bearer(service.tokens["alice"]), timeout=10) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        endpoint = next(line for line in lines if line.startswith("data:"))[5:].strip()
        assert "session_id=" in endpoint
        message = dict(LEGACY_INIT, id=7)
        stolen = httpx.post(f"{service.base}{endpoint}", json=message, headers=bearer(service.tokens["bob"]),
                            timeout=10)
        assert stolen.status_code == 404, stolen.text
        own = httpx.post(f"{service.base}{endpoint}", json=message, headers=bearer(service.tokens["alice"]),
                         timeout=10)
        assert own.status_code == 202, own.text


async def test_fifty_concurrent_sessions_each_make_a_call(service: Service) -> None:
    outcomes: dict[str, str] = {}

    async def session(number: int) -> None:
        subject = f"load-{number:02d}"
        opened = streamable if number % 2 else over_sse
        async with opened(service, bearer(service.tokens["librechat-gw"], **{"x-user-id": subject})) as client:
            result = await client.call_tool("get_usage", {})
            outcomes[subject] = "error" if result.is_error else text_of(result)

    async with anyio.create_task_group() as group:
        for number in range(SESSIONS):
            group.start_soon(session, number)
    assert len(outcomes) == SESSIONS
    assert all(text.startswith("day:") for text in outcomes.values()), outcomes


def test_the_dns_rebinding_host_check_stays_on(service: Service) -> None:
    spoofed = {**bearer(service.tokens["alice"]), "Host": "attacker.example"}
    assert raw_initialize(service, spoofed).status_code == 421
    assert httpx.get(f"{service.base}/sse", headers=spoofed, timeout=10).status_code == 421
    assert raw_initialize(service, {**bearer(service.tokens["alice"]), "Host": f"localhost:{service.port}"}
                          ).status_code == 200
