"""Check-then-use races: a directory inside a root keeps flipping to a symlink to outside while we work."""

from __future__ import annotations

from pathlib import Path

import pytest

from openrouter_multimodal.adapters.input_sandbox import SandboxedFileReader
from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.domain.errors import ErrorCode, OpenRouterMcpError
from openrouter_multimodal.domain.save_policy import SavePolicy
from tests.support.flipper import flipping

pytestmark = pytest.mark.anyio

INPUT_CALLS = 400
OUTPUT_CALLS = 300


async def test_reader_never_reads_outside_while_a_directory_flips(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "flip").mkdir(parents=True)
    outside.mkdir()
    (root / "flip" / "img.png").write_bytes(b"INSIDE")
    (outside / "img.png").write_bytes(b"SECRET")
    reader = SandboxedFileReader([root], allow_unsafe=False)
    read: list[bytes] = []
    codes: list[ErrorCode] = []
    with flipping(root / "flip", outside):
        for _ in range(INPUT_CALLS):
            try:
                async with await reader.open("flip/img.png") as handle:
                    read.append(await handle.read_all(100))
            except OpenRouterMcpError as exc:
                codes.append(exc.code)
    assert read.count(b"SECRET") == 0
    assert set(read) <= {b"INSIDE"}
    assert ErrorCode.INTERNAL not in codes
    assert len(read) + len(codes) == INPUT_CALLS


async def test_writer_never_writes_outside_while_a_directory_flips(tmp_path: Path) -> None:
    root, outside = tmp_path / "out", tmp_path / "outside"
    (root / "flip").mkdir(parents=True)
    outside.mkdir()
    store = LocalOutputStore(SavePolicy(str(root)))
    saved = 0
    codes: list[str] = []
    with flipping(root / "flip", outside):
        for i in range(OUTPUT_CALLS):
            try:
                name = await store.reserve(f"flip/x{i}.png", stem="image", extension="png", overwrite=False)
                await store.write(name, b"PNGDATA", overwrite=False)
                saved += 1
            except OpenRouterMcpError as exc:
                codes.append(exc.code.value)
            except Exception as exc:  # anything uncoded would reach the caller as INTERNAL
                codes.append(f"INTERNAL:{type(exc).__name__}")
    escaped = [p.name for p in outside.rglob("*")]
    assert [n for n in escaped if n.endswith(".part")] == []
    assert escaped == []
    assert [c for c in codes if c.startswith("INTERNAL")] == []
    assert set(codes) <= {ErrorCode.UNSAFE_PATH.value, ErrorCode.INVALID_INPUT.value}
    assert saved + len(codes) == OUTPUT_CALLS
