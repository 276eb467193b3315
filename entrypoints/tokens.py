"""Bearer tokens for the HTTP service: the tokens file, verification by hash, and minting new tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..domain.caller import normalize_subject
from ..domain.errors import ConfigurationError, InvalidInput

TOKEN_PREFIX = "ormcp_"
_HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_TOKEN_CHARS = 512


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a valid token proves: its subject, and whether it is a gateway that may name users in a header."""

    subject: str
    gateway: bool = False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits), shown once; only its digest is ever stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def file_line(token: str, subject: str, *, gateway: bool = False) -> str:
    return f"{token_digest(token)} {normalize_subject(subject)}" + (" gateway" if gateway else "")


class TokenBook:
    """The verified contents of ``OPENROUTER_MCP_TOKENS_FILE``.

    Why hashes: the file is often mounted into a container or kept in a repo; a leaked copy must
    not let anyone call the server. Lookup compares the digest of the presented token with
    ``hmac.compare_digest`` against every entry, so timing reveals nothing about near misses.
    How it fails: ``ConfigurationError`` naming the file and line for a malformed entry
    (a server that cannot read its tokens must not start open).
    """

    def __init__(self, grants: dict[str, TokenGrant]) -> None:
        self._grants = grants

    def __len__(self) -> int:
        return len(self._grants)

    @classmethod
    def parse(cls, text: str, source: str = "the tokens file") -> TokenBook:
        grants: dict[str, TokenGrant] = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            where = f"{source} line {number}"
            if len(fields) not in (2, 3) or not _HEX64.fullmatch(fields[0].lower()):
                raise ConfigurationError(
                    f"{where} is not '<sha256 hex of the token> <subject> [gateway]': fix it "
                    "(openrouter-multimodal-mcp token new <subject> prints a valid line).")
            if len(fields) == 3 and fields[2] != "gateway":
                raise ConfigurationError(f"{where}: the third field may only be 'gateway'.")
            try:
                subject = normalize_subject(fields[1])
            except InvalidInput as exc:
                raise ConfigurationError(f"{where}: {exc.message}") from None
            grants[fields[0].lower()] = TokenGrant(subject, gateway=len(fields) == 3)
        return cls(grants)

    @classmethod
    def load(cls, path: str) -> TokenBook:
        try:
            text = Path(path).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"cannot read the tokens file {path} ({exc}): fix OPENROUTER_MCP_TOKENS_FILE.") from None
        return cls.parse(text, str(path))

    def verify(self, presented: str) -> TokenGrant | None:
        """The grant for a presented bearer token, or None."""
        if not presented or len(presented) > MAX_TOKEN_CHARS:
            return None
        digest = token_digest(presented)
        found: TokenGrant | None = None
        for stored, grant in self._grants.items():
            if hmac.compare_digest(stored, digest):
                found = grant
        return found
