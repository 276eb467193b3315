"""``OpenRouterVideos``: the VideoJobsApi port over ``POST /videos``, ``GET /videos/{id}`` and its content."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urljoin

from ...application.job_ports import ByteSink
from ...domain.errors import ErrorCode, InvalidInput, ResourceTooLarge, UpstreamError
from ...domain.generation import VideoRequest, VideoSnapshot
from ...domain.redaction import url_without_credentials
from ...domain.setting_refs import setting
from .body import ByteCap
from .errors import classify
from .http import RETRYABLE_STATUS, OpenRouterHttp, RetryPolicy, parse_json
from .redaction import clean
from .wire import decimal_or_none, session_header, short_text

MAX_BYTES_SETTING = setting("video_gen_max_bytes")


def video_body(request: VideoRequest) -> dict[str, Any]:
    body: dict[str, Any] = {"model": str(request.model), "prompt": request.prompt or None,
                            "resolution": request.resolution, "aspect_ratio": request.aspect_ratio,
                            "duration": request.duration, "seed": request.seed,
                            "generate_audio": request.generate_audio}
    if request.frame_images:
        body["frame_images"] = [{"type": "image_url", "image_url": {"url": url}, "frame_type": frame_type}
                                for frame_type, url in request.frame_images]
    if request.reference_images:
        body["input_references"] = [{"type": "image_url", "image_url": {"url": url}}
                                    for url in request.reference_images]
    if request.provider_options:
        body["provider"] = {"options": dict(request.provider_options)}
    return {k: v for k, v in body.items() if v is not None}


MAX_ID_CHARS = 256
MAX_URL_CHARS = 4096
MAX_RESULT_URLS = 16
ERROR_CHARS = 1000


def _error_text(error: Any) -> str | None:
    if isinstance(error, Mapping):
        error = error.get("message") or error.get("code")
    if error in (None, "") or isinstance(error, Mapping | list):
        return None
    return str(error)[: ERROR_CHARS * 4]


def _progress(value: Any) -> int | None:
    """A percentage in 0..100, or None for anything unusable (1e999, NaN, words, huge strings)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or (isinstance(value, str)
                                                                              and len(value) > 32):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return max(0, min(100, round(number))) if math.isfinite(number) else None


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value) if not isinstance(value, int) or abs(value) < 10**30 else ""
    return text if text and len(text) <= MAX_ID_CHARS and text.isprintable() and text.strip() == text else None


class OpenRouterVideos:
    """Relative ``polling_url`` values resolve against the session's base URL (credentials left out).

    Every job field is read defensively: an odd number or shape is dropped, never raised, so a
    paid job cannot be lost over a bad poll; a failed job's ``error`` is cleaned of secrets and controls.
    """

    def __init__(self, http: OpenRouterHttp, retry: RetryPolicy | None = None) -> None:
        self._http = http
        self._base = url_without_credentials(http.base_url).rstrip("/") + "/"
        self._retry = retry or RetryPolicy()

    def parse_snapshot(self, body: Any, job_id: str = "") -> VideoSnapshot:
        if not isinstance(body, Mapping):
            raise UpstreamError("generate_video: OpenRouter returned an unreadable job description: retry.")
        ident = _ident(body.get("id")) or job_id
        if not ident:
            raise UpstreamError("generate_video: OpenRouter returned a job without a usable id: retry.")
        polling = body.get("polling_url")
        url = urljoin(self._base, polling) if isinstance(polling, str) and 0 < len(polling) <= MAX_URL_CHARS \
            and polling.isprintable() else urljoin(self._base, f"videos/{quote(ident, safe='')}")
        redact = self._http.redact
        status = short_text(body.get("status"), 40)
        urls = body.get("unsigned_urls")
        usage = body.get("usage")
        error = _error_text(body.get("error"))
        return VideoSnapshot(
            id=ident, status=status.lower() if status else "pending",
            progress=_progress(body.get("progress")), polling_url=redact(url_without_credentials(url)),
            result_urls=tuple(redact(url_without_credentials(u)) for u in urls[:MAX_RESULT_URLS]
                              if isinstance(u, str) and len(u) <= MAX_URL_CHARS and u.isprintable())
            if isinstance(urls, list) else (),
            cost=decimal_or_none(usage.get("cost")) if isinstance(usage, Mapping) else None,
            error=clean(error, self._http.redact, ERROR_CHARS) if error else None)

    async def submit(self, request: VideoRequest) -> VideoSnapshot:
        with self._http.redacting():
            body, _ = await self._http.request_json("POST", "videos", context="generate_video.submit",
                                                    json_body=video_body(request),
                                                    headers=session_header(request.attribution))
            return self.parse_snapshot(body)

    async def poll(self, job_id: str) -> VideoSnapshot:
        """Read via ``stream`` because a failed job's ``error`` is job state, which ``request_json`` would raise.

        Retries 429/5xx and broken connections up to the ``max_retries`` setting; a Retry-After longer than
        the retry budget returns the error at once."""
        ident = job_id.strip()
        if not ident:
            raise InvalidInput("video_id is required.")
        context = "get_video_status.poll"
        waited = 0.0
        with self._http.redacting():
            for attempt in range(self._retry.attempts):
                try:
                    async with self._http.stream("GET", f"videos/{quote(ident, safe='')}",
                                                 context=context) as response:
                        raw = await response.read()
                        headers = response.headers
                    break
                except UpstreamError as exc:
                    retryable = exc.status in RETRYABLE_STATUS or (exc.status is None
                                                                  and exc.code is ErrorCode.UPSTREAM_HTTP)
                    wait = self._retry.next_wait(attempt, exc.retry_after_seconds, waited, self._retry.max_total_s) \
                        if retryable and attempt < self._retry.attempts - 1 else None
                    if wait is None:
                        raise
                    waited += wait
                    await asyncio.sleep(wait)
            try:
                body = parse_json(raw)
            except ValueError:
                raise UpstreamError(f"{context}: OpenRouter returned a job description that is not JSON: "
                                    "retry.") from None
            if isinstance(body, Mapping) and body.get("error") is not None and body.get("status") is None:
                raise classify(200, body, headers, context)
            return self.parse_snapshot(body, ident)

    async def download(self, job_id: str, index: int, sink: ByteSink, max_bytes: int) -> str:
        """Stream output ``index`` into ``sink``. Only a 2xx reply with a non-JSON body counts as the video:
        a redirect, an error status or a JSON body is an UpstreamError, and nothing past ``max_bytes``
        (``video_gen_max_bytes``, counted after decompression) is written."""
        context = "generate_video.download"
        path = f"videos/{quote(job_id.strip(), safe='')}/content?index={int(index)}"
        cap = ByteCap(max_bytes, lambda seen: _too_large(seen, max_bytes, at_least=True))
        with self._http.redacting():
            async with self._http.stream("GET", path, context=context, headers={"Accept": "video/*"}) as response:
                mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
                if mime == "application/json":
                    raise classify(502, _json_or_text(await response.read()), response.headers, context)
                declared = response.headers.get("content-length", "").strip()
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(int(declared), max_bytes)
                async for chunk in response.iter_bytes(cap):
                    await sink.write(chunk)
        return mime if mime.startswith("video/") else "video/mp4"


def _json_or_text(raw: bytes) -> Any:
    try:
        return parse_json(raw)
    except ValueError:
        text = raw[:600].decode("utf-8", "replace").strip()
        return {"error": {"message": text[:300] or "the video content endpoint returned JSON instead of a video"}}


def _too_large(size: int, max_bytes: int, *, at_least: bool = False) -> ResourceTooLarge:
    more = "more than " if at_least else ""
    return ResourceTooLarge(
        f"generate_video: the video is {more}{size} bytes, over the {max_bytes}-byte limit: raise "
        f"{MAX_BYTES_SETTING}, or fetch it from the job's URL yourself.",
        details={"size_bytes": size, "max_bytes": max_bytes, "setting": MAX_BYTES_SETTING})
