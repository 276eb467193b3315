"""Steps for the spend-policy feature: a policy file, a clock under the test's control, bursts of calls."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from dependency_injector import providers
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.conftest import World, _client
from tests.fakes import FakeClock

scenarios("spend_policy.feature")


@given("the policy")
def the_policy(world: World, docstring: str) -> None:
    path = world.tmp / "policy.yaml"
    path.write_text(docstring, encoding="utf-8")
    world.settings["policy_file"] = str(path)


@given(parsers.parse('the clock reads "{moment}"'))
def the_clock(world: World, moment: str) -> None:
    moment_s = datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()
    clock = FakeClock(monotonic=moment_s, now=moment_s)
    world.overrides["storage.clock"] = providers.Object(clock)
    world.clock = clock  # type: ignore[attr-defined]


@when(parsers.parse("the clock moves on by {seconds:d} seconds"))
def clock_moves(world: World, seconds: int) -> None:
    world.clock.advance(seconds)  # type: ignore[attr-defined]


@when(parsers.parse('I call "{tool}" {count:d} times with'))
def call_many(world: World, tool: str, count: int, docstring: str) -> None:
    client = _client(world)
    arguments = json.loads(docstring)
    world.burst = [client.call(tool, arguments) for _ in range(count)]  # type: ignore[attr-defined]
    world.result = world.burst[-1]  # type: ignore[attr-defined]
    world.results.extend(world.burst)  # type: ignore[attr-defined]


def _code(result: Any) -> str | None:
    return (result.meta or {}).get("code") if result.is_error else None


@then(parsers.parse('{ok:d} calls succeed and {refused:d} fail with code "{code}"'))
def burst_outcome(world: World, ok: int, refused: int, code: str) -> None:
    burst = world.burst  # type: ignore[attr-defined]
    assert sum(1 for r in burst if not r.is_error) == ok, [r.content[0].text for r in burst if r.is_error][:3]
    assert sum(1 for r in burst if _code(r) == code) == refused
    world.result = next((r for r in burst if r.is_error), burst[-1])


@then(parsers.parse('every refusal gives the reason "{reason}" and a wait in retry_after_seconds'))
def refusals_explained(world: World, reason: str) -> None:
    refusals = [r for r in world.burst if r.is_error]  # type: ignore[attr-defined]
    assert refusals
    for result in refusals:
        meta = result.meta or {}
        assert meta["details"]["reason"] == reason
        assert meta["retry_after_seconds"] > 0
        assert len(result.content[0].text.splitlines()) == 1


@then(parsers.parse('the tool list does not name "{tool}"'))
def not_listed(world: World, tool: str) -> None:
    names = [t.name for t in _client(world).list_tools().tools]
    assert tool not in names and "health_check" in names


@then(parsers.parse('the upstream received no request to "{path}"'))
def no_request(world: World, path: str) -> None:
    assert not [r for r in world.sent if r.url.path == path]
