"""No secret leaves the server: an upstream that echoes the key and a base URL with credentials, driven through
the installed console script by the real stdio client; every result and every stderr line is searched."""

from __future__ import annotations

import base64
import contextlib
import json
import os
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.support.loopback import free_port, serving
from tests.support.stdio import console_script

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
KEY = "sk-or-v1-leak0000000000000000000000000000000000000000000000000000000"
PASSWORD = "PASS-w0rd%2Fs3cret"
DECODED_PASSWORD = "PASS-w0rd/s3cret"
SECRETS = (KEY, PASSWORD, DECODED_PASSWORD, f"proxyuser:{DECODED_PASSWORD}",
           base64.b64encode(f"proxyuser:{DECODED_PASSWORD}".encode()).decode())
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("chat_completion", {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}),
    ("health_check", {}),
    ("search_models", {"query": "gpt"}),
    ("get_model_info", {"model": "openai/gpt-4o"}),
    ("validate_model", {"model": "openai/gpt-4o"}),
    ("generate_image", {"prompt": "a cat", "model": "google/gemini-2.5-flash-image"}),
]


@contextlib.contextmanager
def echoing_gateway() -> Iterator[tuple[int, list[str]]]:
    """Answers every request 400 with an error quoting its Authorization header, every header in
    ``metadata.raw``, and the URL it was configured with (credentials included), as careless gateways do."""
    seen: list[str] = []
    holder: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _echo(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            auth = self.headers.get("Authorization", "")
            seen.append(auth)
            gateway_url = f"http://proxyuser:{PASSWORD}@127.0.0.1:{holder['port']}/api/v1"
            body = json.dumps({"error": {"code": 400, "message": f"Invalid header Authorization: {auth}",
                                         "metadata": {"raw": str(dict(self.headers.items())),
                                                      "provider_name": f"gateway {gateway_url}"}}}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _echo

    with serving(Handler) as port:
        holder["port"] = port
        yield port, seen


def params(tmp_path: Path, base_url: str) -> StdioServerParameters:
    env = {"OPENROUTER_API_KEY": KEY, "OPENROUTER_BASE_URL": base_url, "HOME": str(tmp_path),
           "OPENROUTER_OUTPUT_DIR": str(tmp_path / "outputs"), "OPENROUTER_MAX_RETRIES": "0",
           "OPENROUTER_LOG_LEVEL": "debug", "PATH": os.environ.get("PATH", "")}
    return StdioServerParameters(command=console_script(), args=[], env=env, cwd=str(tmp_path))


async def run_every_call(tmp_path: Path, base_url: str) -> tuple[list[str], str]:
    errlog = tmp_path / "stderr.log"
    results: list[str] = []
    with errlog.open("w") as err:
        async with stdio_client(params(tmp_path, base_url), errlog=err) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            for name, arguments in CALLS:
                result = await session.call_tool(name, arguments)
                results.append(json.dumps(result.model_dump(mode="json", by_alias=True)))
    return results, errlog.read_text()


def assert_no_secret(results: list[str], stderr: str) -> None:
    assert stderr.strip(), "the server logged nothing: the log half of this test would prove nothing"
    for secret in SECRETS:
        for name_and_result in zip(CALLS, results, strict=True):
            assert secret not in name_and_result[1], (secret, name_and_result)
        for line in stderr.splitlines():
            assert secret not in line, (secret, line)


async def test_an_upstream_echoing_the_key_and_the_url_credentials(tmp_path: Path) -> None:
    with echoing_gateway() as (port, seen):
        results, stderr = await run_every_call(tmp_path, f"http://proxyuser:{PASSWORD}@127.0.0.1:{port}/api/v1")
    assert f"Bearer {KEY}" in seen, "the stub never saw the key: nothing was there to leak"
    assert any("Invalid header Authorization: Bearer [REDACTED]" in r for r in results)
    assert any("[REDACTED]" in r and "gateway http://" in r for r in results)
    assert_no_secret(results, stderr)


async def test_network_errors_name_the_base_url_without_its_credentials(tmp_path: Path) -> None:
    results, stderr = await run_every_call(
        tmp_path, f"http://proxyuser:{PASSWORD}@127.0.0.1:{free_port()}/api/v1")
    assert any("could not reach" in r for r in results)
    assert_no_secret(results, stderr)
