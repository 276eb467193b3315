"""Times ``PillowImagePreparer.prepare`` (800 px, JPEG quality 80, as the tools call it) on each image given.

Run by ``run.py`` with the interpreter under test: ``python image_worker.py REPEAT FILE...``; prints JSON
``{file: {"ms": [...], "bytes": n}}``. The first preparation of each file is a warm-up and is not timed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from openrouter_multimodal.adapters.pillow_images import PillowImagePreparer


async def main(repeat: int, files: list[str]) -> dict[str, dict[str, object]]:
    preparer = PillowImagePreparer()
    out: dict[str, dict[str, object]] = {}
    for name in files:
        data = Path(name).read_bytes()
        prepared = await preparer.prepare(data, max_dimension=800, jpeg_quality=80)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            prepared = await preparer.prepare(data, max_dimension=800, jpeg_quality=80)
            times.append((time.perf_counter() - start) * 1000)
        out[Path(name).name] = {"ms": times, "bytes": len(prepared.data), "size": [prepared.width, prepared.height]}
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(int(sys.argv[1]), sys.argv[2:]))))
