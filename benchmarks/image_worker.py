"""Times ``PillowImagePreparer.prepare`` (800 px, JPEG quality 80, as the tools call it), one image per request.

Run by ``run.py`` with the interpreter under test: each line on stdin names a JPEG; each answer on stdout is
``{"ms": ..., "bytes": ...}``. ``run.py`` alternates these requests with ``sharp_worker.mjs``'s, one image at
a time, so both meet the same machine load.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from openrouter_multimodal.adapters.pillow_images import PillowImagePreparer


async def main() -> None:
    preparer = PillowImagePreparer()
    cache: dict[str, bytes] = {}
    for line in sys.stdin:
        name = line.strip()
        data = cache.setdefault(name, Path(name).read_bytes())
        start = time.perf_counter()
        prepared = await preparer.prepare(data, max_dimension=800, jpeg_quality=80)
        took = (time.perf_counter() - start) * 1000
        print(json.dumps({"ms": took, "bytes": len(prepared.data)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
