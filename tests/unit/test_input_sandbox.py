"""The local-file sandbox against real directories and real symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openrouter_multimodal.adapters.input_sandbox import SandboxedFileReader
from openrouter_multimodal.application.media_ports import LocalFileReader
from openrouter_multimodal.domain.errors import InvalidInput, ResourceTooLarge, UnsafePath

pytestmark = pytest.mark.anyio

SECRET = b"TOP-SECRET-CONTENTS"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/ (a.png, sub/b.png), root-evil/x.png, outside/secret.txt, second/c.png."""
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "root" / "a.png").write_bytes(PNG)
    (tmp_path / "root" / "sub" / "b.png").write_bytes(PNG + b"b")
    (tmp_path / "root-evil").mkdir()
    (tmp_path / "root-evil" / "x.png").write_bytes(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_bytes(SECRET)
    (tmp_path / "second").mkdir()
    (tmp_path / "second" / "c.png").write_bytes(PNG + b"c")
    return tmp_path.resolve()


@pytest.fixture
def reader(tree: Path) -> SandboxedFileReader:
    return SandboxedFileReader([tree / "root", tree / "second"], allow_unsafe=False)


async def _name(reader: SandboxedFileReader, raw: str) -> str:
    async with await reader.open(raw) as handle:
        return handle.display_name


async def _head(reader: SandboxedFileReader, raw: str, n: int) -> bytes:
    async with await reader.open(raw) as handle:
        return await handle.read_head(n)


async def _all(reader: SandboxedFileReader, raw: str, cap: int) -> bytes:
    async with await reader.open(raw) as handle:
        return await handle.read_all(cap)


def _assert_unsafe(err: UnsafePath) -> None:
    assert "${input_dir}" in err.message
    assert "${allow_unsafe_paths}=1" in err.message
    assert SECRET.decode() not in err.message


def test_implements_port(reader: SandboxedFileReader) -> None:
    port: LocalFileReader = reader
    assert port is reader


async def test_reads_file_inside_root(reader: SandboxedFileReader, tree: Path) -> None:
    target = tree / "root" / "a.png"
    async with await reader.open(str(target)) as handle:
        assert (handle.display_name, handle.size) == (str(target), len(PNG))
        assert await handle.read_head(4) == b"\x89PNG"
        assert await handle.read_all(len(PNG)) == PNG
        assert b"".join([c async for c in handle.chunks(len(PNG), chunk_size=5)]) == PNG
    assert await _head(reader, str(target), 4) == b"\x89PNG"
    assert await _all(reader, str(target), len(PNG)) == PNG


async def test_relative_paths_are_tried_in_each_root_in_order(reader: SandboxedFileReader, tree: Path) -> None:
    assert await _name(reader, "sub/b.png") == str(tree / "root" / "sub" / "b.png")
    assert await _name(reader, "sub/../a.png") == str(tree / "root" / "a.png")
    assert await _name(reader, "c.png") == str(tree / "second" / "c.png")
    (tree / "second" / "a.png").write_bytes(SECRET)
    assert await _all(reader, "a.png", 1000) == PNG


async def test_missing_relative_path_names_every_root_searched(reader: SandboxedFileReader, tree: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        await _name(reader, "nowhere.png")
    assert str(tree / "root") in info.value.message and str(tree / "second") in info.value.message


async def test_handle_keeps_reading_the_file_it_opened(reader: SandboxedFileReader, tree: Path) -> None:
    target = tree / "root" / "pinned.png"
    target.write_bytes(PNG)
    async with await reader.open(str(target)) as handle:
        target.unlink()
        target.symlink_to(tree / "outside" / "secret.txt")
        assert await handle.read_all(1000) == PNG
        assert b"".join([chunk async for chunk in handle.chunks(1000, chunk_size=7)]) == PNG
    with pytest.raises(InvalidInput, match="closed"):
        await handle.read_head(4)


async def test_chunks_enforce_the_cap_and_restart_from_the_beginning(reader: SandboxedFileReader) -> None:
    async with await reader.open("a.png") as handle:
        assert [c async for c in handle.chunks(1000, chunk_size=16)] == [PNG[:16], PNG[16:]]
        assert [c async for c in handle.chunks(1000, chunk_size=32)] == [PNG]
        with pytest.raises(ResourceTooLarge):
            _ = [c async for c in handle.chunks(20, chunk_size=16)]


async def test_second_root_by_absolute_path(reader: SandboxedFileReader, tree: Path) -> None:
    assert await _all(reader, str(tree / "second" / "c.png"), 1000) == PNG + b"c"


@pytest.mark.parametrize("raw", ["../outside/secret.txt", "sub/../../outside/secret.txt", "../root-evil/x.png"])
async def test_dotdot_escape_refused(reader: SandboxedFileReader, raw: str) -> None:
    with pytest.raises(UnsafePath) as info:
        await _all(reader, raw, 1000)
    _assert_unsafe(info.value)


async def test_absolute_outside_refused(reader: SandboxedFileReader, tree: Path) -> None:
    with pytest.raises(UnsafePath) as info:
        await _name(reader, str(tree / "outside" / "secret.txt"))
    _assert_unsafe(info.value)


async def test_sibling_with_root_as_prefix_refused(reader: SandboxedFileReader, tree: Path) -> None:
    with pytest.raises(UnsafePath):
        await _head(reader, str(tree / "root-evil" / "x.png"), 8)


async def test_outside_reports_unsafe_even_if_missing(reader: SandboxedFileReader, tree: Path) -> None:
    with pytest.raises(UnsafePath):
        await _name(reader, str(tree / "outside" / "does-not-exist"))


async def test_symlinked_directory_escaping_refused(reader: SandboxedFileReader, tree: Path) -> None:
    (tree / "root" / "linkdir").symlink_to(tree / "outside", target_is_directory=True)
    with pytest.raises(UnsafePath) as info:
        await _all(reader, "linkdir/secret.txt", 1000)
    _assert_unsafe(info.value)


async def test_symlinked_leaf_escaping_refused(reader: SandboxedFileReader, tree: Path) -> None:
    (tree / "root" / "innocent.png").symlink_to(tree / "outside" / "secret.txt")
    with pytest.raises(UnsafePath) as info:
        await _all(reader, str(tree / "root" / "innocent.png"), 1000)
    _assert_unsafe(info.value)


async def test_symlink_staying_inside_allowed(reader: SandboxedFileReader, tree: Path) -> None:
    (tree / "root" / "alias.png").symlink_to(tree / "root" / "sub" / "b.png")
    (tree / "root" / "to-second").symlink_to(tree / "second", target_is_directory=True)
    assert await _name(reader, "alias.png") == str(tree / "root" / "sub" / "b.png")
    assert await _all(reader, "to-second/c.png", 1000) == PNG + b"c"


async def test_symlinked_root_is_resolved(tree: Path) -> None:
    (tree / "root-link").symlink_to(tree / "root", target_is_directory=True)
    reader = SandboxedFileReader([tree / "root-link"], allow_unsafe=False)
    assert await _head(reader, str(tree / "root" / "a.png"), 4) == b"\x89PNG"
    assert await _head(reader, "a.png", 4) == b"\x89PNG"


async def test_leaf_swapped_for_escaping_symlink_after_check(reader: SandboxedFileReader, tree: Path) -> None:
    target = tree / "root" / "swap.png"
    target.write_bytes(PNG)
    await _name(reader, str(target))
    target.unlink()
    target.symlink_to(tree / "outside" / "secret.txt")
    with pytest.raises(UnsafePath):
        await _all(reader, str(target), 1000)


async def test_allow_unsafe_bypasses_containment_only(tree: Path) -> None:
    reader = SandboxedFileReader([tree / "root"], allow_unsafe=True)
    assert await _all(reader, str(tree / "outside" / "secret.txt"), 1000) == SECRET
    assert await _all(reader, "../outside/secret.txt", 1000) == SECRET
    with pytest.raises(InvalidInput, match="directory"):
        await _name(reader, str(tree / "outside"))


async def test_missing_file_names_resolved_path(reader: SandboxedFileReader, tree: Path) -> None:
    with pytest.raises(InvalidInput) as info:
        await _name(reader, "sub/./missing.png")
    assert str(tree / "root" / "sub" / "missing.png") in info.value.message
    with pytest.raises(InvalidInput, match=str(tree / "root" / "gone.png")):
        await _name(reader, str(tree / "root" / "gone.png"))


async def test_directory_refused(reader: SandboxedFileReader) -> None:
    with pytest.raises(InvalidInput, match="is a directory"):
        await _all(reader, "sub", 1000)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
async def test_fifo_refused_without_blocking(reader: SandboxedFileReader, tree: Path) -> None:
    os.mkfifo(tree / "root" / "pipe.wav")
    with pytest.raises(InvalidInput, match="not a regular file"):
        await _head(reader, "pipe.wav", 16)


async def test_symlink_loop_refused(reader: SandboxedFileReader, tree: Path) -> None:
    (tree / "root" / "loop1").symlink_to(tree / "root" / "loop2")
    (tree / "root" / "loop2").symlink_to(tree / "root" / "loop1")
    with pytest.raises(InvalidInput):
        await _name(reader, "loop1")


async def test_home_is_expanded(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tree / "root"))
    reader = SandboxedFileReader([Path("~")], allow_unsafe=False)
    assert await _name(reader, "~/sub/b.png") == str(tree / "root" / "sub" / "b.png")
    with pytest.raises(UnsafePath):
        await _name(reader, "~/../outside/secret.txt")


@pytest.mark.skipif(os.name == "nt", reason="POSIX behaviour for Windows-style paths")
@pytest.mark.parametrize("raw", ["C:\\Users\\x\\a.png", "C:/Users/a.png", "\\\\server\\share\\a.png"])
async def test_windows_path_on_posix_is_not_found(reader: SandboxedFileReader, raw: str) -> None:
    with pytest.raises(InvalidInput, match="Windows-style"):
        await _name(reader, raw)


async def test_read_all_enforces_max_bytes(reader: SandboxedFileReader) -> None:
    with pytest.raises(ResourceTooLarge):
        await _all(reader, "a.png", len(PNG) - 1)
    assert await _head(reader, "a.png", 10_000) == PNG
    assert await _head(reader, "a.png", 0) == b""


@pytest.mark.parametrize("raw", ["", "  ", "a\x00b"])
async def test_blank_or_nul_path_refused(reader: SandboxedFileReader, raw: str) -> None:
    with pytest.raises(InvalidInput):
        await _name(reader, raw)


async def test_the_home_folder_of_an_unknown_user_is_invalid_input_not_a_crash(reader: SandboxedFileReader) -> None:
    with pytest.raises(InvalidInput, match="home folder of an unknown user"):
        await reader.open("~no-such-user-0x5f3759df/notes.wav")
