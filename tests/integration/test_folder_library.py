"""The folder image library on a real filesystem: order, ids, links, sniffing, isolation, adding generated images."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from openrouter_multimodal.adapters.folder_library import FolderImageLibrary
from openrouter_multimodal.domain.caller import Caller, IdentitySource, local_caller
from openrouter_multimodal.domain.errors import InvalidInput, ResourceTooLarge, UnsafePath
from openrouter_multimodal.domain.library import FileIdRef, IndexRef, LibraryQuery, parse_library_ref

pytestmark = pytest.mark.anyio

ALICE = Caller("alice", IdentitySource.TOKEN)
BOB = Caller("bob", IdentitySource.TOKEN)
CAP = 1 << 20


def png(color: str, size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (5, 4), color).save(out, "JPEG")
    return out.getvalue()


def put(folder: Path, name: str, data: bytes, mtime: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, ns=(mtime * 10**9, mtime * 10**9))
    return path


def file_id(data: bytes) -> str:
    return "img_" + hashlib.sha256(data).hexdigest()[:32]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "library"


def library(root: Path) -> FolderImageLibrary:
    return FolderImageLibrary(root=str(root), max_image_bytes=CAP)


async def test_images_are_listed_newest_first_and_indexes_follow_that_order(root: Path) -> None:
    put(root / "alice", "old.png", png("red"), 1_000)
    put(root / "alice", "new.jpg", jpeg("blue"), 3_000)
    put(root / "alice", "mid.png", png("green", (10, 20)), 2_000)
    lib = library(root)
    page = await lib.page(ALICE, LibraryQuery())
    assert [e.filename for e in page.entries] == ["new.jpg", "mid.png", "old.png"]
    assert page.total == 3
    mid = page.entries[1]
    assert (mid.mime, mid.width, mid.height, mid.created_at.timestamp()) == ("image/png", 10, 20, 2_000)
    second = await lib.page(ALICE, LibraryQuery(limit=1, offset=1))
    assert [e.filename for e in second.entries] == ["mid.png"] and second.indexed()[0][0] == 2
    resolved = await lib.resolve(ALICE, IndexRef(2), CAP)
    assert resolved.data == png("green", (10, 20))


async def test_ids_are_content_hashes_stable_across_renames_and_restarts(root: Path) -> None:
    data = png("red")
    path = put(root / "alice", "a.png", data, 1_000)
    first = (await library(root).page(ALICE, LibraryQuery())).entries[0]
    assert first.file_id == file_id(data)
    path.rename(path.with_name("renamed.png"))
    again = (await library(root).page(ALICE, LibraryQuery())).entries[0]
    assert again.file_id == first.file_id and again.filename == "renamed.png"
    assert (await library(root).resolve(ALICE, FileIdRef(first.file_id), CAP)).data == data


async def test_identical_copies_are_listed_once(root: Path) -> None:
    put(root / "alice", "a.png", png("red"), 1_000)
    put(root / "alice", "copy.png", png("red"), 2_000)
    page = await library(root).page(ALICE, LibraryQuery())
    assert [e.filename for e in page.entries] == ["copy.png"]


async def test_images_are_found_by_content_not_by_extension(root: Path) -> None:
    put(root / "alice", "photo.png", b"this is text, not a png" * 10, 1_000)
    put(root / "alice", "notes.txt", jpeg("blue"), 2_000)
    put(root / "alice", "empty.png", b"", 3_000)
    put(root / "alice", ".hidden.png", png("red"), 4_000)
    put(root / "alice" / "sub", "deep.png", png("green"), 5_000)
    put(root / "alice", "song.mp3", b"ID3" + b"\x00" * 200, 6_000)
    page = await library(root).page(ALICE, LibraryQuery())
    assert [(e.filename, e.mime) for e in page.entries] == [("notes.txt", "image/jpeg")]


async def test_symlinks_are_never_followed_in_or_out(root: Path, tmp_path: Path) -> None:
    secret = put(tmp_path / "elsewhere", "secret.png", png("black"), 9_000)
    put(root / "alice", "mine.png", png("red"), 1_000)
    (root / "alice" / "link-out.png").symlink_to(secret)
    (root / "alice" / "link-in.png").symlink_to(root / "alice" / "mine.png")
    lib = library(root)
    page = await lib.page(ALICE, LibraryQuery())
    assert [e.filename for e in page.entries] == ["mine.png"]
    with pytest.raises(InvalidInput, match="get_user_images again"):
        await lib.resolve(ALICE, FileIdRef(file_id(png("black"))), CAP)


async def test_a_user_folder_that_is_a_symlink_is_refused(root: Path, tmp_path: Path) -> None:
    put(tmp_path / "elsewhere", "secret.png", png("black"), 9_000)
    root.mkdir()
    (root / "mallory").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    mallory = Caller("mallory", IdentitySource.TOKEN)
    with pytest.raises(UnsafePath):
        await library(root).page(mallory, LibraryQuery())
    with pytest.raises(UnsafePath):
        await library(root).resolve(mallory, IndexRef(1), CAP)


async def test_users_see_and_resolve_only_their_own_images(root: Path) -> None:
    alice_png, bob_png = png("red"), png("blue")
    put(root / "alice", "a.png", alice_png, 1_000)
    put(root / "bob", "b.png", bob_png, 2_000)
    lib = library(root)
    assert [e.file_id for e in (await lib.page(BOB, LibraryQuery())).entries] == [file_id(bob_png)]
    assert (await lib.resolve(BOB, IndexRef(1), CAP)).data == bob_png
    with pytest.raises(InvalidInput, match="get_user_images again") as refused:
        await lib.resolve(BOB, FileIdRef(file_id(alice_png)), CAP)
    assert refused.value.details["reference"] == file_id(alice_png)
    with pytest.raises(InvalidInput, match="no INDEX_2 in your image library"):
        await lib.resolve(BOB, IndexRef(2), CAP)
    carol = Caller("carol", IdentitySource.TOKEN)
    assert (await lib.page(carol, LibraryQuery())).entries == ()
    with pytest.raises(InvalidInput):
        await lib.resolve(carol, IndexRef(1), CAP)


async def test_the_stdio_user_library_is_the_local_folder(root: Path) -> None:
    put(root / "local", "mine.png", png("red"), 1_000)
    page = await library(root).page(local_caller(), LibraryQuery())
    assert [e.filename for e in page.entries] == ["mine.png"]


async def test_an_index_resolves_to_the_listed_file_between_calls(root: Path) -> None:
    for n, color in enumerate(("red", "green", "blue", "white")):
        put(root / "alice", f"{color}.png", png(color), 1_000 + n)
    lib = library(root)
    listed = (await lib.page(ALICE, LibraryQuery())).entries
    for index, entry in enumerate(listed, 1):
        for _ in range(2):
            resolved = await lib.resolve(ALICE, IndexRef(index), CAP)
            assert resolved.entry.file_id == entry.file_id
            assert file_id(resolved.data) == entry.file_id


async def test_a_file_over_the_cap_is_too_large(root: Path) -> None:
    put(root / "alice", "big.png", png("red", (64, 64)), 1_000)
    with pytest.raises(ResourceTooLarge):
        await library(root).resolve(ALICE, IndexRef(1), 50)


async def test_a_generated_image_joins_the_library_as_index_1(root: Path) -> None:
    put(root / "alice", "upload.png", png("red"), 1_000)
    lib = library(root)
    made = png("purple")
    entry = await lib.add(ALICE, name="cats/image.png", data=made, mime="image/png")
    assert entry is not None and entry.file_id == file_id(made) and entry.filename == "image.png"
    assert (await lib.resolve(ALICE, IndexRef(1), CAP)).data == made
    second = await lib.add(ALICE, name="image.png", data=png("orange"), mime="image/png")
    assert second is not None and second.filename == "image-2.png"
    assert sorted(p.name for p in (root / "alice").iterdir()) == ["image-2.png", "image.png", "upload.png"]
    assert (root / "alice" / "upload.png").read_bytes() == png("red")


async def test_adding_creates_the_user_folder_privately(root: Path) -> None:
    await library(root).add(BOB, name="../../evil.png", data=png("red"), mime="image/png")
    assert [p.name for p in (root / "bob").iterdir()] == ["evil.png"]
    assert (root / "bob").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", IndexRef(1)), ("INDEX_3", IndexRef(3)), ("[INDEX_12]", IndexRef(12)), ("index 2", IndexRef(2)),
    ("9f1c2a8e-2b7d-4c1a-9e3f-0a1b2c3d4e5f", FileIdRef("9f1c2a8e-2b7d-4c1a-9e3f-0a1b2c3d4e5f")),
    ("img_" + "a" * 32, FileIdRef("img_" + "a" * 32)),
    ("photo.png", None), ("./1", None), ("https://example.com/1", None), ("img_abc", None),
])
def test_references_are_parsed_without_touching_anything(raw: str, expected: object) -> None:
    assert parse_library_ref(raw) == expected


def test_index_zero_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="INDEX_1"):
        parse_library_ref("INDEX_0")
