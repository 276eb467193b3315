"""MCP resource links for generated files: ``output://files/<path relative to the output root>``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

from mcp.types import ResourceLink

SCHEME = "output://files/"


def uri_for(relative: str) -> str:
    return SCHEME + "/".join(quote(part) for part in Path(relative).parts)


def relative_from_uri(uri: str) -> str | None:
    """The relative path named by ``uri``, or None when it is not one of ours (``..`` is refused later)."""
    if not uri.startswith(SCHEME):
        return None
    return "/".join(unquote(part) for part in uri[len(SCHEME):].split("/"))


def resource_link(root: str, path: str, mime: str, size: int, description: str | None = None) -> ResourceLink:
    """A link to a saved file under the output root, readable with ``resources/read``."""
    relative = Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    return ResourceLink(type="resource_link", uri=uri_for(relative), name=Path(path).name, mime_type=mime,
                        size=size, description=description)
