"""vcrpy configuration: replay-only unless VCR_RECORD_MODE says otherwise; secrets never recorded."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import vcr

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
_BASE64_MEDIA = re.compile(r"(data:[a-z]+/[a-z0-9.+-]+;base64,)([A-Za-z0-9+/=]{400})[A-Za-z0-9+/=]+")


def _trim_media(response: dict[str, Any]) -> dict[str, Any]:
    """Keep cassettes small when re-recording: cut base64 media bodies to a stub."""
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and len(body) > 100_000:
        response["body"]["string"] = _BASE64_MEDIA.sub(r"\1\2", body)
    return response


replay = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode=os.environ.get("VCR_RECORD_MODE", "none"),
    match_on=("method", "scheme", "host", "port", "path", "query"),
    filter_headers=["authorization", "cookie", "set-cookie"],
    before_record_response=_trim_media,
    decode_compressed_response=True,
    ignore_localhost=True,
)


def use_cassette(name: str) -> Any:
    """A cassette whose interactions may be replayed repeatedly (the catalogue is read by many tools)."""
    return replay.use_cassette(f"{name}.yaml", allow_playback_repeats=True)
