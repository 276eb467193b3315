"""``OpenRouterVideos``: the VideoJobsApi port over ``POST /videos``, ``GET /videos/{id}`` and its content."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urljoin

from ...application.job_ports import ByteSink
from ...domain.errors import InvalidInput, ResourceTooLarge, UpstreamError
from ...domain.generation import VideoRequest, VideoSnapshot
from .errors import classify
from .http import RETRYABLE_STATUS, OpenRouterHttp, RetryPolicy, parse_json
from .wire import decimal_or_none

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
MAX_BYTES_SETTING = "OPENROUTER_VIDEO_GEN_MAX_BYTES"


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


def _error_text(error: Any) -> str | None:
    if isinstance(error, Mapping):
        error = error.get("message") or error.get("code")
    return str(error) if error not in (None, "") else None


def _progress(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(0, min(100, round(number))) if number == number else None


class OpenRouterVideos:
    """``base_url`` resolves relative ``polling_url`` values; pass the configured OPENROUTER_BASE_URL."""

    def __init__(self, http: OpenRouterHttp, base_url: str = DEFAULT_BASE_URL,
                 retry: RetryPolicy | None = None) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/"
        self._retry = retry or RetryPolicy()

    def parse_snapshot(self, body: Any, job_id: str = "") -> VideoSnapshot:
        if not isinstance(body, Mapping):
            raise UpstreamError("generate_video: OpenRouter returned an unreadable job description: retry.")
        raw_id = body.get("id")
        ident = str(raw_id) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and raw_id else job_id
        if not ident:
            raise UpstreamError("generate_video: OpenRouter returned a job without an id: retry.")
        polling = body.get("polling_url")
        url = urljoin(self._base, polling) if isinstance(polling, str) and polling else \
            urljoin(self._base, f"videos/{quote(ident, safe='')}")
        status = body.get("status")
        urls = body.get("unsigned_urls")
        usage = body.get("usage")
        return VideoSnapshot(
            id=ident, status=status.strip().lower() if isinstance(status, str) and status.strip() else "pending",
            progress=_progress(body.get("progress")), polling_url=url,
            result_urls=tuple(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else (),
            cost=decimal_or_none(usage.get("cost")) if isinstance(usage, Mapping) else None,
            error=_error_text(body.get("error")))

    async def submit(self, request: VideoRequest) -> VideoSnapshot:
        body, _ = await self._http.request_json("POST", "videos", context="generate_video.submit",
                                                json_body=video_body(request))
        return self.parse_snapshot(body)

    async def poll(self, job_id: str) -> VideoSnapshot:
        """Read via ``stream`` because a failed job's ``error`` is job state, which ``request_json`` would raise."""
        ident = job_id.strip()
        if not ident:
            raise InvalidInput("video_id is required.")
        context = "get_video_status.poll"
        waited = 0.0
        for attempt in range(self._retry.attempts):
            try:
                async with self._http.stream("GET", f"videos/{quote(ident, safe='')}", context=context) as response:
                    await response.aread()
                    headers = response.headers
                    text = response.text
                break
            except UpstreamError as exc:
                if exc.status not in RETRYABLE_STATUS or attempt == self._retry.attempts - 1 \
                        or waited >= self._retry.max_total_s:
                    raise
                delay = self._retry.delay(attempt, exc.retry_after_seconds)
                waited += delay
                await asyncio.sleep(delay)
        try:
            body = parse_json(text)
        except ValueError:
            raise UpstreamError(f"{context}: OpenRouter returned a job description that is not JSON: retry.") from None
        if isinstance(body, Mapping) and body.get("error") is not None and body.get("status") is None:
            raise classify(200, body, headers, context)
        return self.parse_snapshot(body, ident)

    async def download(self, job_id: str, index: int, sink: ByteSink, max_bytes: int) -> str:
        context = "generate_video.download"
        path = f"videos/{quote(job_id.strip(), safe='')}/content?index={int(index)}"
        async with self._http.stream("GET", path, context=context, headers={"Accept": "video/*"}) as response:
            mime = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if mime == "application/json":
                await response.aread()
                raise classify(502, _json_or_text(response.text), response.headers, context)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(int(declared), max_bytes)
            total = 0
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise _too_large(total, max_bytes, at_least=True)
                await sink.write(chunk)
        return mime if mime.startswith("video/") else "video/mp4"


def _json_or_text(text: str) -> Any:
    try:
        return parse_json(text)
    except ValueError:
        return {"error": {"message": text[:300] or "the video content endpoint returned JSON instead of a video"}}


def _too_large(size: int, max_bytes: int, *, at_least: bool = False) -> ResourceTooLarge:
    more = "more than " if at_least else ""
    return ResourceTooLarge(
        f"generate_video: the video is {more}{size} bytes, over the {max_bytes}-byte limit: raise "
        f"{MAX_BYTES_SETTING}, or fetch it from the job's URL yourself.",
        details={"size_bytes": size, "max_bytes": max_bytes, "setting": MAX_BYTES_SETTING})
