"""Property-based fuzzing of every tool from its own published ``inputSchema``, through the real in-memory client.

Valid and broken arguments (``tests/support/schema_strategies.py``) go to all 15 tools. The
upstream is a loopback stub that serves only the model catalogue (every paid call gets a 404,
so nothing is ever paid and nothing leaves the machine), media URLs resolve through a table
with no entries, and input/output roots are temp folders. Every call must come back as a tool
result: no JSON-RPC error, never INTERNAL, and no traceback or path of the server's own source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import MCPError

import openrouter_multimodal.entrypoints as entrypoints
from tests.support import harness
from tests.support.harness import SyncMcp, make_container, make_settings, server_for, sync_client
from tests.support.openrouter_stub import serve_cassette
from tests.support.schema_strategies import invalid_arguments, valid_arguments

VALID_EXAMPLES = 12
BROKEN_EXAMPLES = 30
SOURCE_ROOT = str(Path(entrypoints.__file__).resolve().parents[1])
LEAKS = ("Traceback", "site-packages", '.py"', ".py'", ", line ", SOURCE_ROOT)
FUZZ = settings(max_examples=VALID_EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])
FUZZ_BROKEN = settings(FUZZ, max_examples=BROKEN_EXAMPLES)


class Session:
    def __init__(self, client: SyncMcp, schemas: dict[str, dict[str, Any]]) -> None:
        self.client = client
        self.schemas = schemas
        self.calls = 0

    def check(self, tool: str, arguments: dict[str, Any]) -> None:
        self.calls += 1
        try:
            result = self.client.call(tool, arguments)
        except MCPError as exc:
            raise AssertionError(f"{tool}: JSON-RPC error {exc.code} {exc.message!r} for {arguments!r:.300}") from None
        dumped = json.dumps(result.model_dump(by_alias=True, mode="json"), ensure_ascii=False)
        code = (result.meta or {}).get("code")
        assert code != "INTERNAL", f"{tool}: INTERNAL for {arguments!r:.300}: {dumped:.500}"
        if result.is_error:
            assert code, f"{tool}: an error result without _meta.code: {dumped:.500}"
        for leak in LEAKS:
            assert leak not in dumped, f"{tool}: {leak!r} in the result for {arguments!r:.300}: {dumped:.500}"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "inputs").mkdir()
    with serve_cassette("models") as (base_url, _):
        container = make_container(make_settings(
            base_url=base_url, max_retries=0, input_dir=str(root / "inputs"), output_dir=str(root / "outputs"),
            job_store_path=str(root / "jobs.sqlite3"), video_max_wait_ms=0))
        container.media.url_fetcher.override(harness.test_fetcher({}, set()))
        with sync_client(server_for(container)) as client:
            tools = client.list_tools().tools
            yield Session(client, {t.name: t.input_schema for t in tools})


TOOLS = ["chat_completion", "analyze_image", "analyze_audio", "analyze_video", "generate_image", "generate_audio",
         "rerank_documents", "generate_video", "generate_video_from_image", "get_video_status", "list_video_jobs",
         "get_job_status", "cancel_job",
         "search_models", "get_model_info", "validate_model", "health_check", "get_usage"]


def test_the_fuzzed_tool_list_is_the_published_one(session: Session) -> None:
    assert sorted(session.schemas) == sorted(TOOLS)


@pytest.mark.parametrize("tool", TOOLS)
def test_valid_arguments_never_crash(session: Session, tool: str) -> None:
    @FUZZ
    @given(arguments=valid_arguments(session.schemas[tool]))
    def run(arguments: dict[str, Any]) -> None:
        session.check(tool, arguments)

    run()


@pytest.mark.parametrize("tool", TOOLS)
def test_broken_arguments_are_coded_errors(session: Session, tool: str) -> None:
    @FUZZ_BROKEN
    @given(arguments=invalid_arguments(session.schemas[tool]))
    def run(arguments: dict[str, Any]) -> None:
        session.check(tool, arguments)

    run()


@FUZZ
@given(arguments=st.one_of(st.none(), st.dictionaries(st.text(max_size=8), st.integers(), max_size=3)))
def test_unknown_tools_and_empty_arguments_are_coded_errors(session: Session, arguments: dict[str, Any] | None) -> None:
    session.check("no_such_tool", arguments or {})
