"""The image-library port: a caller's own images, listed newest first and resolved by index or file id."""

from __future__ import annotations

from typing import Protocol

from ..domain.caller import Caller
from ..domain.library import LibraryEntry, LibraryImage, LibraryPage, LibraryQuery, LibraryRef


class ImageLibrary(Protocol):
    """A caller's images: uploads (LibreChat's ``files``) or a folder, plus the images they generated.

    Why a port: a chat front-end shows the user's picture to the model as pixels only, so "edit my
    photo" needs a way to name it; ``get_user_images`` lists ``INDEX_n``/file ids and every image input
    accepts them. Isolation is the adapter's first duty: every method is scoped to ``caller`` and never
    reads, lists or resolves another subject's images.
    """

    async def page(self, caller: Caller, query: LibraryQuery) -> LibraryPage:
        """``query.limit`` images from ``query.offset``, newest first; the same order ``resolve`` uses.
        ``InvalidInput`` for a subject the store cannot name (LibreChat: not an ObjectId), CONFIGURATION when
        the store is not set up or unreachable."""
        ...

    async def resolve(self, caller: Caller, ref: LibraryRef, max_bytes: int) -> LibraryImage:
        """The image ``ref`` names in ``caller``'s library now, with its bytes (at most ``max_bytes``).

        How it fails: ``InvalidInput`` (``not_in_library``) for an index past the end or a file id that is
        not the caller's, never another image; ``UnsafePath`` when a stored path leaves the library's
        folders; ``ResourceTooLarge`` over ``max_bytes``; URL sources fail as the URL fetcher does.
        """
        ...

    async def add(self, caller: Caller, *, name: str, data: bytes, mime: str) -> LibraryEntry | None:
        """Put a generated image in ``caller``'s library (it becomes ``INDEX_1``); None when the store
        adds it by other means (LibreChat saves the images of tool results itself). Raises domain errors;
        callers that already paid for the image treat a failure as a note, never as a lost result."""
        ...
