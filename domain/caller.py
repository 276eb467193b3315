"""``Caller``: who is making a tool call, where that identity came from, and how upstream sees them."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

from .errors import InvalidInput

SUBJECT_MAX_CHARS = 128
CONVERSATION_MAX_CHARS = 256
LOCAL_SUBJECT = "local"

_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")
_CONVERSATION = re.compile(r"[\x21-\x7e]+")


class IdentitySource(enum.StrEnum):
    """How the subject was established; only ``LOCAL`` callers own the machine they run on."""

    LOCAL = "local"
    TOKEN = "token"
    GATEWAY = "gateway"
    EMBEDDED = "embedded"
    LOOPBACK = "loopback"
    """An unauthenticated HTTP caller of a server bound to loopback only (no tokens configured)."""


def normalize_subject(raw: str) -> str:
    """The subject as stored and used in names: trimmed, ASCII, and safe as one path component.

    Why: subjects become folder names (outputs, libraries) and store keys, and on HTTP they
    come from a gateway header, so ``../x`` or an empty string must never reach a path.
    How it fails: ``InvalidInput`` for empty, over-long, dot-only or non-``[A-Za-z0-9._@+-]`` subjects.
    """
    text = raw.strip()
    if not text or len(text) > SUBJECT_MAX_CHARS or not _SUBJECT.fullmatch(text) or set(text) <= {"."}:
        raise InvalidInput(
            f"the user id '{text[:40]}' is not usable: use 1-{SUBJECT_MAX_CHARS} characters of letters, digits "
            "and . _ @ + -, starting with a letter or digit."
        )
    return text


@dataclass(frozen=True, slots=True)
class Attribution:
    """What OpenRouter is told about the end user: a pseudonym (``user``) and a conversation (``session_id``)."""

    user: str | None = None
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity a call runs under; every use case, store and policy rule is keyed by ``subject``."""

    subject: str
    source: IdentitySource = IdentitySource.LOCAL
    conversation_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", normalize_subject(self.subject))
        conversation = (self.conversation_id or "").strip() or None
        if conversation is not None and (
            len(conversation) > CONVERSATION_MAX_CHARS or not _CONVERSATION.fullmatch(conversation)
        ):
            raise InvalidInput(
                f"the conversation id is not usable: use at most {CONVERSATION_MAX_CHARS} printable ASCII characters."
            )
        object.__setattr__(self, "conversation_id", conversation)

    @property
    def owns_machine(self) -> bool:
        """True only for the local user (stdio, or an embedder's default caller): the one caller that may read
        server-local paths; a host acting for its own users passes another source and gets none."""
        return self.source is IdentitySource.LOCAL

    def pseudonym(self, salt: str = "") -> str:
        """A stable id for OpenRouter's ``user`` field that does not reveal the subject.

        OpenRouter uses it to isolate provider abuse blocks per end user instead of per account.
        """
        digest = hashlib.sha256(f"openrouter-multimodal-mcp\x00{salt}\x00{self.subject}".encode()).hexdigest()
        return f"u-{digest[:32]}"

    def attribution(self, salt: str = "") -> Attribution:
        return Attribution(user=self.pseudonym(salt), session_id=self.conversation_id)


def local_caller(subject: str | None = None) -> Caller:
    """The stdio user: ``local``, or the configured ``user`` setting."""
    return Caller(subject or LOCAL_SUBJECT, IdentitySource.LOCAL)
