"""Over stdio, with the installed console script: a video job outlives one server process; the next one finishes it."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.support.harness import TEST_KEY
from tests.support.loopback import serving
from tests.support.stdio import console_script

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

CLIP = (Path(__file__).resolve().parent.parent / "fixtures" / "media" / "clip.mp4").read_bytes()
JOB = "job-restart-1"


class Upstream:
    """What the scripted OpenRouter saw, and the switch that finishes the job."""

    def __init__(self) -> None:
        self.finished = threading.Event()
        self.requests: list[tuple[str, str, str | None]] = []


@contextlib.contextmanager
def scripted_openrouter() -> Iterator[tuple[str, Upstream]]:
    """A loopback HTTP server answering ``/api/v1/videos*`` and ``/api/v1/models`` like OpenRouter."""
    state = Upstream()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, json.dumps(payload).encode())

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(("POST", self.path, self.headers.get("Authorization")))
            if self.path == "/api/v1/videos":
                self._json(202, {"id": JOB, "polling_url": f"/api/v1/videos/{JOB}", "status": "pending"})
            else:
                self._json(404, {"error": {"code": 404, "message": "no such route"}})

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path, self.headers.get("Authorization")))
            path = self.path.partition("?")[0]
            if path == "/api/v1/models":
                self._json(200, {"data": []})
            elif path == f"/api/v1/videos/{JOB}":
                if state.finished.is_set():
                    self._json(200, {"id": JOB, "status": "completed", "usage": {"cost": 0.4},
                                     "unsigned_urls": [f"/api/v1/videos/{JOB}/content?index=0"]})
                else:
                    self._json(200, {"id": JOB, "status": "in_progress", "progress": 20})
            elif path == f"/api/v1/videos/{JOB}/content" and state.finished.is_set():
                self._send(200, CLIP, "video/mp4")
            else:
                self._json(404, {"error": {"code": 404, "message": "Video job not found"}})

    with serving(Handler) as port:
        yield f"http://127.0.0.1:{port}/api/v1", state


async def test_a_video_job_is_finished_by_a_new_server_process(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    with scripted_openrouter() as (base_url, upstream):
        params = StdioServerParameters(command=console_script(), args=[], cwd=str(tmp_path), env={
            "OPENROUTER_API_KEY": TEST_KEY, "OPENROUTER_BASE_URL": base_url,
            "OPENROUTER_OUTPUT_DIR": str(outputs), "OPENROUTER_JOB_STORE_PATH": str(tmp_path / "jobs.sqlite3"),
            "OPENROUTER_VIDEO_POLL_INTERVAL_MS": "50", "HOME": str(tmp_path), "OPENROUTER_LOG_LEVEL": "warning",
        })
        async with Client(params) as first:
            started = await first.call_tool("generate_video", {"prompt": "a paper boat", "max_wait_ms": 300})
        assert not started.is_error, started.content
        assert started.meta is not None and started.meta["code"] == "JOB_STILL_RUNNING"
        assert started.meta["video_id"] == JOB and started.meta["status"] == "in_progress"
        assert not [p for p in outputs.rglob("*") if p.is_file()]

        upstream.finished.set()
        async with Client(params) as second:
            finished = await second.call_tool("get_video_status", {"video_id": JOB})
        assert not finished.is_error, finished.content
        assert finished.meta is not None and finished.meta["status"] == "completed"
        saved = Path(finished.meta["saved_path"])
        assert saved.parent == outputs.resolve() and saved.suffix == ".mp4" and saved.read_bytes() == CLIP
        assert [p for p in outputs.rglob("*") if p.is_file()] == [saved]

    submits = [r for r in upstream.requests if r[0] == "POST"]
    assert len(submits) == 1 and all(auth == f"Bearer {TEST_KEY}" for _, _, auth in upstream.requests)
