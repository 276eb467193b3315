"""The get_user_images tool: the caller's own images, newest first, as INDEX_n and file ids."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import Field

from ...domain.library import LIST_LIMIT_MAX, OFFSET_MAX, LibraryEntry, LibraryPage, LibraryQuery
from ..presenters import guarded, success, text
from .registry import ToolRegistry

DESCRIPTION = """List images you uploaded or generated, newest first: [INDEX_n] file_id — filename. Free.
Any image input takes "1", "INDEX_1" or a file id from here; indexes shift as images arrive: list again first."""

EMPTY = ("Your image library is empty. Images get there when you upload them in the chat, when you create them "
         "with generate_image, or when files are put in your library folder.")


def entry_line(index: int, entry: LibraryEntry) -> str:
    size = f"{entry.width}x{entry.height}, " if entry.width and entry.height else ""
    when = entry.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"[INDEX_{index}] {entry.file_id} — {entry.filename} ({size}{when})"


def page_text(page: LibraryPage) -> str:
    if not page.entries:
        return EMPTY if page.offset == 0 or not page.total else \
            f"No images from offset {page.offset}: you have {page.total}. Use a smaller offset."
    lines = [entry_line(index, entry) for index, entry in page.indexed()]
    shown = page.offset + len(page.entries)
    if page.total is not None and page.total > shown:
        lines.append(f"{page.total - shown} older images: call again with offset {shown}.")
    return "\n".join(lines)


def register(registry: ToolRegistry) -> None:
    async def get_user_images(
        ctx: Context,
        limit: Annotated[int, Field(ge=1, le=LIST_LIMIT_MAX)] = 10,
        offset: Annotated[int, Field(ge=0, le=OFFSET_MAX)] = 0,
    ) -> CallToolResult:
        async def body() -> CallToolResult:
            page: LibraryPage = await registry.dispatch("get_user_images", LibraryQuery(limit, offset), ctx)
            return success([text(page_text(page))], structured=page.as_dict())

        return await guarded("get_user_images", body)

    registry.add(get_user_images, title="Get user images", description=DESCRIPTION,
                 annotations=ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                                             open_world_hint=False))
