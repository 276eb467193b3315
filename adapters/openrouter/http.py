"""The shared OpenRouter HTTP session: auth, attribution, bounded bodies, one deadline per call, honest retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx

from ...domain.errors import ErrorCode, InvalidInput, OpenRouterMcpError, UpstreamError, missing_api_key
from ...domain.redaction import Redactor, url_credentials, url_without_credentials
from ...domain.setting_refs import setting
from .body import ByteCap, iter_body, iter_lines, read_body, read_prefix, response_cap
from .config import BearerAuth, OpenRouterConfig, RetryPolicy, build_client
from .errors import classify, parse_retry_after
from .redaction import scrub

__all__ = ["BearerAuth", "OpenRouterConfig", "OpenRouterHttp", "RetryPolicy", "UpstreamResponse", "build_client",
           "parse_json"]

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504, 524, 529})
RESPONSE_BYTES_SETTING = setting("max_response_bytes")
MEDIA_RESPONSE_BYTES_SETTING = setting("max_media_response_bytes")
TIMEOUT_SETTING = setting("http_timeout_ms")
ERROR_BODY_BYTES = 64 * 1024


def parse_json(text: str | bytes) -> Any:
    """Parse a body that may start with whitespace padding (OpenRouter keep-alives).

    Raises ValueError for anything that is not JSON, including nesting too deep to parse."""
    try:
        return json.loads(text.lstrip())
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class UpstreamResponse:
    """A streamed 2xx response whose body can only be read through the byte cap."""

    def __init__(self, response: httpx.Response, cap: ByteCap, context: str) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._response = response
        self._cap = cap
        self._context = context

    def iter_bytes(self, cap: ByteCap | None = None) -> AsyncIterator[bytes]:
        return iter_body(self._response, cap or self._cap, self._context)

    def iter_lines(self) -> AsyncIterator[str]:
        return iter_lines(self.iter_bytes())

    async def read(self) -> bytes:
        return await read_body(self._response, self._cap, self._context)


class OpenRouterHttp:
    """Sends requests to OpenRouter and turns every failure into a classified ``UpstreamError``.

    Retries 429/5xx and connection failures only for idempotent requests (GET); a POST is
    retried only when the connection never opened, because a generation may be billed.
    An ``error`` key in the body is an error whatever the HTTP status. Every error that leaves
    here has the key, URL credentials and ``Bearer`` tokens redacted (see ``redacting``).
    """

    def __init__(self, config: OpenRouterConfig, *, retry: RetryPolicy | None = None,
                 client: httpx.AsyncClient | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 event_hooks: dict[str, list[Callable[..., Any]]] | None = None) -> None:
        self._given = client
        self._built: httpx.AsyncClient | None = None
        self._transport = transport
        self._event_hooks = event_hooks
        self._config = config
        self._retry = retry or RetryPolicy()
        self._bearer = BearerAuth(config.api_key) if config.api_key else None
        self.redact = Redactor(((config.api_key,) if config.api_key else ()) + url_credentials(config.base_url))

    @property
    def _client(self) -> httpx.AsyncClient:
        """The upstream client, built on first use inside the running loop: no TLS context at start-up or at
        shutdown when nothing was sent. A client passed in is used as is and never closed here."""
        if self._given is not None:
            return self._given
        if self._built is None:
            self._built = build_client(self._config, self._transport, self._event_hooks)
        return self._built

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def config(self) -> OpenRouterConfig:
        return self._config

    @property
    def configured(self) -> bool:
        return bool(self._config.api_key)

    def ensure_configured(self) -> None:
        if not self._config.api_key:
            raise missing_api_key()

    def _auth(self, auth: bool) -> BearerAuth | None:
        if not auth:
            return None
        self.ensure_configured()
        return self._bearer

    @contextmanager
    def redacting(self) -> Iterator[None]:
        """Re-raise any domain error with every known secret removed from its text and details."""
        try:
            yield
        except OpenRouterMcpError as exc:
            raise scrub(exc, self.redact) from None

    def cap(self, context: str, *, media: bool = False) -> ByteCap:
        if media:
            return response_cap(self._config.max_media_response_bytes, MEDIA_RESPONSE_BYTES_SETTING, context)
        return response_cap(self._config.max_response_bytes, RESPONSE_BYTES_SETTING, context)

    async def request_json(self, method: str, path: str, *, context: str, json_body: Any = None,
                           params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None,
                           auth: bool = True, media: bool = False,
                           content_factory: Callable[[], tuple[Any, dict[str, str]]] | None = None,
                           ) -> tuple[Any, httpx.Headers]:
        """One JSON exchange within one deadline. ``content_factory`` builds a fresh body for each attempt;
        ``media`` replies (generated images) get the larger media cap."""
        bearer = self._auth(auth)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._config.timeout_s
        with self.redacting():
            limit = asyncio.timeout_at(deadline)
            try:
                async with limit:
                    return await self._exchange(method, path, context, json_body, params, dict(headers or {}),
                                                bearer, self.cap(context, media=media), content_factory, deadline)
            except TimeoutError:
                if not limit.expired():
                    raise
                raise _timeout_error(context, self._config.timeout_s) from None
            except httpx.InvalidURL:
                raise _bad_url(context) from None

    async def _exchange(self, method: str, path: str, context: str, json_body: Any,
                        params: Mapping[str, str] | None, headers: dict[str, str],
                        bearer: BearerAuth | None, cap: ByteCap,
                        content_factory: Callable[[], tuple[Any, dict[str, str]]] | None,
                        deadline: float) -> tuple[Any, httpx.Headers]:
        idempotent = method in ("GET", "HEAD")
        loop = asyncio.get_running_loop()
        waited = 0.0
        for attempt in range(self._retry.attempts):
            last = attempt == self._retry.attempts - 1
            content, extra = content_factory() if content_factory else (None, {})
            retry_after: float | None = None
            request = self._client.build_request(method, path.lstrip("/"), json=json_body, params=params,
                                                 content=content, headers={**headers, **extra})
            try:
                response = await self._client.send(request, auth=bearer, stream=True)
                try:
                    ok = 200 <= response.status_code < 300
                    raw = await (read_body(response, cap, context) if ok
                                 else read_prefix(response, ERROR_BODY_BYTES, context))
                finally:
                    await response.aclose()
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error: OpenRouterMcpError = self._network_error(exc, context)
            except httpx.TimeoutException as exc:
                raise self._network_error(exc, context) from None
            except httpx.TransportError as exc:
                error = self._network_error(exc, context)
                if not idempotent:
                    raise error from None
            else:
                body = _decode(raw, response.status_code, context)
                has_error = isinstance(body, dict) and body.get("error") is not None
                if ok and not has_error:
                    return body, response.headers
                error = classify(response.status_code, body, response.headers, context)
                if not (idempotent and response.status_code in RETRYABLE_STATUS):
                    raise error
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            wait = None if last else self._retry.next_wait(attempt, retry_after, waited, deadline - loop.time())
            if wait is None:
                raise error
            waited += wait
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, context: str, json_body: Any = None,
                     content: Any = None, headers: Mapping[str, str] | None = None,
                     auth: bool = True, media: bool = False) -> AsyncIterator[UpstreamResponse]:
        """Open a streamed 2xx response (SSE, job state or a download); any other status is an error.

        The whole exchange, including everything the caller reads, ends at the call's deadline."""
        bearer = self._auth(auth)
        with self.redacting():
            limit = asyncio.timeout(self._config.timeout_s)
            try:
                async with limit:
                    request = self._client.build_request(method, path.lstrip("/"), json=json_body, content=content,
                                                         headers=dict(headers or {}))
                    response = await self._client.send(request, auth=bearer, stream=True)
                    try:
                        if not 200 <= response.status_code < 300:
                            raise await self._status_error(response, context)
                        yield UpstreamResponse(response, self.cap(context, media=media), context)
                    finally:
                        await response.aclose()
            except TimeoutError:
                if not limit.expired():
                    raise
                raise _timeout_error(context, self._config.timeout_s) from None
            except httpx.TransportError as exc:
                raise self._network_error(exc, context) from None
            except httpx.InvalidURL:
                raise _bad_url(context) from None

    async def _status_error(self, response: httpx.Response, context: str) -> OpenRouterMcpError:
        raw = await read_prefix(response, ERROR_BODY_BYTES, context)
        if response.status_code >= 400:
            return classify(response.status_code, _decode(raw, response.status_code, context), response.headers,
                            context)
        return UpstreamError(f"{context}: OpenRouter answered HTTP {response.status_code} instead of the content "
                             "(only a 2xx reply is accepted): retry after a short delay.",
                             code=ErrorCode.UPSTREAM_HTTP, status=response.status_code)

    def _network_error(self, exc: httpx.TransportError, context: str) -> UpstreamError:
        if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
            return _timeout_error(context, self._config.timeout_s)
        shown = url_without_credentials(self._config.base_url)
        return UpstreamError(f"{context}: could not reach {shown} ({type(exc).__name__}): check the network "
                             "or ${base_url}, then retry.", code=ErrorCode.UPSTREAM_HTTP,
                             suggestions=("Retry after a short delay",))

    async def aclose(self) -> None:
        built, self._built = self._built, None
        if built is not None:
            await built.aclose()


def _decode(raw: bytes, status: int, context: str) -> Any:
    """The JSON body; an error status with a non-JSON body becomes an error object quoting it."""
    try:
        return parse_json(raw)
    except ValueError:
        if status < 300:
            raise UpstreamError(f"{context}: OpenRouter answered HTTP {status} with a body that is not readable "
                                "JSON (a maintenance page or a broken proxy?): retry after a short delay.",
                                code=ErrorCode.UPSTREAM_HTTP, status=status) from None
        text = raw[:600].decode("utf-8", "replace").strip()
        return {"error": {"message": text[:300] or f"HTTP {status}", "code": status}}


def _bad_url(context: str) -> InvalidInput:
    return InvalidInput(f"{context}: the request URL could not be built (an id too long or with odd characters, "
                        "or a malformed ${base_url}): check the id you passed and the base URL.")


def _timeout_error(context: str, timeout_s: float) -> UpstreamError:
    return UpstreamError(f"{context}: OpenRouter did not finish answering within {timeout_s:g} s "
                         f"({TIMEOUT_SETTING}): retry, lower max_tokens, or choose a faster model.",
                         code=ErrorCode.UPSTREAM_TIMEOUT, suggestions=("Retry", "Use a ':nitro' variant"))
