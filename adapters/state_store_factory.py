"""Opens the ``StateStore`` a ``state_url`` setting names: ``redis://…`` or a SQLite file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..application.state_ports import StateStore
from ..domain.errors import ConfigurationError
from ..domain.setting_refs import setting
from .sqlite_state_store import SqliteStateStore


def sqlite_path(url: str) -> Path:
    """``sqlite:///abs/path``, ``sqlite:///~/x`` or a plain path → the file path."""
    if url.startswith("sqlite:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(f"{setting('state_url')} '{url[:80]}': a sqlite URL takes no host; "
                                     "use sqlite:///absolute/path/state.sqlite3.")
        path = unquote(parts.path)
        path = path[1:] if path.startswith("/~") else path
        return Path(path).expanduser()
    return Path(url).expanduser()


def open_state_store(url: str | None, *, default_path: Path, redis_prefix: str | None = None,
                     timeout_seconds: float = 2.0) -> StateStore:
    """The store for ``url`` (None or empty: SQLite at ``default_path``). Call inside the running loop and
    ``await store.aclose()`` at shutdown. Nothing is connected yet: the first operation connects, and
    redis-py is imported only for a Redis URL (``redis_prefix`` None: ``redis_state_store.DEFAULT_PREFIX``).

    How it fails: ``ConfigurationError`` for a scheme it does not know (``redis``, ``rediss``,
    ``unix``, ``sqlite`` or a plain path).
    """
    text = (url or "").strip()
    if not text:
        return SqliteStateStore(default_path)
    scheme = text.split(":", 1)[0].lower() if "://" in text else ""
    if scheme in ("redis", "rediss", "unix"):
        from .redis_state_store import DEFAULT_PREFIX, RedisStateStore

        prefix = DEFAULT_PREFIX if redis_prefix is None else redis_prefix
        return RedisStateStore.from_url(text, prefix=prefix, timeout_seconds=timeout_seconds)
    if scheme in ("", "sqlite"):
        return SqliteStateStore(sqlite_path(text))
    raise ConfigurationError(f"{setting('state_url')} has the unknown scheme '{scheme}': use redis://host:port/db, "
                             "sqlite:///path/state.sqlite3 or a plain file path.")
