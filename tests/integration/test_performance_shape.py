"""The shape that makes the server fast (issue 13), checked by behaviour, never by timing.

Start-up imports no adapter or use case and opens nothing before the first call; the upstream pool holds
more than httpx's default 100 connections; downloads reach the disk in large pieces; prepared JPEGs have
optimised Huffman tables.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from openrouter_multimodal.adapters.openrouter.config import OpenRouterConfig, build_client
from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.adapters.pillow_images import PillowImagePreparer
from openrouter_multimodal.domain.save_policy import SavePolicy
from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.server import build_server
from openrouter_multimodal.entrypoints.upstream_container import openrouter_config
from tests.support.harness import make_settings
from tests.support.loopback import serving

pytestmark = pytest.mark.anyio

KIB = 1024
SIMULTANEOUS = 150
"""More than httpx's default pool (100 connections), so the old client could never hold them all at once."""

STARTUP_PROBE = """
import json, sys
from openrouter_multimodal.entrypoints.bootstrap import bootstrap
from openrouter_multimodal.entrypoints.server import build_server
from openrouter_multimodal.entrypoints import stdio_transport, logging_setup
container, problem = bootstrap()
build_server(container, problem)
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_stdio_server_imports_no_adapter_use_case_or_heavy_library(tmp_path: Path) -> None:
    """Everything a tool family needs is imported on its first call, not before the first tools/list."""
    env = {"OPENROUTER_API_KEY": "sk-or-v1-test", "OPENROUTER_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""}
    done = subprocess.run([sys.executable, "-c", STARTUP_PROBE], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=True)
    loaded = set(json.loads(done.stdout))
    ours = {name for name in loaded if name.startswith(("openrouter_multimodal.adapters",
                                                          "openrouter_multimodal.application"))}
    heavy = {name for name in ("httpx", "redis", "pymongo", "PIL", "sqlite3") if name in loaded}
    assert ours == set() and heavy == set(), (sorted(ours), heavy)


def test_every_deferred_provider_target_exists() -> None:
    from openrouter_multimodal.entrypoints.deferred import Deferred

    container, _ = bootstrap(make_settings())
    targets = [provider.provides for provider in container.traverse()
               if isinstance(getattr(provider, "provides", None), Deferred)]
    assert len(targets) >= 40
    for target in targets:
        assert callable(target.load()), target


async def test_tools_list_starts_nothing_and_the_first_call_starts_the_app(tmp_path: Path) -> None:
    container, _ = bootstrap(make_settings(output_dir=str(tmp_path / "out")))
    server = build_server(container)
    async with Client(server) as client:
        listed = await client.list_tools()
        assert len(listed.tools) == 21
        assert not server.runtime.started
        result = await client.call_tool("get_usage", {})
        assert not result.is_error
        assert server.runtime.started
    assert not server.runtime.started


def test_pool_settings_reach_the_upstream_client() -> None:
    from openrouter_multimodal.adapters.openrouter.pool import ShardedTransport

    config = openrouter_config(make_settings(http_max_connections=300, http_max_keepalive=500,
                                             http_keepalive_ms=5_000))
    assert (config.max_connections, config.max_keepalive, config.keepalive_s) == (300, 300, 5.0)
    client = build_client(config)
    transport = client._transport
    assert isinstance(transport, ShardedTransport) and transport.shards == 10


class _Barrier(BaseHTTPRequestHandler):
    """Answers only once ``SIMULTANEOUS`` requests are open at the same time."""

    protocol_version = "HTTP/1.1"
    barrier = threading.Barrier(SIMULTANEOUS)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self.barrier.wait(timeout=30)
            body = b"ok"
        except threading.BrokenBarrierError:
            body = b"not all at once"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Listener(ThreadingHTTPServer):
    request_queue_size = 2 * SIMULTANEOUS
    daemon_threads = True


@pytest.fixture
def barrier_port() -> Iterator[int]:
    _Barrier.barrier = threading.Barrier(SIMULTANEOUS)
    with serving(_Barrier, _Listener) as port:
        yield port


async def test_the_upstream_pool_holds_a_burst_of_more_than_a_hundred_calls(barrier_port: int) -> None:
    client = build_client(OpenRouterConfig(api_key="sk", base_url=f"http://127.0.0.1:{barrier_port}/api/v1",
                                           timeout_s=60))
    try:
        replies = await asyncio.gather(*(client.get("x") for _ in range(SIMULTANEOUS)))
    finally:
        await client.aclose()
    assert {reply.text for reply in replies} == {"ok"}


async def test_a_download_reaches_the_disk_in_large_pieces(tmp_path: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tmp_path)))
    chunk = bytes(range(256)) * (64 * KIB // 256)
    async with store.atomic_writer("clip.mp4", overwrite=False) as sink:
        for _ in range(15):
            await sink.write(chunk)
        [part] = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        assert part.stat().st_size == 0, "a 64 KiB chunk went to the disk on its own"
        for _ in range(49):
            await sink.write(chunk)
    assert (tmp_path / "clip.mp4").read_bytes() == chunk * 64


async def test_a_cancelled_download_leaves_no_file(tmp_path: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tmp_path)))
    written = asyncio.Event()

    async def download() -> None:
        async with store.atomic_writer("clip.mp4", overwrite=False) as sink:
            for _ in range(80):
                await sink.write(bytes(64 * KIB))
            written.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(download())
    await written.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _huffman_tables(jpeg: bytes) -> list[bytes]:
    """The DHT segments of a JPEG, up to its first scan."""
    tables, at = [], 2
    while at + 4 <= len(jpeg) and jpeg[at] == 0xFF and jpeg[at + 1] != 0xDA:
        length = int.from_bytes(jpeg[at + 2:at + 4], "big")
        if jpeg[at + 1] == 0xC4:
            tables.append(jpeg[at + 4:at + 2 + length])
        at += 2 + length
    return tables


async def test_prepared_jpegs_have_optimised_huffman_tables() -> None:
    """Pillow writes the standard (Annex K) tables unless asked to optimise them for the image."""
    source = Image.effect_noise((1600, 1200), 40).convert("RGB")
    buffer = io.BytesIO()
    source.save(buffer, format="JPEG", quality=95)
    prepared = (await PillowImagePreparer().prepare(buffer.getvalue(), max_dimension=800, jpeg_quality=80)).data
    standard = io.BytesIO()
    Image.open(io.BytesIO(prepared)).save(standard, format="JPEG", quality=80)
    assert _huffman_tables(standard.getvalue())
    assert _huffman_tables(prepared) != _huffman_tables(standard.getvalue())
