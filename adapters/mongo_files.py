"""``MongoFiles``: the ``FileDocuments`` seam over pymongo's async ``files`` collection, and opening the client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from ..domain.errors import ConfigurationError
from ..domain.setting_refs import setting

DEFAULT_DATABASE = "LibreChat"
TIMEOUT_MS = 10_000
"""One total deadline per operation (pymongo's ``timeoutMS``), server selection included."""


def _unreadable(exc: PyMongoError) -> ConfigurationError:
    return ConfigurationError(f"LibreChat's database could not be read ({type(exc).__name__}): check "
                              f"{setting('librechat_mongo_uri')} and that MongoDB is reachable from this server.")


class MongoFiles:
    """Pages of ``files`` newest first, only the fields the library shows (the bulky ``text`` stays there).

    ``collection`` is a pymongo ``AsyncCollection`` (tests pass a thin async shim over mongomock). Any
    driver error is CONFIGURATION without the driver's text, which may name hosts or credentials.
    """

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    async def find(self, query: Mapping[str, Any], *, fields: Sequence[str], sort: Sequence[tuple[str, int]],
                   skip: int, limit: int) -> list[Mapping[str, Any]]:
        try:
            cursor = self._collection.find(dict(query), dict.fromkeys(fields, 1))
            docs: list[Mapping[str, Any]] = await cursor.sort(list(sort)).skip(skip).limit(limit).to_list(limit)
        except PyMongoError as exc:
            raise _unreadable(exc) from None
        return docs

    async def count(self, query: Mapping[str, Any]) -> int:
        try:
            return int(await self._collection.count_documents(dict(query)))
        except PyMongoError as exc:
            raise _unreadable(exc) from None


def mongo_client(uri: str) -> AsyncMongoClient[dict[str, Any]]:
    """A client that connects on first use, with timezone-aware dates and one deadline per operation."""
    return AsyncMongoClient(uri, tz_aware=True, connect=False, timeoutMS=TIMEOUT_MS,
                            appname="openrouter-multimodal-mcp")


def files_collection(client: AsyncMongoClient[dict[str, Any]], database: str | None) -> MongoFiles:
    """``files`` in ``database``, else the URI's database, else ``LibreChat`` (LibreChat's compose default)."""
    db = client[database] if database else client.get_default_database(default=DEFAULT_DATABASE)
    return MongoFiles(db["files"])


class UnavailableFiles:
    """``FileDocuments`` for a database that could not be set up: every use is CONFIGURATION saying why."""

    def __init__(self, problem: str) -> None:
        self._problem = problem

    async def find(self, query: Mapping[str, Any], *, fields: Sequence[str], sort: Sequence[tuple[str, int]],
                   skip: int, limit: int) -> list[Mapping[str, Any]]:
        raise ConfigurationError(self._problem)

    async def count(self, query: Mapping[str, Any]) -> int:
        raise ConfigurationError(self._problem)


async def open_files(uri: str | None, database: str | None) -> AsyncIterator[MongoFiles | UnavailableFiles | None]:
    """The ``files`` seam for the app's lifetime (None without a URI); the client is closed at the end. A URI
    pymongo refuses gives ``UnavailableFiles``, so the server still starts and says what to fix on use."""
    if not uri:
        yield None
        return
    try:
        client = mongo_client(uri)
    except (PyMongoError, ValueError, TypeError) as exc:
        yield UnavailableFiles(f"{setting('librechat_mongo_uri')} is not a usable MongoDB URI "
                               f"({type(exc).__name__}): fix it and restart the server.")
        return
    try:
        yield files_collection(client, database)
    finally:
        await client.close()
