"""The real HTTP service as a subprocess (``openrouter-multimodal-mcp serve``), its tokens, and MCP clients for it."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import Implementation

from tests.support.loopback import free_port, serving
from tests.support.openrouter_stub import routes_from, send_recorded
from tests.support.stdio import console_script

KEY = "sk-or-v1-http0000000000000000000000000000000000000000000000000000000000"
START_ATTEMPTS = 300
"""/healthz polls (0.05 s apart) before a server that never came up fails the test; a bound, not a speed claim."""
CLIENT_TIMEOUT = httpx2.Timeout(30, read=60)


def new_token(subject: str, *, gateway: bool = False) -> tuple[str, str]:
    """``token new`` run for real: (the token, its tokens-file line)."""
    args = [console_script(), "token", "new", subject, *(["--gateway"] if gateway else [])]
    out = subprocess.run(args, capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]}).stdout
    token = re.search(r"shown once; give it to the client\): (\S+)", out)
    line = re.search(r"append to OPENROUTER_MCP_TOKENS_FILE\): (.+)", out)
    assert token and line, out
    return token.group(1), line.group(1).strip()


@dataclass
class Upstream:
    """A loopback OpenRouter answering from several replay cassettes (later cassettes win a shared route).

    ``delay_s`` holds every POST that long; ``posts`` counts the POSTs received (calls in flight or done)."""

    base_url: str = ""
    delay_s: float = 0.0
    posts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    routes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@contextlib.contextmanager
def upstream(*cassettes: str) -> Iterator[Upstream]:
    state = Upstream(routes=routes_from(*cassettes))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "POST":
                with state.lock:
                    state.posts += 1
                time.sleep(state.delay_s)
            send_recorded(self, state.routes.get((self.command, urlsplit(self.path).path)))

        do_GET = _answer
        do_POST = _answer

    with serving(Handler) as port:
        state.base_url = f"http://127.0.0.1:{port}/api/v1"
        yield state


@dataclass
class Service:
    """A running ``serve`` process: where it listens, its output root and its tokens by name."""

    process: subprocess.Popen[bytes]
    port: int
    output_dir: Path
    tokens: dict[str, str]
    stderr_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def service_env(tmp: Path, base_url: str, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "OPENROUTER_API_KEY": KEY,
            "OPENROUTER_BASE_URL": base_url, "OPENROUTER_OUTPUT_DIR": str(tmp / "outputs"),
            "OPENROUTER_MAX_RETRIES": "0", **extra}


def spawn(tmp: Path, env: dict[str, str], host: str = "127.0.0.1",
          port: int | None = None) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = port or free_port()
    stderr_path = tmp / f"serve-{port}.log"
    with stderr_path.open("wb") as sink:
        process = subprocess.Popen([console_script(), "serve", "--host", host, "--port", str(port)], env=env,
                                   cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sink)
    return process, port, stderr_path


@contextlib.contextmanager
def running_service(tmp: Path, base_url: str, users: dict[str, bool], **extra: str) -> Iterator[Service]:
    """``serve`` on a free loopback port with a tokens file of ``users`` (subject -> is a gateway), ready when
    ``/healthz`` answers 200; SIGTERM on exit."""
    tokens, lines = {}, ["# made by token new"]
    for subject, gateway in users.items():
        tokens[subject], line = new_token(subject, gateway=gateway)
        lines.append(line)
    tokens_file = tmp / "tokens.txt"
    tokens_file.write_text("\n".join(lines) + "\n")
    env = service_env(tmp, base_url, OPENROUTER_MCP_TOKENS_FILE=str(tokens_file), **extra)
    process, port, stderr_path = spawn(tmp, env)
    service = Service(process, port, tmp / "outputs", tokens, stderr_path)
    try:
        wait_healthy(service)
        yield service
    finally:
        service.stop()


def wait_healthy(service: Service) -> None:
    for _ in range(START_ATTEMPTS):
        if service.process.poll() is not None:
            raise AssertionError(f"serve exited {service.process.returncode}: {service.stderr()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{service.base}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.05)
    raise AssertionError(f"serve never became healthy: {service.stderr()}")


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@contextlib.asynccontextmanager
async def streamable(service: Service, headers: dict[str, str], name: str = "e2e-test") -> AsyncIterator[Client]:
    """The real ``mcp`` client over Streamable HTTP at ``/mcp`` with these request headers."""
    async with httpx2.AsyncClient(headers=headers, timeout=CLIENT_TIMEOUT) as http, Client(
            streamable_http_client(f"{service.base}/mcp", http_client=http),
            client_info=Implementation(name=name, version="1")) as client:
        yield client


@contextlib.asynccontextmanager
async def over_sse(service: Service, headers: dict[str, str], name: str = "e2e-test") -> AsyncIterator[Client]:
    """The real ``mcp`` client over the legacy SSE transport at ``/sse`` with these request headers."""
    async with Client(sse_client(f"{service.base}/sse", headers=headers, timeout=30),
                      client_info=Implementation(name=name, version="1")) as client:
        yield client
