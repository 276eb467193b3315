"""Analysing a 100 MB video over stdio grows the server's peak memory by far less than one copy of the file.

The bound is on growth over a baseline (the same server's peak after analysing a 3 KB clip), not on the
absolute peak: the interpreter's own ~90 MB would otherwise hide a whole extra copy of the video.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mcp import ClientSession, stdio_client

from tests.support.openrouter_stub import serve_cassette
from tests.support.processes import server_pids, status_bytes
from tests.support.stdio import FIXTURES, params
from tests.support.tool_results import text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]
VIDEO_BYTES = 100 * 1000 * 1000
GROWTH_LIMIT = 32 * 1024 * 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to read peak RSS")
async def test_a_100_mb_video_is_streamed_not_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    video = inputs / "big.mp4"
    header = (FIXTURES / "clip.mp4").read_bytes()
    with video.open("wb") as handle:
        handle.write(header)
        block = os.urandom(1 << 20)
        written = len(header)
        while written < VIDEO_BYTES:
            piece = block[: VIDEO_BYTES - written]
            handle.write(piece)
            written += len(piece)
    (inputs / "small.mp4").write_bytes(header)
    with serve_cassette("chat_video_url") as (base_url, log):
        async with stdio_client(params(tmp_path, base_url)) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            small = await session.call_tool("analyze_video", {"video": "small.mp4", "model": "google/gemini-2.5-flash"})
            assert not small.is_error, text_of(small)
            pids = server_pids()
            assert len(pids) == 1, pids
            baseline = status_bytes(pids[0], "VmHWM")
            result = await session.call_tool("analyze_video", {"video": "big.mp4", "model": "google/gemini-2.5-flash"})
            assert not result.is_error, text_of(result)
            peak = status_bytes(pids[0], "VmHWM")
    posted = [size for method, path, size in log.requests if path.endswith("/chat/completions")]
    assert posted and posted[-1] > VIDEO_BYTES * 4 // 3
    growth = peak - baseline
    with capsys.disabled():
        print(f"\n[memory] 100 MB video: server peak RSS {peak / 1e6:.1f} MB, {growth / 1e6:.1f} MB over the "
              f"{baseline / 1e6:.1f} MB peak after a 3 KB clip; request body {posted[-1] / 1e6:.1f} MB")
    assert growth < GROWTH_LIMIT
