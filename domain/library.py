"""The caller's image library: entries, pages, and references to them by index or file id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import InvalidInput
from .paid_call import CallFacts

LIST_LIMIT_MAX = 50
OFFSET_MAX = 10_000
INDEX_MAX = OFFSET_MAX + LIST_LIMIT_MAX
FOLDER_ID_PREFIX = "img_"
FOLDER_ID_HEX = 32

_INDEX = re.compile(r"\[?\s*(?:index[_ ]?)?(\d{1,6})\s*\]?", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_FOLDER_ID = re.compile(FOLDER_ID_PREFIX + f"[0-9a-f]{{{FOLDER_ID_HEX}}}")
_REF_MAX_CHARS = 64


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One image of a caller's library as listed: its stable ``file_id`` and what a model needs to pick it."""

    file_id: str
    filename: str
    mime: str
    bytes: int
    created_at: datetime
    width: int | None = None
    height: int | None = None

    def as_dict(self, index: int) -> dict[str, Any]:
        return {"index": index, "ref": f"INDEX_{index}", "file_id": self.file_id, "filename": self.filename,
                "mime": self.mime, "bytes": self.bytes, "width": self.width, "height": self.height,
                "created_at": self.created_at.astimezone(UTC).isoformat(timespec="seconds")}


@dataclass(frozen=True, slots=True)
class LibraryImage:
    """A resolved reference: the entry and its bytes (already within the caller's size cap)."""

    entry: LibraryEntry
    data: bytes


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    """One page of the caller's images, newest first; ``INDEX_n`` is ``offset + position``, counted from 1."""

    limit: int = 10
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= LIST_LIMIT_MAX:
            raise InvalidInput(f"limit must be 1-{LIST_LIMIT_MAX}; got {self.limit}.")
        if not 0 <= self.offset <= OFFSET_MAX:
            raise InvalidInput(f"offset must be 0-{OFFSET_MAX}; got {self.offset}.")

    def facts(self) -> CallFacts:
        return CallFacts()


@dataclass(frozen=True, slots=True)
class LibraryPage:
    entries: tuple[LibraryEntry, ...]
    offset: int
    total: int | None = None

    def indexed(self) -> list[tuple[int, LibraryEntry]]:
        return [(self.offset + n, entry) for n, entry in enumerate(self.entries, 1)]

    def as_dict(self) -> dict[str, Any]:
        return {"images": [entry.as_dict(index) for index, entry in self.indexed()], "offset": self.offset,
                "total": self.total}


@dataclass(frozen=True, slots=True)
class IndexRef:
    """``INDEX_n`` (or ``n``): the n-th newest image at the time of the call."""

    index: int

    def __str__(self) -> str:
        return f"INDEX_{self.index}"


@dataclass(frozen=True, slots=True)
class FileIdRef:
    """A file id as ``get_user_images`` lists it (a LibreChat uuid or a folder library ``img_…`` id)."""

    file_id: str

    def __str__(self) -> str:
        return self.file_id


LibraryRef = IndexRef | FileIdRef


def parse_library_ref(raw: str) -> LibraryRef | None:
    """``raw`` as a library reference, or None when it is something else (a path, a URL, a data: URL).

    ``"1"``, ``"INDEX_1"``, ``"[INDEX_1]"`` and ``"index 1"`` are indexes; a uuid or an ``img_`` id is a file
    id. A file really named ``1`` is still reachable as ``./1``. Index 0 or one beyond the listable range is
    INVALID_INPUT rather than a path, since no file is meant.
    """
    text = raw.strip()
    if not text or len(text) > _REF_MAX_CHARS:
        return None
    match = _INDEX.fullmatch(text)
    if match is not None:
        index = int(match.group(1))
        if not 1 <= index <= INDEX_MAX:
            raise InvalidInput(f"'{text}' is not an image index: indexes start at INDEX_1 (the newest image); "
                               "call get_user_images to see yours.")
        return IndexRef(index)
    if _UUID.fullmatch(text):
        return FileIdRef(text.lower())
    if _FOLDER_ID.fullmatch(text):
        return FileIdRef(text)
    return None


def folder_file_id(sha256_hex: str) -> str:
    """The folder library's id of an image: its content hash, so it never changes while the bytes do not."""
    return FOLDER_ID_PREFIX + sha256_hex[:FOLDER_ID_HEX]


def not_in_library(ref: LibraryRef, detail: str = "") -> InvalidInput:
    """An index that no longer resolves, or a file id that is not among the caller's own images."""
    what = (f"there is no {ref} in your image library now" if isinstance(ref, IndexRef)
            else f"no image with file id {ref} is in your image library")
    return InvalidInput(f"{what}{detail}: call get_user_images again and pass an index or file id it lists.",
                        details={"reference": str(ref)})
