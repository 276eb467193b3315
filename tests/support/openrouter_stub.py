"""A real loopback HTTP server that answers like OpenRouter from a replay cassette (for subprocess tests)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.support.loopback import serving
from tests.support.replay import CASSETTES


@dataclass
class StubLog:
    """What the stub received: (method, path, body size) per request, and the bodies below 1 MiB."""

    requests: list[tuple[str, str, int]] = field(default_factory=list)
    small_bodies: list[bytes] = field(default_factory=list)


def routes_from(*cassettes: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(method, path) -> recorded response, from each cassette in turn (a later cassette wins a shared route)."""
    routes: dict[tuple[str, str], dict[str, Any]] = {}
    for cassette in cassettes:
        data = yaml.safe_load((CASSETTES / f"{cassette}.yaml").read_text())
        routes.update({(i["request"]["method"], urlsplit(i["request"]["uri"]).path): i["response"]
                       for i in data["interactions"]})
    return routes


def send_recorded(handler: BaseHTTPRequestHandler, response: dict[str, Any] | None) -> None:
    """Answer with a cassette's recorded response (a 404 JSON error for ``None``), with an exact Content-Length."""
    if response is None:
        body, status, headers = b'{"error":{"code":404,"message":"no such stub route"}}', 404, {}
    else:
        raw = response["body"]["string"]
        body = raw if isinstance(raw, bytes) else raw.encode()
        status = response["status"]["code"]
        headers = {k: v[0] for k, v in response.get("headers", {}).items()}
    handler.send_response(status)
    for name, value in headers.items():
        if name.lower() not in {"content-length", "transfer-encoding", "content-encoding"}:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def serve_cassette(cassette: str) -> Iterator[tuple[str, StubLog]]:
    """Yields the base URL to use as OPENROUTER_BASE_URL, and the request log."""
    routes = routes_from(cassette)
    log = StubLog()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received, kept = 0, bytearray()
            while received < length:
                chunk = self.rfile.read(min(1 << 20, length - received))
                if not chunk:
                    break
                received += len(chunk)
                if len(kept) < (1 << 20):
                    kept.extend(chunk[: (1 << 20) - len(kept)])
            path = urlsplit(self.path).path
            log.requests.append((self.command, path, received))
            if received < (1 << 20):
                log.small_bodies.append(bytes(kept))
            send_recorded(self, routes.get((self.command, path)))

        do_GET = _answer
        do_POST = _answer

    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}/api/v1", log
