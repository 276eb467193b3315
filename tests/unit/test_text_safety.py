"""Pure text hygiene (control stripping, caps, redaction) and the bounded body reader's inflation and lines."""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from openrouter_multimodal.adapters.openrouter.body import PIECE, ByteCap, iter_body, iter_lines
from openrouter_multimodal.domain.errors import ErrorCode, OpenRouterMcpError, UpstreamError
from openrouter_multimodal.domain.redaction import REDACTED, Redactor, url_credentials, url_without_credentials
from openrouter_multimodal.domain.text_safety import cap_text, sanitize_result_text, strip_controls

pytestmark = pytest.mark.anyio
KEY = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(("raw", "clean"), [
    ("plain\ttext\nline", "plain\ttext\nline"),
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b[2J\x1b[H\x1b[?25l", ""),
    ("title\x1b]0;pwned\x07 ok", "title ok"),
    ("link \x1b]8;;https://evil.example\x1b\\here\x1b]8;;\x1b\\", "link here"),
    ("\x1bPdevice control\x1b\\after", "after"),
    ("8-bit \x9b31mcsi \x9d0;t\x9c osc", "8-bit csi  osc"),
    ("nul\x00bell\x07bs\x08del\x7fc1\x85", "nulbellbsdelc1"),
    ("over\rwrite\r\nline", "over\nwrite\nline"),
    ("lone escape \x1b", "lone escape "),
    ("unicode ok: é 中 🎬", "unicode ok: é 中 🎬"),
])
def test_strip_controls(raw: str, clean: str) -> None:
    assert strip_controls(raw) == clean


def test_strip_controls_is_linear_on_megabytes_of_escapes() -> None:
    text = "\x1b[31mX\x1b]0;t\x07" * 200_000
    assert strip_controls(text) == "X" * 200_000


def test_cap_and_sanitize_note_the_cut() -> None:
    assert cap_text("abc", 3) == "abc"
    cut = cap_text("abcdef", 3)
    assert cut.startswith("abc\n[cut: the text had 6 characters") and "${max_result_chars}" in cut
    assert sanitize_result_text("\x1b[1m" + "x" * 10, 5).startswith("xxxxx\n[cut")


def test_redactor_removes_keys_bearer_tokens_and_url_credentials() -> None:
    redact = Redactor((KEY, "hunter2pass"))
    text = (f"Invalid header Authorization: Bearer {KEY}; raw={{'auth': 'bearer abc.def-ghi'}} "
            "proxy http://bob:hunter2pass@proxy.example:3128/v1 and sk-or-v1-ffffffffffffffff and hunter2pass")
    cleaned = redact(text)
    for secret in (KEY, "abc.def-ghi", "hunter2pass", "bob:", "sk-or-v1-ffff"):
        assert secret not in cleaned, secret
    assert cleaned.count(REDACTED) >= 5
    assert redact(cleaned) == cleaned
    assert Redactor(("abc",))("abc stays: too short to hide") == "abc stays: too short to hide"


def test_url_helpers() -> None:
    assert url_without_credentials("http://u:p%40ss@proxy:8080/api/v1?x=1") == "http://proxy:8080/api/v1?x=1"
    assert url_without_credentials("https://openrouter.ai/api/v1") == "https://openrouter.ai/api/v1"
    assert url_without_credentials("not a url with user:pw@host") == "not a url with user:pw@host"
    assert {"p%40ssword", "p@ssword"} <= set(url_credentials("http://u:p%40ssword@proxy/"))
    assert url_credentials("http://proxy/") == ()


# --- the bounded body reader ---------------------------------------------------------------------------------------


class Chunks(httpx.AsyncByteStream):
    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step = data, step

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.step):
            yield self.data[start : start + self.step]


def too_big(seen: int) -> OpenRouterMcpError:
    return UpstreamError(f"over: {seen}", code=ErrorCode.RESOURCE_TOO_LARGE)


async def read(data: bytes, encoding: str, step: int, cap: int = 1 << 30) -> tuple[bytes, int]:
    headers = {"content-encoding": encoding} if encoding else {}
    response = httpx.Response(200, headers=headers, stream=Chunks(data, step))
    out, biggest = bytearray(), 0
    async for piece in iter_body(response, ByteCap(cap, too_big), "test"):
        out += piece
        biggest = max(biggest, len(piece))
    return bytes(out), biggest


@pytest.mark.parametrize("step", [3, 1000, 65536, 10_000_000])
async def test_every_encoding_inflates_in_bounded_pieces(step: int) -> None:
    payload = os.urandom(100_000) + bytes(3_000_000) + b"tail"
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    cases = {"gzip": gzip.compress(payload), "deflate": zlib.compress(payload),
             "x-gzip": gzip.compress(b"one") + gzip.compress(payload) + b"\x00\x00 trailing junk"}
    for encoding, data in cases.items():
        out, biggest = await read(data, encoding, step)
        assert out == (b"one" + payload if encoding == "x-gzip" else payload), encoding
        assert biggest <= max(PIECE, step)
    out, _ = await read(raw_deflate.compress(payload) + raw_deflate.flush(), "deflate", step)
    assert out == payload


async def test_a_bomb_stops_at_the_cap_and_broken_or_unknown_encodings_are_upstream_errors() -> None:
    with pytest.raises(UpstreamError, match="over: ") as caught:
        await read(gzip.compress(bytes(50_000_000), 1), "gzip", 65536, cap=1_000_000)
    assert caught.value.code is ErrorCode.RESOURCE_TOO_LARGE
    with pytest.raises(UpstreamError, match="could not be decompressed"):
        await read(b"\x1f\x8b\x08\x00 not really gzip", "gzip", 100)
    with pytest.raises(UpstreamError, match="'br'"):
        await read(b"whatever", "br", 100)


async def pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize("parts", [
    (b"a\r\nb\nc\rd\n\n",),
    (b"a\r", b"\nb\n", b"c\r", b"d\n", b"\n"),
    (b"a", b"\r", b"\n", b"b\nc", b"\rd\n\n"),
])
async def test_lines_split_at_every_sse_line_end_across_pieces(parts: tuple[bytes, ...]) -> None:
    assert [line async for line in iter_lines(pieces(*parts))] == ["a", "b", "c", "d", ""]


async def test_lines_keep_split_utf8_and_unicode_line_separators() -> None:
    text = "data: {\"t\": \"é\u2028中\"}\n\n".encode()
    got = [line async for line in iter_lines(pieces(*(text[i : i + 1] for i in range(len(text)))))]
    assert got == ["data: {\"t\": \"é\u2028中\"}", ""]
    assert [line async for line in iter_lines(pieces(b"no end"))] == ["no end"]
