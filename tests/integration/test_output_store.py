"""The output sandbox against real directories, real symlinks and real atomic writes."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.output_store import LocalOutputStore
from openrouter_multimodal.application.job_ports import OutputStore, StoredFile
from openrouter_multimodal.domain.errors import InvalidInput, ResourceTooLarge, UnsafePath
from openrouter_multimodal.domain.save_policy import SavePolicy

pytestmark = pytest.mark.anyio

SECRET = b"OUTSIDE-ORIGINAL"


class Boom(Exception):
    pass


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """out/ (linkdir -> outside/, linkfile.png -> outside/secret.png), outside/secret.png, out-evil/."""
    base = tmp_path.resolve()
    (base / "out").mkdir()
    (base / "outside").mkdir()
    (base / "out-evil").mkdir()
    (base / "outside" / "secret.png").write_bytes(SECRET)
    (base / "out" / "linkdir").symlink_to(base / "outside", target_is_directory=True)
    (base / "out" / "linkfile.png").symlink_to(base / "outside" / "secret.png")
    return base


@pytest.fixture
def store(tree: Path) -> LocalOutputStore:
    return LocalOutputStore(SavePolicy(str(tree / "out")))


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_implements_port(store: LocalOutputStore) -> None:
    port: OutputStore = store
    assert port is store


async def test_root_is_created_when_missing(tmp_path: Path) -> None:
    missing = tmp_path.resolve() / "a" / "b"
    store = LocalOutputStore(SavePolicy(str(missing)))
    name = await store.reserve(None, stem="img", extension="png", overwrite=False)
    assert name.startswith("img-") and name.endswith(".png") and "/" not in name
    assert store.location(name) == f"{missing}/{name}"
    assert missing.is_dir() and list(missing.iterdir()) == []


async def test_relative_and_nested_names_resolve_inside_without_creating_directories(
        store: LocalOutputStore, tree: Path) -> None:
    assert await store.reserve("out.png", stem="x", extension="png", overwrite=False) == "out.png"
    nested = await store.reserve("videos/2025/clip", stem="x", extension="mp4", overwrite=False)
    assert nested == "videos/2025/clip.mp4"
    assert store.location(nested) == str(tree / "out" / "videos" / "2025" / "clip.mp4")
    assert not (tree / "out" / "videos").exists()
    assert await store.write(nested, b"clip", overwrite=False) == nested
    assert (tree / "out" / "videos" / "2025" / "clip.mp4").read_bytes() == b"clip"


async def test_absolute_inside_allowed_outside_refused(store: LocalOutputStore, tree: Path) -> None:
    inside = str(tree / "out" / "abs.png")
    assert await store.reserve(inside, stem="x", extension="png", overwrite=False) == "abs.png"
    for outside in (str(tree / "outside" / "new.png"), str(tree / "out-evil" / "x.png"), "../escape.png"):
        with pytest.raises(UnsafePath, match=r"\$\{output_dir\}"):
            await store.reserve(outside, stem="x", extension="png", overwrite=False)
    assert sorted(p.name for p in (tree / "outside").iterdir()) == ["secret.png"]
    assert store.contains("abs.png") and not store.contains(str(tree / "outside" / "new.png"))


async def test_symlinked_directory_is_refused_and_nothing_created_outside(store: LocalOutputStore, tree: Path) -> None:
    for name in ("linkdir/new.png", "linkdir/deeper/new.png"):
        with pytest.raises(UnsafePath, match=r"\$\{allow_unsafe_paths\}=1"):
            await store.reserve(name, stem="x", extension="png", overwrite=True)
    with pytest.raises(UnsafePath):
        await store.write(str(tree / "out" / "linkdir" / "new.png"), b"data", overwrite=True)
    assert sorted(p.name for p in (tree / "outside").iterdir()) == ["secret.png"]


async def test_symlinked_leaf_is_refused_and_outside_file_untouched(store: LocalOutputStore, tree: Path) -> None:
    with pytest.raises(UnsafePath, match="symbolic link"):
        await store.reserve("linkfile.png", stem="x", extension="png", overwrite=True)
    with pytest.raises(UnsafePath):
        await store.write("linkfile.png", b"EVIL", overwrite=True)
    with pytest.raises(UnsafePath):
        async with store.atomic_writer("linkfile.png", overwrite=True) as sink:
            await sink.write(b"EVIL")
    assert (tree / "outside" / "secret.png").read_bytes() == SECRET
    assert (tree / "out" / "linkfile.png").is_symlink()


async def test_symlink_planted_during_a_stream_is_refused_at_commit(store: LocalOutputStore, tree: Path) -> None:
    name = await store.reserve("late.mp4", stem="x", extension="mp4", overwrite=True)
    with pytest.raises(UnsafePath):
        async with store.atomic_writer(name, overwrite=True) as sink:
            await sink.write(b"EVIL")
            (tree / "out" / name).symlink_to(tree / "outside" / "secret.png")
    assert (tree / "outside" / "secret.png").read_bytes() == SECRET
    assert (tree / "out" / name).is_symlink()
    assert leftovers(tree / "out") == []


async def test_allow_unsafe_bypasses_containment_but_not_the_leaf_check(tree: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tree / "out"), allow_unsafe=True))
    name = await store.write(str(tree / "outside" / "free.png"), b"ok", overwrite=False)
    assert name == str(tree / "outside" / "free.png") and not store.contains(name)
    assert store.location(name) == name and Path(name).read_bytes() == b"ok"
    assert await store.write("linkdir/followed.png", b"ok", overwrite=False) == "linkdir/followed.png"
    assert (tree / "outside" / "followed.png").read_bytes() == b"ok"
    with pytest.raises(UnsafePath):
        await store.write("linkfile.png", b"EVIL", overwrite=True)
    assert (tree / "outside" / "secret.png").read_bytes() == SECRET


async def test_existing_directory_is_refused(store: LocalOutputStore, tree: Path) -> None:
    (tree / "out" / "adir.png").mkdir()
    with pytest.raises(InvalidInput, match="is a directory"):
        await store.reserve("adir.png", stem="x", extension="png", overwrite=True)


async def test_existing_file_needs_overwrite(store: LocalOutputStore, tree: Path) -> None:
    target = tree / "out" / "keep.png"
    target.write_bytes(b"old")
    with pytest.raises(InvalidInput, match="overwrite: true"):
        await store.reserve("keep.png", stem="x", extension="png", overwrite=False)
    with pytest.raises(InvalidInput, match="overwrite: true"):
        await store.write("keep.png", b"new", overwrite=False)
    assert target.read_bytes() == b"old"
    inode_before = target.stat().st_ino
    assert await store.write("keep.png", b"new", overwrite=True) == "keep.png"
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino != inode_before
    assert leftovers(tree / "out") == []


async def test_file_appearing_after_reserve_is_not_clobbered(store: LocalOutputStore, tree: Path) -> None:
    name = await store.reserve("race.png", stem="x", extension="png", overwrite=False)
    (tree / "out" / name).write_bytes(b"someone else")
    with pytest.raises(InvalidInput, match="already exists"):
        await store.write(name, b"ours", overwrite=False)
    assert (tree / "out" / name).read_bytes() == b"someone else"
    assert leftovers(tree / "out") == []


async def test_atomic_writer_streams_into_place(store: LocalOutputStore, tree: Path) -> None:
    name = await store.reserve("video.mp4", stem="x", extension="mp4", overwrite=False)
    async with store.atomic_writer(name, overwrite=False, max_bytes=10) as sink:
        await sink.write(b"12345")
        assert not (tree / "out" / name).exists()
        assert len(leftovers(tree / "out")) == 1
        assert leftovers(tree / "out")[0].startswith(".video.mp4.")
        await sink.write(b"67890")
    assert (tree / "out" / name).read_bytes() == b"1234567890"
    assert leftovers(tree / "out") == []


async def test_failure_mid_write_leaves_no_file(store: LocalOutputStore, tree: Path) -> None:
    existing = tree / "out" / "prev.mp4"
    existing.write_bytes(b"previous")
    for name, overwrite in (("fresh.mp4", False), ("prev.mp4", True)):
        with pytest.raises(Boom):
            async with store.atomic_writer(name, overwrite=overwrite) as sink:
                await sink.write(b"partial-")
                await sink.write(b"data")
                raise Boom
    assert not (tree / "out" / "fresh.mp4").exists()
    assert existing.read_bytes() == b"previous"
    assert leftovers(tree / "out") == []


async def test_max_bytes_exceeded_leaves_nothing(store: LocalOutputStore, tree: Path) -> None:
    with pytest.raises(ResourceTooLarge):
        async with store.atomic_writer("big.mp4", overwrite=False, max_bytes=8) as sink:
            await sink.write(b"12345")
            await sink.write(b"67890")
    assert not (tree / "out" / "big.mp4").exists()
    assert leftovers(tree / "out") == []


async def test_swallowed_size_error_still_aborts(store: LocalOutputStore, tree: Path) -> None:
    with pytest.raises(ResourceTooLarge):
        async with store.atomic_writer("big.mp4", overwrite=False, max_bytes=4) as sink:
            with contextlib.suppress(ResourceTooLarge):
                await sink.write(b"123456")
    assert not (tree / "out" / "big.mp4").exists()
    assert leftovers(tree / "out") == []


async def test_list_files_and_read(store: LocalOutputStore, tree: Path) -> None:
    first = await store.write("a.png", b"A" * 3, overwrite=False)
    second = await store.write("sub/b.mp4", b"B" * 5, overwrite=False)
    os.utime(store.location(first), (1_000_000, 1_000_000))
    os.utime(store.location(second), (2_000_000, 2_000_000))
    (tree / "out" / ".a.png.xyz.part").write_bytes(b"temp")
    files = await store.list_files()
    assert files == [
        StoredFile("sub/b.mp4", 5, 2_000_000.0, "video/mp4"),
        StoredFile("a.png", 3, 1_000_000.0, "image/png"),
    ]
    assert await store.list_files(limit=1) == files[:1]
    assert await store.read("sub/b.mp4", max_bytes=5) == b"BBBBB"
    assert await store.read(str(tree / "out" / "sub" / "b.mp4"), max_bytes=5) == b"BBBBB"
    with pytest.raises(ResourceTooLarge):
        await store.read("sub/b.mp4", max_bytes=4)


async def test_read_is_confined_to_root(tree: Path) -> None:
    store = LocalOutputStore(SavePolicy(str(tree / "out"), allow_unsafe=True))
    (tree / "x").write_bytes(SECRET)
    for name in ("../x", str(tree / "x"), "linkfile.png", "linkdir/secret.png"):
        with pytest.raises(UnsafePath) as info:
            await store.read(name, max_bytes=100)
        assert SECRET.decode() not in info.value.message
    with pytest.raises(InvalidInput):
        await store.read("missing.png", max_bytes=100)
    (tree / "out" / "adir").mkdir()
    with pytest.raises(InvalidInput):
        await store.read("adir", max_bytes=100)
    os.mkfifo(tree / "out" / "fifo")
    with pytest.raises(InvalidInput, match="not a regular file"):
        await store.read("fifo", max_bytes=100)
