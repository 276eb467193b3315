"""The floor: a bare ``MCPServer`` over stdio with one tool, ``ping``; with ``BENCH_UPSTREAM`` set, two more.

``chat`` POSTs the chat body we send to ``chat/completions`` with one shared ``httpx.AsyncClient`` and
returns the reply's text; ``download`` streams a generated video's content to a file. They are the
reference for what a tool that only makes the request costs.
"""

from __future__ import annotations

import os
from typing import Any

from mcp.server.mcpserver import MCPServer

mcp = MCPServer("floor")
_client: Any = None


@mcp.tool()
def ping() -> str:
    """Return pong."""
    return "pong"


def _http() -> Any:
    global _client
    import httpx

    if _client is None:
        _client = httpx.AsyncClient(base_url=os.environ["BENCH_UPSTREAM"].rstrip("/") + "/", timeout=120,
                                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=256))
    return _client


async def chat(messages: list[dict[str, Any]], model: str = "bench/chat") -> str:
    """Send one chat turn upstream and return the reply text."""
    body = {"model": model, "messages": messages}
    response = await _http().post("chat/completions", json=body, headers={"Authorization": "Bearer bench"})
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


async def download(save_path: str) -> str:
    """Stream a generated video to ``save_path``; returns the byte count."""
    written = 0
    async with _http().stream("GET", "videos/bench/content?index=0") as response:
        with open(save_path, "wb") as out:
            async for chunk in response.aiter_raw():
                out.write(chunk)
                written += len(chunk)
    return str(written)


if os.environ.get("BENCH_UPSTREAM"):
    mcp.tool()(chat)
    mcp.tool()(download)

if __name__ == "__main__":
    mcp.run()
