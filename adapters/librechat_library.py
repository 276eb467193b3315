"""``LibreChatImageLibrary``: a LibreChat user's images from MongoDB ``files``, read from mounts or URLs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from bson import ObjectId

from ..application.fetch_ports import FetchLimits, UrlFetcher
from ..domain.caller import Caller
from ..domain.errors import ConfigurationError, InvalidInput, UnsafePath
from ..domain.library import (
    FileIdRef,
    IndexRef,
    LibraryEntry,
    LibraryImage,
    LibraryPage,
    LibraryQuery,
    LibraryRef,
    not_in_library,
)
from ..domain.media import MediaKind, MediaLimits, too_large
from ..domain.setting_refs import setting
from .input_sandbox import SandboxedFileReader

URL_SOURCES = ("s3", "cloudfront", "firebase", "azure_blob")
"""Strategies whose ``filepath`` is a URL; ``openai``/``azure``/``vectordb``… hold provider ids, not bytes."""
LISTED_SOURCES: tuple[str | None, ...] = (None, "local", *URL_SOURCES)
NEWEST_FIRST: tuple[tuple[str, int], ...] = (("createdAt", -1), ("_id", -1))
FIELDS = ("file_id", "filename", "filepath", "source", "type", "bytes", "width", "height", "createdAt")
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")
_LOCAL_PREFIXES = (("/images/", "librechat_images_dir"), ("/uploads/", "librechat_uploads_dir"))


class FileDocuments(Protocol):
    """The seam over LibreChat's ``files`` collection: filtered, sorted pages and counts (``MongoFiles`` in
    production). Failures are domain errors (CONFIGURATION when the database cannot be read)."""

    async def find(self, query: Mapping[str, Any], *, fields: Sequence[str], sort: Sequence[tuple[str, int]],
                   skip: int, limit: int) -> list[Mapping[str, Any]]: ...

    async def count(self, query: Mapping[str, Any]) -> int: ...


def owner_of(caller: Caller) -> ObjectId:
    """The caller's LibreChat user id; LibreChat stores ``user`` as an ObjectId, so the string never matches."""
    if not _OBJECT_ID.fullmatch(caller.subject):
        raise InvalidInput(f"the user id '{caller.subject[:40]}' is not a LibreChat user id (24 hex digits): this "
                           "server's image library is LibreChat's, so call it through LibreChat (x-user-id "
                           + "{{LIBRECHAT_USER_ID}}).")
    return ObjectId(caller.subject)


def images_of(owner: ObjectId) -> dict[str, Any]:
    """The owner's images: no avatars, no expiring temporary files, only sources whose bytes can be read."""
    return {"user": owner, "type": re.compile(r"^image/"), "expiresAt": {"$exists": False},
            "context": {"$ne": "avatar"}, "source": {"$in": list(LISTED_SOURCES)}}


def _entry(doc: Mapping[str, Any]) -> LibraryEntry:
    created = doc.get("createdAt")
    if not isinstance(created, datetime):
        created = datetime.fromtimestamp(0, UTC)
    elif created.tzinfo is None:
        created = created.replace(tzinfo=UTC)

    def number(key: str) -> int | None:
        value = doc.get(key)
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    return LibraryEntry(file_id=str(doc.get("file_id") or ""), filename=str(doc.get("filename") or "image"),
                        mime=str(doc.get("type") or "image/*"), bytes=number("bytes") or 0, created_at=created,
                        width=number("width"), height=number("height"))


class LibreChatImageLibrary:
    """The ``ImageLibrary`` port over LibreChat's ``files`` collection (issue: the user's uploads by index).

    Every query carries ``user: ObjectId(subject)``: a file id of another user is simply not found
    (INVALID_INPUT, "call get_user_images again"), which is the fix for the replaced server's lookups by
    ``file_id`` alone. Bytes: ``source: local`` files are read from the mounted ``images``/``uploads``
    folders through the input sandbox rooted at the caller's own ``<folder>/<userId>/`` (a ``filepath``
    with ``..``, another user's folder, or a symlink leading out is UNSAFE_PATH and never read); URL
    sources go through the SSRF-guarded fetcher with the image limits. Generated images are not added
    here: LibreChat saves the images of tool results as the user's files itself.
    """

    def __init__(self, *, files: FileDocuments | None, images_dir: str | None, uploads_dir: str | None,
                 fetcher: UrlFetcher, limits: MediaLimits) -> None:
        self._files = files
        self._dirs = {"/images/": images_dir, "/uploads/": uploads_dir}
        self._fetcher = fetcher
        self._limits = limits

    def _documents(self) -> FileDocuments:
        if self._files is None:
            raise ConfigurationError(f"the LibreChat image library has no database: set "
                                     f"{setting('librechat_mongo_uri')} (e.g. mongodb://mongodb:27017/LibreChat).")
        return self._files

    async def page(self, caller: Caller, query: LibraryQuery) -> LibraryPage:
        files, wanted = self._documents(), images_of(owner_of(caller))
        docs = await files.find(wanted, fields=FIELDS, sort=NEWEST_FIRST, skip=query.offset, limit=query.limit)
        return LibraryPage(tuple(_entry(doc) for doc in docs), query.offset, await files.count(wanted))

    async def resolve(self, caller: Caller, ref: LibraryRef, max_bytes: int) -> LibraryImage:
        files, wanted = self._documents(), images_of(owner_of(caller))
        if isinstance(ref, IndexRef):
            docs = await files.find(wanted, fields=FIELDS, sort=NEWEST_FIRST, skip=ref.index - 1, limit=1)
        else:
            assert isinstance(ref, FileIdRef)
            docs = await files.find({**wanted, "file_id": ref.file_id}, fields=FIELDS, sort=NEWEST_FIRST, skip=0,
                                    limit=1)
        if not docs:
            raise not_in_library(ref)
        entry = _entry(docs[0])
        data = await self._bytes(docs[0], caller.subject, ref, max_bytes)
        return LibraryImage(entry, data)

    async def add(self, caller: Caller, *, name: str, data: bytes, mime: str) -> LibraryEntry | None:
        return None

    async def _bytes(self, doc: Mapping[str, Any], user: str, ref: LibraryRef, max_bytes: int) -> bytes:
        source = str(doc.get("source") or "local")
        filepath = str(doc.get("filepath") or "")
        if source == "local":
            return await self._local(filepath, user, ref, max_bytes)
        if filepath.lower().startswith(("https://", "http://")):
            limits = FetchLimits(max_bytes=min(max_bytes, self._limits.max_download_bytes),
                                 max_redirects=self._limits.max_redirects, timeout_s=self._limits.fetch_timeout_s,
                                 setting_prefix="image")
            return (await self._fetcher.fetch(filepath, limits)).data
        raise InvalidInput(f"{ref} is stored by LibreChat as '{source}' without a URL this server can read: "
                           "pass the image as a URL or data: URL instead.")

    async def _local(self, filepath: str, user: str, ref: LibraryRef, max_bytes: int) -> bytes:
        for prefix, name in _LOCAL_PREFIXES:
            if not filepath.startswith(prefix):
                continue
            mount = self._dirs[prefix]
            if not mount:
                raise ConfigurationError(f"{ref} is in LibreChat's {prefix.strip('/')} folder, which is not "
                                         f"mounted here: set {setting(name)} to its mount (read-only).")
            reader = SandboxedFileReader([Path(mount) / user], False, remote=True)
            try:
                handle = await reader.open(str(Path(mount) / filepath[len(prefix):]))
            except UnsafePath:
                raise _escapes(ref) from None
            except InvalidInput:
                raise not_in_library(ref, " (its file is missing from LibreChat's folder)") from None
            async with handle:
                if handle.size > max_bytes:
                    raise too_large(MediaKind.IMAGE, f"library file {ref}", max_bytes,
                                    setting("image_max_download_bytes"))
                return await handle.read_all(max_bytes)
        raise _escapes(ref)


def _escapes(ref: LibraryRef) -> UnsafePath:
    return UnsafePath(f"the stored path of {ref} is not inside your own LibreChat image or upload folder, so it is "
                      "not read: pick another image from get_user_images.")
