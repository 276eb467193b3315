"""The output store under faults: no hard links, a full or read-only disk, symlink loops, leftover temp files."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.noreplace import exclusive_copy, place_noreplace, rename_noreplace
from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.adapters.output_writer import temp_name
from openrouter_multimodal.domain.errors import ConfigurationError, InvalidInput, OpenRouterMcpError, UnsafePath
from openrouter_multimodal.domain.save_policy import SavePolicy
from tests.support.disk_faults import disk_full_after, failing_link, failing_rename

pytestmark = pytest.mark.anyio


@pytest.fixture
def out(tmp_path: Path) -> Path:
    root = tmp_path.resolve() / "out"
    root.mkdir()
    return root


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("primitives", [(failing_link, rename_noreplace, exclusive_copy),
                                        (failing_link, failing_rename, exclusive_copy)],
                         ids=["renameat2", "exclusive-copy"])
async def test_without_hard_links_an_existing_file_is_never_replaced(out: Path, primitives: tuple) -> None:
    store = LocalOutputStore(SavePolicy(str(out)), primitives=primitives)
    name = await store.reserve("keep.png", stem="x", extension="png", overwrite=False)
    (out / name).write_bytes(b"someone else's")
    with pytest.raises(InvalidInput, match="already exists"):
        await store.write(name, b"ours", overwrite=False)
    with pytest.raises(InvalidInput, match="already exists"):
        async with store.atomic_writer(name, overwrite=False) as sink:
            await sink.write(b"ours, streamed")
    assert (out / name).read_bytes() == b"someone else's"
    assert await store.write("fresh.png", b"ours", overwrite=False) == "fresh.png"
    assert (out / "fresh.png").read_bytes() == b"ours"
    assert leftovers(out) == []


async def test_when_no_primitive_can_refuse_to_replace_the_bytes_are_kept_and_named(out: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(out)), primitives=(failing_link, failing_rename))
    with pytest.raises(ConfigurationError) as caught:
        await store.write("paid.png", b"paid bytes", overwrite=False)
    kept = Path(caught.value.details["kept"])
    assert str(kept) in caught.value.message and kept.parent == out
    assert kept.read_bytes() == b"paid bytes"
    assert not (out / "paid.png").exists()


async def test_rename_noreplace_refuses_an_existing_leaf_on_this_filesystem(out: Path) -> None:
    (out / "a").write_bytes(b"A")
    (out / "b").write_bytes(b"B")
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            rename_noreplace(fd, "a", "b")
        except FileExistsError:
            pass
        except OSError as exc:
            pytest.skip(f"renameat2(RENAME_NOREPLACE) unavailable here: {exc}")
        else:
            pytest.fail("renameat2 replaced an existing file")
        place_noreplace(fd, "a", "c")
    finally:
        os.close(fd)
    assert (out / "b").read_bytes() == b"B" and (out / "c").read_bytes() == b"A" and not (out / "a").exists()


async def test_an_uncreatable_output_directory_is_configuration_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"x")
    store = LocalOutputStore(SavePolicy(str(tmp_path / "a-file" / "out")))
    with pytest.raises(ConfigurationError, match=r"\$\{output_dir\}"):
        await store.reserve(None, stem="image", extension="png", overwrite=False)


async def test_a_full_disk_is_refused_at_reserve_and_mid_stream_with_a_coded_error(out: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(out)))
    with disk_full_after(0), pytest.raises(ConfigurationError, match=r"\$\{output_dir\}") as caught:
        await store.reserve("clips/a.mp4", stem="video", extension="mp4", overwrite=False)
    assert caught.value.details["reason"] == "no_space"
    name = await store.reserve("clips/a.mp4", stem="video", extension="mp4", overwrite=False)
    with disk_full_after(64), pytest.raises(ConfigurationError) as caught:
        async with store.atomic_writer(name, overwrite=False) as sink:
            for _ in range(100):
                await sink.write(b"x" * 100)
    assert caught.value.details["reason"] == "no_space"
    assert not (out / "clips" / "a.mp4").exists() and leftovers(out / "clips") == []


def _lock(path: Path) -> None:
    """Make ``path`` unwritable, also for root (which ignores modes): the immutable flag where we are root."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(0o555)


def _unlock(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    path.chmod(0o755)


async def test_a_read_only_output_directory_is_refused_before_paying(out: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(out)))
    (out / "locked").mkdir()
    _lock(out / "locked")
    _lock(out)
    try:
        with pytest.raises(ConfigurationError, match=r"\$\{output_dir\}"):
            await store.reserve("a.png", stem="x", extension="png", overwrite=False)
        with pytest.raises(InvalidInput, match="locked"):
            await store.reserve("locked/a.png", stem="x", extension="png", overwrite=False)
    finally:
        _unlock(out)
        _unlock(out / "locked")


@pytest.mark.parametrize("allow_unsafe", [False, True])
async def test_a_save_path_through_a_symlink_loop_is_a_coded_error(out: Path, allow_unsafe: bool) -> None:
    (out / "loop1").symlink_to(out / "loop2")
    (out / "loop2").symlink_to(out / "loop1")
    (out / "spin.png").symlink_to(out / "spin.png")
    store = LocalOutputStore(SavePolicy(str(out), allow_unsafe=allow_unsafe))
    for name in ("loop1/x.png", "spin.png", "loop2/deeper/x.png"):
        with pytest.raises(OpenRouterMcpError) as caught:
            await store.reserve(name, stem="x", extension="png", overwrite=True)
        assert isinstance(caught.value, UnsafePath | InvalidInput)
        with pytest.raises((UnsafePath, InvalidInput)):
            await store.write(name, b"data", overwrite=True)


async def test_discard_partials_removes_only_the_temp_files_of_that_job(out: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(out)))
    (out / "clips").mkdir()
    ours = [temp_name("new.mp4", "vid-1"), temp_name("new.webm", "vid-1")]
    others = sorted([temp_name("x.mp4", "vid-12"), temp_name("vid-1.mp4"), ".vid-1.0a1b.part", "vid-1.mp4"])
    for leftover in (*ours, *others):
        (out / "clips" / leftover).write_bytes(b"x")
    assert await store.discard_partials("clips/new.mp4", "vid-1") == 2
    assert sorted(p.name for p in (out / "clips").iterdir()) == others
    assert await store.discard_partials("missing/dir/new.mp4", "vid-1") == 0
