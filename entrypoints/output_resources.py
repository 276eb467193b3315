"""MCP resource links for generated files: ``output://files/<output-store name>``."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from mcp.types import ResourceLink

if TYPE_CHECKING:
    from ..application.job_ports import OutputStore

SCHEME = "output://files/"


def uri_for(relative: str) -> str:
    return SCHEME + "/".join(quote(part) for part in PurePosixPath(relative).parts)


def relative_from_uri(uri: str) -> str | None:
    """The relative path named by ``uri``, or None when it is not one of ours (``..`` is refused later)."""
    if not uri.startswith(SCHEME):
        return None
    return "/".join(unquote(part) for part in uri[len(SCHEME):].split("/"))


def resource_link(name: str, mime: str, size: int | None, description: str | None = None) -> ResourceLink:
    """A link to the saved file with output-store ``name``, readable with ``resources/read``."""
    return ResourceLink(type="resource_link", uri=uri_for(name), name=PurePosixPath(name).name, mime_type=mime,
                        size=size, description=description)


def stored_link(store: OutputStore, name: str, mime: str, size: int | None,
                description: str | None = None) -> ResourceLink | None:
    """``resource_link`` for a file in the caller's output store; None for one saved outside it (allowed with
    OPENROUTER_ALLOW_UNSAFE_PATHS), which no resource can serve."""
    return resource_link(name, mime, size, description) if store.contains(name) else None
