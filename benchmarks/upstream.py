"""A loopback stand-in for OpenRouter used only by the benchmarks: fast HTTP/1.1 keep-alive, canned replies.

Run: ``python benchmarks/upstream.py`` prints ``PORT <n>`` and serves until stdin closes. A path that starts
with ``/lag<ms>/`` answers after that many milliseconds (``/lag1000/api/v1`` is a 1 s upstream). Routes (under
``/api/v1``): ``POST chat/completions``; ``GET models`` (and ``/models/user``); ``GET key``; ``POST videos``;
``GET videos/<id>`` (always completed); ``GET videos/<id>/content`` (``VIDEO_BYTES`` of an mp4); anything else 404.
Request bodies are read and dropped in 1 MiB pieces, so a 133 MB upload costs no memory here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time

VIDEO_BYTES = 256_000_000
_BLOCK = 1024 * 1024
_MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
LOG = bool(os.environ.get("BENCH_UPSTREAM_LOG"))
_LAG = re.compile(r"^/lag(\d+)(/.*)$")

MODEL = {"id": "bench/chat", "name": "Bench chat", "created": 1_700_000_000, "context_length": 131072,
         "architecture": {"modality": "text+image+video->text", "input_modalities": ["text", "image", "video"],
                          "output_modalities": ["text"], "tokenizer": "Other"},
         "pricing": {"prompt": "0.000001", "completion": "0.000002", "request": "0", "image": "0"},
         "top_provider": {"context_length": 131072, "max_completion_tokens": 8192, "is_moderated": False},
         "supported_parameters": ["max_tokens", "temperature"]}
VIDEO_MODEL = {**MODEL, "id": "bench/video", "name": "Bench video",
               "architecture": {"modality": "text+image->video", "input_modalities": ["text", "image"],
                                "output_modalities": ["video"], "tokenizer": "Other"}}
CHAT = json.dumps({"id": "gen-bench", "object": "chat.completion", "created": 1_700_000_000, "model": "bench/chat",
                   "provider": "Bench", "choices": [{"index": 0, "finish_reason": "stop", "message": {
                       "role": "assistant", "content": "Benchmarks measure; they do not prove."}}],
                   "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20, "cost": 0.00002}
                   }).encode()
MODELS = json.dumps({"data": [MODEL, VIDEO_MODEL]}).encode()
KEY = json.dumps({"data": {"label": "bench", "usage": 0, "limit": None, "is_free_tier": False}}).encode()


def _job(base: str, job_id: str, status: str) -> bytes:
    body = {"id": job_id, "status": status, "polling_url": f"{base}/videos/{job_id}"}
    if status == "completed":
        body["unsigned_urls"] = [f"{base}/videos/{job_id}/content?index=0"]
    return json.dumps(body).encode()


async def _drain(reader: asyncio.StreamReader, length: int) -> None:
    while length > 0:
        chunk = await reader.read(min(_BLOCK, length))
        if not chunk:
            raise ConnectionError("client went away")
        length -= len(chunk)


def _head(status: int, length: int, kind: str = "application/json") -> bytes:
    return (f"HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {length}\r\n"
            "connection: keep-alive\r\n\r\n").encode()


async def _send_video(writer: asyncio.StreamWriter) -> None:
    writer.write(_head(200, VIDEO_BYTES, "video/mp4"))
    first, rest = _MP4_HEAD + bytes(_BLOCK - len(_MP4_HEAD)), bytes(_BLOCK)
    sent = 0
    while sent < VIDEO_BYTES:
        piece = (first if sent == 0 else rest)[:VIDEO_BYTES - sent]
        writer.write(piece)
        sent += len(piece)
        await writer.drain()


async def _answer(method: str, target: str, host: str) -> tuple[int, bytes] | None:
    path = target.split("?", 1)[0]
    lag = _LAG.match(path)
    prefix = ""
    if lag:
        await asyncio.sleep(int(lag.group(1)) / 1000)
        prefix, path = f"/lag{lag.group(1)}", lag.group(2)
    base = f"http://{host}{prefix}/api/v1"
    route = path.removeprefix("/api/v1")
    if method == "POST" and route == "/chat/completions":
        return 200, CHAT
    if method == "GET" and route in ("/models", "/models/user", "/videos/models"):
        return 200, MODELS
    if method == "GET" and route == "/key":
        return 200, KEY
    if method == "POST" and route == "/videos":
        return 200, _job(base, f"job{time.monotonic_ns()}", "pending")
    if method == "GET" and route.startswith("/videos/") and route.endswith("/content"):
        return None
    if method == "GET" and route.startswith("/videos/"):
        return 200, _job(base, route.split("/")[2], "completed")
    return 404, b'{"error":{"code":404,"message":"no such benchmark route"}}'


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            lines = request.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await _drain(reader, size + 2)
                    if size == 0:
                        break
            else:
                await _drain(reader, int(headers.get("content-length") or 0))
            if LOG:
                print(f"{time.monotonic():.3f}", method, target, headers.get("content-length"), file=sys.stderr,
                      flush=True)
            answer = await _answer(method, target, headers.get("host", "127.0.0.1"))
            if answer is None:
                await _send_video(writer)
            else:
                status, body = answer
                writer.write(_head(status, len(body)) + body)
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main() -> None:
    server = await asyncio.start_server(_serve, "127.0.0.1", 0, backlog=1024, limit=1 << 20)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
