"""The get_user_images use case: one page of the caller's image library."""

from __future__ import annotations

from ..domain.library import LibraryPage, LibraryQuery
from .call import ToolCall
from .library_ports import ImageLibrary


class GetUserImages:
    """Lists the caller's own images newest first; free and read-only (no upstream call)."""

    def __init__(self, *, library: ImageLibrary) -> None:
        self._library = library

    async def __call__(self, call: ToolCall[LibraryQuery]) -> LibraryPage:
        return await self._library.page(call.caller, call.command)
