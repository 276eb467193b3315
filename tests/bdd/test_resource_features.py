"""Binds the output-resources feature file."""

from __future__ import annotations

import os
from pathlib import Path

from mcp.shared.exceptions import MCPError
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.conftest import World, _client

scenarios("output_resources.feature")


def _outputs(world: World) -> Path:
    return Path(world.settings["output_dir"])


@given(parsers.parse('my output folder holds "{name}" with {size:d} bytes'))
def output_file(world: World, name: str, size: int) -> None:
    target = _outputs(world) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(os.urandom(size))


@when("I list the resources")
def list_resources(world: World) -> None:
    client = _client(world)
    world.listed = client._portal.call(client._client.list_resources).resources  # type: ignore[attr-defined]


@when(parsers.parse('I read the resource "{uri}"'))
def read_resource(world: World, uri: str) -> None:
    client = _client(world)
    try:
        world.read = client._portal.call(client._client.read_resource, uri)  # type: ignore[attr-defined]
        world.read_error = None  # type: ignore[attr-defined]
    except MCPError as exc:
        world.read, world.read_error = None, exc  # type: ignore[attr-defined]


@then(parsers.parse('the resources include "{uri}" as "{mime}"'))
def resources_include(world: World, uri: str, mime: str) -> None:
    found = {str(r.uri): r.mime_type for r in world.listed}  # type: ignore[attr-defined]
    assert found.get(uri) == mime, found


@then(parsers.parse('the resource holds the same bytes as "{name}"'))
def same_bytes(world: World, name: str) -> None:
    import base64

    contents = world.read.contents[0]  # type: ignore[attr-defined]
    assert base64.b64decode(contents.blob) == (_outputs(world) / name).read_bytes()


@then("reading the resource fails")
def read_fails(world: World) -> None:
    assert world.read_error is not None  # type: ignore[attr-defined]
