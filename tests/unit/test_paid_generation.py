"""Saving paid results never loses them to a name clash, and never overwrites unasked."""

from __future__ import annotations

from pathlib import Path

import pytest

from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.application.paid_generation import save_output
from openrouter_multimodal.domain.errors import InvalidInput
from openrouter_multimodal.domain.save_policy import SavePolicy

pytestmark = pytest.mark.anyio


async def test_a_reserved_name_taken_by_a_concurrent_call_keeps_the_result_under_the_next_name(tmp_path: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tmp_path)))
    reserved = await store.reserve("cat.png", stem="image", extension="png", overwrite=False)
    (tmp_path / reserved).write_bytes(b"the other call's image")
    saved = await save_output(store, reserved, reserved, b"our paid image", overwrite=False, stem="image")
    assert saved == "cat-2.png"
    assert (tmp_path / saved).read_bytes() == b"our paid image"
    assert (tmp_path / reserved).read_bytes() == b"the other call's image"


async def test_with_overwrite_the_reserved_name_is_replaced(tmp_path: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tmp_path)))
    (tmp_path / "cat.png").write_bytes(b"old")
    reserved = await store.reserve("cat.png", stem="image", extension="png", overwrite=True)
    saved = await save_output(store, reserved, reserved, b"new", overwrite=True, stem="image")
    assert (tmp_path / saved).read_bytes() == b"new"


async def test_reserving_an_existing_name_without_overwrite_is_refused_before_paying(tmp_path: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tmp_path)))
    (tmp_path / "cat.png").write_bytes(b"old")
    with pytest.raises(InvalidInput, match="overwrite"):
        await store.reserve("cat.png", stem="image", extension="png", overwrite=False)
