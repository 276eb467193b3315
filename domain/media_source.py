"""``MediaSource``: what a media tool was handed, a local path, an http(s) URL or a base64 data: URL."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from .errors import InvalidInput

ACCEPTED_FORMS = "a local file path, an http(s) URL, or a base64 data: URL"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_WINDOWS_STYLE = re.compile(r"^(?:[A-Za-z]:|\\\\)")
_URLSAFE_TO_STANDARD = str.maketrans("-_", "+/")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]*")


class MediaSource:
    """Base of the parsed forms; ``parse`` never touches the disk or the network."""

    __slots__ = ()

    @classmethod
    def parse(cls, raw: str) -> MediaSource:
        """Classify ``raw`` as a ``LocalPath``, ``HttpUrl`` or ``DataUrl``.

        A one-letter "scheme" is a Windows drive (``C:\\x``). Any longer scheme other than
        http, https and data (``file:``, ``ftp:``, ``gopher:``…) is refused with
        ``InvalidInput`` rather than read as a relative path, so ``file:///etc/passwd`` can
        never slip past the sandbox as a file name and nothing is fetched by surprise.
        """
        text = raw.strip()
        if not text:
            raise InvalidInput(f"no media was given: pass {ACCEPTED_FORMS}.")
        if "\x00" in text:
            raise InvalidInput(f"the media input contains a NUL character: pass {ACCEPTED_FORMS}.")
        match = _SCHEME.match(text)
        if match is None or len(match.group(1)) == 1:
            return LocalPath.parse(text)
        scheme = match.group(1).lower()
        if scheme == "data":
            return DataUrl.parse(text)
        if scheme in ("http", "https"):
            return HttpUrl.parse(text)
        raise InvalidInput(
            f"'{scheme}:' inputs are not accepted: pass {ACCEPTED_FORMS} "
            "(write a relative file name containing ':' as ./name)."
        )


def _not_base64() -> InvalidInput:
    return InvalidInput("the data URL payload is not valid base64: re-encode the file with standard base64.")


@dataclass(frozen=True, slots=True)
class LocalPath(MediaSource):
    """A file path as given; expanding ``~`` and resolving it is the file adapter's job."""

    path: str
    home_relative: bool = False
    windows_style: bool = False

    @classmethod
    def parse(cls, raw: str) -> LocalPath:
        text = raw.strip()
        return cls(
            path=text,
            home_relative=text.startswith("~"),
            windows_style=bool(_WINDOWS_STYLE.match(text)),
        )

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class HttpUrl(MediaSource):
    """An http(s) URL with a host and no credentials; ``url`` is the text as given."""

    url: str
    scheme: str
    host: str
    port: int | None

    @classmethod
    def parse(cls, raw: str) -> HttpUrl:
        """Validate without resolving anything.

        Credentials (``user:pass@``) are refused because they would be sent to a third party
        and logged; backslashes are refused because URL parsers disagree on them (WHATWG reads
        ``\\`` as ``/``), which lets ``http://evil\\@good/`` mean two different hosts.
        """
        text = raw.strip()
        if any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in text):
            raise InvalidInput("the URL contains spaces or control characters: percent-encode them (%20).")
        if "\\" in text:
            raise InvalidInput("the URL contains a backslash: use '/' or percent-encode it (%5C).")
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise InvalidInput(f"the URL is malformed (bad host or port): pass {ACCEPTED_FORMS}.") from None
        if "@" in parts.netloc:
            raise InvalidInput(
                "URLs with credentials (user:pass@host) are not accepted: use a URL that needs no login, "
                "or download the file and pass its local path."
            )
        if not parts.hostname:
            raise InvalidInput("the URL has no host: use http(s)://host/path.")
        return cls(url=text, scheme=parts.scheme.lower(), host=parts.hostname, port=port)

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class DataUrl(MediaSource):
    """A ``data:<mime>[;params];base64,<payload>`` URL, kept encoded until ``decode``.

    The payload stays base64 text so callers can compare ``decoded_size_estimate`` against
    their cap before allocating the decoded bytes; it is hidden from ``repr`` so logging a
    source never dumps megabytes of media.
    """

    mime: str
    params: tuple[str, ...]
    payload: str = field(repr=False)

    @classmethod
    def parse(cls, raw: str) -> DataUrl:
        text = raw.strip()
        if text[:5].lower() != "data:":
            raise InvalidInput(f"not a data: URL: pass {ACCEPTED_FORMS}.")
        header, comma, payload = text[5:].partition(",")
        if not comma:
            raise InvalidInput(
                "the data URL has no ',' before its payload: use data:<mime>;base64,<payload>."
            )
        mime, *params = (p.strip() for p in header.split(";"))
        if not params or params[-1].lower() != "base64":
            raise InvalidInput("only base64 data URLs are accepted: use data:<mime>;base64,<payload>.")
        if "/" not in mime:
            raise InvalidInput(
                "the data URL has no MIME type: use data:<mime>;base64,<payload>, e.g. image/png."
            )
        payload = "".join(payload.split())
        if "%" in payload:
            payload = unquote(payload)
        if not payload:
            raise InvalidInput("the data URL has an empty payload: embed the base64-encoded file after ','.")
        return cls(mime=mime.lower(), params=tuple(params[:-1]), payload=payload)

    @property
    def decoded_size_estimate(self) -> int:
        """An upper bound on ``len(decode())``: ceil(len(payload) * 3 / 4)."""
        return (len(self.payload) * 3 + 3) // 4

    @property
    def filename(self) -> str | None:
        """The ``name=``/``filename=`` parameter some producers add, usable as an extension hint."""
        for param in self.params:
            key, eq, value = param.partition("=")
            if eq and key.strip().lower() in ("name", "filename"):
                return unquote(value.strip().strip('"'))
        return None

    def standard_payload(self) -> str:
        """The payload as padded standard base64; URL-safe alphabet and missing padding are tolerated.

        Why every character is checked: large payloads are copied verbatim into a JSON request body, where
        a quote or a non-ASCII character would rewrite the paid request. Raises ``InvalidInput`` on any
        character outside the base64 alphabets, padding inside the text or an impossible length.
        """
        padded = self._padded()
        if _BASE64_TEXT.fullmatch(padded.rstrip("=")) is None:
            raise _not_base64()
        return padded

    def decode(self) -> bytes:
        """The decoded bytes; the decoder itself refuses characters outside the alphabet (nothing is dropped)."""
        try:
            return base64.b64decode(self._padded(), validate=True)
        except ValueError:
            raise _not_base64() from None

    def _padded(self) -> str:
        body = self.payload.rstrip("=")
        if "-" in body or "_" in body:
            body = body.translate(_URLSAFE_TO_STANDARD)
        if len(body) % 4 == 1 or len(self.payload) - len(body) > 2:
            raise _not_base64()
        return body + "=" * (-len(body) % 4)

    def __str__(self) -> str:
        return f"data:{self.mime};base64,<{self.decoded_size_estimate} bytes>"
