"""Deterministic inputs for ``run.py``: two 12 MP JPEGs (photo-like and noise) and a large mp4-looking file.

``python make_inputs.py images PHOTO NOISE`` / ``python make_inputs.py video PATH BYTES``; existing files are kept.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WIDTH, HEIGHT = 4000, 3000
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def images(photo: Path, noise: Path) -> None:
    """Photo-like: smooth colour fields with fine grain (2.6 MB at quality 90); noise: random pixels (9 MB)."""
    from PIL import Image, ImageFilter

    if not photo.exists():
        small = Image.frombytes("RGB", (160, 120), random.Random(13).randbytes(160 * 120 * 3))
        base = small.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(6))
        grain = Image.effect_noise((WIDTH, HEIGHT), 24).convert("RGB")
        Image.blend(base, grain, 0.12).save(photo, quality=90)
    if not noise.exists():
        Image.frombytes("RGB", (WIDTH, HEIGHT), random.Random(7).randbytes(WIDTH * HEIGHT * 3)).save(noise, quality=85)


def video(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size == size:
        return
    block = bytes(1024 * 1024)
    with path.open("wb") as out:
        out.write(MP4_HEAD)
        left = size - len(MP4_HEAD)
        while left > 0:
            out.write(block[:left])
            left -= min(left, len(block))


if __name__ == "__main__":
    if sys.argv[1] == "images":
        images(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        video(Path(sys.argv[2]), int(sys.argv[3]))
