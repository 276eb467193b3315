"""``ModelId``: an OpenRouter model slug ``author/slug[:variant[:variant…]]``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidInput

KNOWN_VARIANTS = frozenset({"free", "nitro", "floor", "exacto", "online", "thinking", "extended", "beta"})

_PART = re.compile(r"^[A-Za-z0-9~][A-Za-z0-9._\-~]*$")
_VARIANT = re.compile(r"^[a-z0-9][a-z0-9\-]*$")


@dataclass(frozen=True, slots=True)
class ModelId:
    author: str
    slug: str
    variants: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str) -> ModelId:
        text = raw.strip()
        base, *variants = text.split(":")
        author, sep, slug = base.partition("/")
        if not sep or not _PART.match(author) or not slug or not all(_PART.match(p) for p in slug.split("/")):
            raise InvalidInput(
                f"model '{raw}' is not an OpenRouter model id: use 'author/slug' such as "
                "'openai/gpt-4o-mini', optionally with a variant like ':free' or ':nitro'.",
                suggestions=("Use search_models to find a model id",),
            )
        if any(not _VARIANT.match(v) for v in variants):
            raise InvalidInput(f"model '{raw}' has an empty or malformed ':variant' suffix.")
        return cls(author=author, slug=slug, variants=tuple(variants))

    @property
    def base(self) -> str:
        """The catalogue id, without variant suffixes."""
        return f"{self.author}/{self.slug}"

    @property
    def is_free(self) -> bool:
        return "free" in self.variants

    def __str__(self) -> str:
        return ":".join((self.base, *self.variants))
