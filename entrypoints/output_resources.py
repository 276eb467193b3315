"""MCP resource links for generated files: ``output://files/<output-store name>``."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from mcp.types import ResourceLink

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
