"""Static checks of the Dockerfile and the compose file (no Docker engine runs on these machines)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_dockerfile_installs_a_wheel_runs_unprivileged_serves_and_checks_health() -> None:
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    kinds = [parts[0] for parts in instructions]
    assert kinds.count("FROM") == 2 and all("slim" in p[1] for p in instructions if p[0] == "FROM")
    assert "pip wheel" in text and "pip install --no-cache-dir /wheels/*.whl" in text
    user = [p[1] for p in instructions if p[0] == "USER"]
    assert user and user[-1].strip() not in ("root", "0")
    assert re.search(r"HEALTHCHECK .*\n?.*/healthz", text)
    assert '"serve"' in [p[1] for p in instructions if p[0] == "CMD"][-1]
    for source in ("domain", "application", "adapters", "entrypoints", "pyproject.toml", "README.md"):
        assert re.search(rf"^COPY .*\b{re.escape(source)}\b", text, re.M), source


def test_the_compose_file_wires_the_service_redis_and_librechat() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "docker-compose.yml").read_text())
    services = compose["services"]
    service = services["openrouter-mcp"]
    assert set(service["depends_on"]) <= set(services)
    env = service["environment"]
    assert env["OPENROUTER_STATE_URL"].startswith("redis://redis:")
    assert env["OPENROUTER_MCP_TOKENS_FILE"] == "/run/secrets/mcp_tokens"
    assert set(service["secrets"]) <= set(compose["secrets"])
    for mount in service["volumes"]:
        source = mount.split(":", 1)[0]
        assert source.startswith(("..", ".", "/")) or source in compose["volumes"], mount
    assert any(m.endswith(":ro") and "uploads" in m for m in service["volumes"])
    assert set(service["networks"]) <= set(compose["networks"])
    assert env["OPENROUTER_MCP_ALLOWED_HOSTS"].startswith("openrouter-mcp:")
