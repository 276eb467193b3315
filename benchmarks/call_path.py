"""Which of our modules one analyze_image call passes through, in first-visit order, and its layer crossings.

Run: ``python benchmarks/call_path.py`` (needs the dev install; the upstream is a loopback stub).
"""

from __future__ import annotations

import asyncio
import base64
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.harness import make_container, make_settings, server_for
from tests.support.openrouter_stub import serve_cassette

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


async def main() -> None:
    from mcp import Client

    with tempfile.TemporaryDirectory() as tmp, serve_cassette("chat_image_url") as (base_url, _log):
        Path(tmp, "in").mkdir()
        Path(tmp, "in", "dot.png").write_bytes(PNG)
        settings = make_settings(base_url=base_url, input_dir=str(Path(tmp, "in")),
                                 output_dir=str(Path(tmp, "out")), default_vision_model="openai/gpt-4o-mini")
        container = make_container(settings)
        server = server_for(container)
        async with Client(server) as client:
            await client.call_tool("analyze_image", {"image": "dot.png"})
            visited: list[str] = []
            stack_layers: list[str] = []
            crossings = 0
            deepest: list[str] = []

            def profile(frame: Any, event: str, arg: Any) -> None:
                nonlocal crossings
                if event != "call":
                    return
                module = frame.f_globals.get("__name__", "")
                if module == "httpx._client" and frame.f_code.co_name == "send" and not deepest:
                    walk = frame
                    while walk is not None:
                        name = walk.f_globals.get("__name__", "")
                        if name.startswith("openrouter_multimodal."):
                            deepest.append(name.removeprefix("openrouter_multimodal."))
                        walk = walk.f_back
                    deepest.reverse()
                if not module.startswith("openrouter_multimodal."):
                    return
                if module not in visited:
                    visited.append(module)
                here = layer(module.removeprefix("openrouter_multimodal."))
                if stack_layers and stack_layers[-1] != here:
                    crossings += 1
                stack_layers.append(here)

            sys.setprofile(profile)
            try:
                result = await client.call_tool("analyze_image", {"image": "dot.png"})
            finally:
                sys.setprofile(None)
        assert not result.is_error, result
    chain = [m for i, m in enumerate(deepest) if i == 0 or deepest[i - 1] != m]
    changes = sum(1 for a, b in zip(chain, chain[1:], strict=False) if layer(a) != layer(b))
    print(f"{len(visited)} of our modules run during one analyze_image call")
    print(f"stack at the upstream chat request: {len(chain)} frames' modules, {changes} layer crossings")
    for module in chain:
        print("  ", module)
    print("all modules visited:", ", ".join(m.removeprefix("openrouter_multimodal.") for m in visited))


if __name__ == "__main__":
    asyncio.run(main())
