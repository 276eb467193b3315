"""Every client configuration block in the README is run: initialize and tools/list through the real MCP stdio
client. Placeholders become this checkout, a scratch home and a dummy key; ``uvx`` blocks need ``uvx`` on PATH."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.support.stdio import EXPECTED_TOOLS, console_script

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]
CLONE = "/absolute/path/to/openrouter-multimodal-mcp"
KEY = "sk-or-v1-readme000000000000000000000000000000000000000000000000000000"
FAILURE_BOUND_S = 600
NETWORK_SETTINGS = re.compile(r"^(UV_\w+|SSL_CERT_\w+|PIP_\w+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$")


def readme_configs() -> list[tuple[str, dict[str, Any]]]:
    blocks = re.findall(r"```json\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.DOTALL)
    configs: list[tuple[str, dict[str, Any]]] = []
    for number, block in enumerate(blocks, 1):
        document = json.loads(block)
        for name, server in {**document.get("mcpServers", {}), **document.get("servers", {})}.items():
            if "command" in server:  # remote (HTTP) configs are run by tests/e2e/test_http_service.py's kind
                configs.append((f"block{number}-{name}-{Path(server['command']).name}", server))
    return configs


CONFIGS = readme_configs()


def test_the_readme_has_client_configs_of_each_kind() -> None:
    commands = {Path(server["command"]).name for _, server in CONFIGS}
    assert commands == {"uvx", "openrouter-multimodal-mcp"}
    assert not any("args" in server and server["args"] == ["openrouter-multimodal-mcp"] for _, server in CONFIGS), \
        "a bare 'uvx openrouter-multimodal-mcp' would fetch a package that is not this server"


def concrete(server: dict[str, Any], home: Path) -> StdioServerParameters:
    def fill(text: str) -> str:
        text = text.replace("/Users/me", str(home)).replace("${input:openrouter-key}", KEY)
        return text.replace("sk-or-v1-...", KEY).replace(CLONE, str(ROOT))

    command = fill(server["command"])
    if command.endswith("/.venv/bin/openrouter-multimodal-mcp"):
        command = console_script()  # this checkout's virtual environment, wherever it lives
    elif command == "uvx" and shutil.which("uvx") is None:
        pytest.skip("uvx is not installed here")
    env = {name: fill(value) for name, value in server.get("env", {}).items()}
    if command == "uvx":  # uv reaches the package index with this machine's network settings, as a desktop would
        env.update({name: value for name, value in os.environ.items() if NETWORK_SETTINGS.match(name)})
    return StdioServerParameters(command=command, args=[fill(a) for a in server.get("args", [])], env=env,
                                 cwd=str(home))


@pytest.mark.parametrize("server", [server for _, server in CONFIGS], ids=[name for name, _ in CONFIGS])
async def test_a_readme_config_starts_the_server(tmp_path: Path, server: dict[str, Any]) -> None:
    for folder in ("Pictures", "Downloads"):
        (tmp_path / folder).mkdir()
    params = concrete(server, tmp_path)
    log = tmp_path / "stderr.log"
    try:
        with anyio.fail_after(FAILURE_BOUND_S), log.open("w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(read, write) as session:
                init = await session.initialize()
                tools = {tool.name for tool in (await session.list_tools()).tools}
    except BaseException:
        print(log.read_text())
        raise
    assert init.server_info.name == "openrouter-multimodal-mcp"
    assert tools >= EXPECTED_TOOLS
