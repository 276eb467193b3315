"""The LibreChat image library against mongomock (no MongoDB server runs here), real mounted folders and a real
loopback HTTP server for URL sources."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import mongomock
import pytest
from bson import ObjectId
from dependency_injector import providers
from PIL import Image

from openrouter_multimodal.adapters.librechat_library import LibreChatImageLibrary
from openrouter_multimodal.adapters.mongo_files import MongoFiles, UnavailableFiles
from openrouter_multimodal.application.media_analysis import AnalyzeMedia
from openrouter_multimodal.domain.caller import Caller, IdentitySource, local_caller
from openrouter_multimodal.domain.errors import ConfigurationError, ErrorCode, InvalidInput, UnsafePath, UpstreamError
from openrouter_multimodal.domain.library import FileIdRef, IndexRef, LibraryQuery
from openrouter_multimodal.domain.media import MEDIA_LIMIT_DEFAULTS, MediaKind
from openrouter_multimodal.entrypoints.runtime import AppRuntime
from tests.support.harness import TEST_KEY, make_container, make_settings
from tests.support.harness import test_fetcher as guarded_fetcher
from tests.support.loopback import serving

pytestmark = pytest.mark.anyio

ALICE_ID, BOB_ID = "65a1b2c3d4e5f60718293a4b", "65a1b2c3d4e5f60718293a4c"
ALICE = Caller(ALICE_ID, IdentitySource.GATEWAY)
BOB = Caller(BOB_ID, IdentitySource.GATEWAY)
CAP = 1 << 20
LIMITS = MEDIA_LIMIT_DEFAULTS[MediaKind.IMAGE]


class AsyncCursorShim:
    """pymongo's ``AsyncCursor`` chain over a mongomock cursor (sort/skip/limit return the cursor; to_list awaits)."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, keys: Any) -> AsyncCursorShim:
        self._cursor = self._cursor.sort(keys)
        return self

    def skip(self, n: int) -> AsyncCursorShim:
        self._cursor = self._cursor.skip(n)
        return self

    def limit(self, n: int) -> AsyncCursorShim:
        self._cursor = self._cursor.limit(n)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        return list(self._cursor)[:length]


class AsyncCollectionShim:
    """The two ``AsyncCollection`` methods ``MongoFiles`` uses, over a mongomock collection; records the filters."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.filters: list[dict[str, Any]] = []

    def find(self, query: dict[str, Any], projection: dict[str, Any]) -> AsyncCursorShim:
        self.filters.append(query)
        return AsyncCursorShim(self.collection.find(query, projection))

    async def count_documents(self, query: dict[str, Any]) -> int:
        return int(self.collection.count_documents(query))


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (6, 4), color).save(out, "PNG")
    return out.getvalue()


def doc(user: str, file_id: str, minute: int, **extra: Any) -> dict[str, Any]:
    return {"user": ObjectId(user), "file_id": file_id, "filename": f"{file_id}.png", "type": "image/png",
            "bytes": 100, "width": 6, "height": 4, "source": "local", "context": "message_attachment",
            "filepath": f"/images/{user}/{file_id}.png", "text": "x" * 1000,
            "createdAt": datetime(2026, 11, 1, 12, minute, tzinfo=UTC), **extra}


@pytest.fixture
def mounts(tmp_path: Path) -> tuple[Path, Path]:
    images, uploads = tmp_path / "images", tmp_path / "uploads"
    for user in (ALICE_ID, BOB_ID):
        (images / user).mkdir(parents=True)
        (uploads / user).mkdir(parents=True)
    return images, uploads


@pytest.fixture
def shim() -> AsyncCollectionShim:
    return AsyncCollectionShim(mongomock.MongoClient().LibreChat.files)


def make(shim: AsyncCollectionShim, mounts: tuple[Path, Path], fetcher: Any = None) -> LibreChatImageLibrary:
    return LibreChatImageLibrary(files=MongoFiles(shim), images_dir=str(mounts[0]), uploads_dir=str(mounts[1]),
                                 fetcher=fetcher, limits=LIMITS)


async def test_lists_only_the_owners_images_newest_first(shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    shim.collection.insert_many([
        doc(ALICE_ID, "a-old", 1), doc(ALICE_ID, "a-new", 3), doc(ALICE_ID, "a-mid", 2),
        doc(BOB_ID, "b-newest", 9),
        doc(ALICE_ID, "a-pdf", 8, type="application/pdf"),
        doc(ALICE_ID, "a-avatar", 7, context="avatar"),
        doc(ALICE_ID, "a-temp", 6, expiresAt=datetime(2026, 11, 1, 13, tzinfo=UTC)),
        doc(ALICE_ID, "a-openai", 5, source="openai", filepath="file-abc"),
        {**doc(ALICE_ID, "a-string-owner", 4), "user": ALICE_ID},
    ])
    lib = make(shim, mounts)
    page = await lib.page(ALICE, LibraryQuery())
    assert [e.file_id for e in page.entries] == ["a-new", "a-mid", "a-old"]
    assert page.total == 3
    first = page.entries[0]
    assert (first.filename, first.mime, first.width, first.height) == ("a-new.png", "image/png", 6, 4)
    assert first.created_at == datetime(2026, 11, 1, 12, 3, tzinfo=UTC)
    assert shim.filters[0]["user"] == ObjectId(ALICE_ID)
    second = await lib.page(ALICE, LibraryQuery(limit=1, offset=1))
    assert [e.file_id for e in second.entries] == ["a-mid"]


async def test_local_sources_are_read_from_the_mounts_by_index_and_file_id(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    images, uploads = mounts
    (images / ALICE_ID / "a-img.png").write_bytes(png("red"))
    (uploads / ALICE_ID / "a-up__photo.png").write_bytes(png("blue"))
    shim.collection.insert_many([
        doc(ALICE_ID, "a-img", 1),
        doc(ALICE_ID, "a-up", 2, filepath=f"/uploads/{ALICE_ID}/a-up__photo.png"),
    ])
    lib = make(shim, mounts)
    assert (await lib.resolve(ALICE, IndexRef(1), CAP)).data == png("blue")
    assert (await lib.resolve(ALICE, IndexRef(2), CAP)).data == png("red")
    assert (await lib.resolve(ALICE, FileIdRef("a-img"), CAP)).entry.file_id == "a-img"


async def test_another_users_file_id_or_a_missing_index_never_resolves(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    (mounts[0] / BOB_ID / "b-img.png").write_bytes(png("green"))
    shim.collection.insert_one(doc(BOB_ID, "b-img", 1))
    lib = make(shim, mounts)
    with pytest.raises(InvalidInput, match="get_user_images again"):
        await lib.resolve(ALICE, FileIdRef("b-img"), CAP)
    with pytest.raises(InvalidInput, match="no INDEX_1"):
        await lib.resolve(ALICE, IndexRef(1), CAP)
    assert (await lib.resolve(BOB, IndexRef(1), CAP)).data == png("green")


@pytest.mark.parametrize("filepath", [
    f"/images/{ALICE_ID}/../{BOB_ID}/b.png",
    f"/images/{BOB_ID}/b.png",
    f"/uploads/{ALICE_ID}/../../../etc/passwd",
    "/etc/passwd",
    f"/images/{ALICE_ID}/link.png",
])
async def test_a_filepath_that_leaves_the_users_folders_is_refused(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path], filepath: str) -> None:
    images, _ = mounts
    (images / BOB_ID / "b.png").write_bytes(png("green"))
    (images / ALICE_ID / "link.png").symlink_to(images / BOB_ID / "b.png")
    shim.collection.insert_one(doc(ALICE_ID, "evil", 1, filepath=filepath))
    with pytest.raises(UnsafePath, match="not inside your own LibreChat"):
        await make(shim, mounts).resolve(ALICE, IndexRef(1), CAP)


async def test_url_sources_are_fetched_through_the_guarded_fetcher(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    body = png("purple")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    fetcher = guarded_fetcher({"internal.test": ["10.1.2.3"]}, {"bucket.test"})()
    try:
        with serving(Handler) as port:
            shim.collection.insert_many([
                doc(ALICE_ID, "a-s3", 2, source="s3", filepath=f"http://bucket.test:{port}/u/a.png"),
                doc(ALICE_ID, "a-private", 1, source="cloudfront", filepath=f"http://internal.test:{port}/a.png"),
            ])
            lib = make(shim, mounts, fetcher)
            assert (await lib.resolve(ALICE, IndexRef(1), CAP)).data == body
            with pytest.raises(UpstreamError) as refused:
                await lib.resolve(ALICE, IndexRef(2), CAP)
            assert refused.value.code is ErrorCode.UPSTREAM_REFUSED
    finally:
        await fetcher.aclose()


async def test_a_subject_that_is_not_an_object_id_is_invalid_input(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    with pytest.raises(InvalidInput, match="not a LibreChat user id"):
        await make(shim, mounts).page(Caller("local"), LibraryQuery())
    assert shim.filters == []


async def test_without_a_database_or_mount_the_error_names_the_setting(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    lib = LibreChatImageLibrary(files=None, images_dir=None, uploads_dir=None, fetcher=None, limits=LIMITS)
    with pytest.raises(ConfigurationError, match="librechat_mongo_uri"):
        await lib.page(ALICE, LibraryQuery())
    broken = LibreChatImageLibrary(files=UnavailableFiles("bad uri"), images_dir=None, uploads_dir=None,
                                   fetcher=None, limits=LIMITS)
    with pytest.raises(ConfigurationError, match="bad uri"):
        await broken.resolve(ALICE, IndexRef(1), CAP)
    shim.collection.insert_one(doc(ALICE_ID, "a-img", 1))
    unmounted = LibreChatImageLibrary(files=MongoFiles(shim), images_dir=None, uploads_dir=str(mounts[1]),
                                      fetcher=None, limits=LIMITS)
    with pytest.raises(ConfigurationError, match="librechat_images_dir"):
        await unmounted.resolve(ALICE, IndexRef(1), CAP)


async def test_generated_images_are_left_to_librechat(shim: AsyncCollectionShim, mounts: tuple[Path, Path]) -> None:
    assert await make(shim, mounts).add(ALICE, name="x.png", data=png("red"), mime="image/png") is None
    assert shim.collection.count_documents({}) == 0


async def test_the_container_wires_the_librechat_library_for_every_image_input(
        shim: AsyncCollectionShim, mounts: tuple[Path, Path], tmp_path: Path) -> None:
    uuid = "0b9f6c1e-4d2a-4f8e-9a7b-3c5d1e2f4a6b"
    (mounts[0] / ALICE_ID / f"{uuid}.png").write_bytes(png("red"))
    shim.collection.insert_one(doc(ALICE_ID, uuid, 1))
    container = make_container(make_settings(
        api_key=TEST_KEY, output_dir=str(tmp_path / "out"), library="librechat",
        librechat_mongo_uri="mongodb://127.0.0.1:1/LibreChat",
        librechat_images_dir=str(mounts[0]), librechat_uploads_dir=str(mounts[1])))
    assert container.configuration_problem() is None
    container.library.files.override(providers.Object(MongoFiles(shim)))

    def analyze(source: str) -> AnalyzeMedia:
        return AnalyzeMedia(MediaKind.IMAGE, (source,))

    async with AppRuntime(container).running() as app:
        page = await app.dispatch("get_user_images", LibraryQuery(), ALICE)
        assert [e.file_id for e in page.entries] == [uuid]
        assert (await app.dispatch("get_user_images", LibraryQuery(), BOB)).entries == ()
        with pytest.raises(InvalidInput, match="get_user_images again"):
            await app.dispatch("analyze_image", analyze(uuid), BOB)
        with pytest.raises(InvalidInput, match="no INDEX_1"):
            await app.dispatch("analyze_image", analyze("1"), BOB)
        with pytest.raises(InvalidInput, match="not a LibreChat user id"):
            await app.dispatch("get_user_images", LibraryQuery(), local_caller(container.settings().user))
