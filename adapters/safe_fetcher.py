"""``SafeHttpFetcher``: downloads caller-supplied URLs without reaching private networks (SSRF guard)."""

from __future__ import annotations

from collections.abc import Callable
from http.cookiejar import CookieJar, DefaultCookiePolicy

import anyio
import httpx

from ..application.fetch_ports import FetchedResource, FetchLimits, Resolver
from ..domain.errors import ErrorCode, InvalidInput, ResourceTooLarge, UpstreamError
from ..domain.network_policy import IPAddress, parse_host_literal, parse_ip, refusal_reason
from .pinned_transport import (
    ACCEPT,
    display_url,
    host_of,
    parse_fetch_url,
    pinned_request,
    port_of,
    with_article,
)

AddressPolicy = Callable[[IPAddress], str | None]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class SafeHttpFetcher:
    """Fetches http(s) URLs for the media tools, refusing anything that is not a public host.

    Every hop (the first URL and each redirect) is vetted the same way: scheme and credentials,
    then the host's addresses - the literal itself, or every address the ``Resolver`` returns -
    must all pass ``address_policy``; one bad address refuses the hop with ``UPSTREAM_REFUSED``
    before any byte is sent, and the message names the reason, never the resolved addresses.
    The connection then goes to a checked address (see ``pinned_request``), so the name is
    resolved exactly once per hop. ``allow_private=True`` skips the address policy for operators
    who deliberately fetch from their own network.

    The owned client keeps no cookies, ignores proxy/netrc environment settings (which would
    route or authenticate requests outside this guard) and never follows redirects itself. A
    client passed in is used as is and is not closed by ``aclose``.
    """

    def __init__(
        self,
        resolver: Resolver,
        user_agent: str,
        *,
        allow_private: bool = False,
        address_policy: AddressPolicy = refusal_reason,
        client: httpx.AsyncClient | None = None,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._policy = address_policy
        self._headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "identity"}
        self._owns_client = client is None
        self._transport_factory = transport_factory
        self._given = client
        self._owned: httpx.AsyncClient | None = None

    @property
    def _client(self) -> httpx.AsyncClient:
        """The HTTP client, built on first use in the running loop (so no TLS context exists until a URL is read)."""
        if self._given is not None:
            return self._given
        if self._owned is None:
            self._owned = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                transport=self._transport_factory() if self._transport_factory is not None else None,
            )
        return self._owned

    async def aclose(self) -> None:
        """Close the client if one was built; nothing to do (and nothing built) otherwise."""
        owned, self._owned = self._owned, None
        if owned is not None:
            await owned.aclose()

    async def fetch(self, url: str, limits: FetchLimits) -> FetchedResource:
        """The body at ``url`` after at most ``limits.max_redirects`` vetted redirects.

        Fails with ``InvalidInput`` (bad URL, unresolvable host, HTTP error status, redirect
        trouble, broken connection), ``UpstreamError`` ``UPSTREAM_REFUSED`` (address policy) or
        ``UPSTREAM_TIMEOUT`` (the whole exchange, body included, exceeded ``timeout_s``), and
        ``ResourceTooLarge`` as soon as the body is known to exceed ``max_bytes``.
        """
        start = parse_fetch_url(url)
        shown = display_url(start)
        try:
            with anyio.fail_after(limits.timeout_s):
                return await self._follow(start, limits)
        except (TimeoutError, httpx.TimeoutException):
            raise UpstreamError(
                f"fetching {shown} took longer than {limits.timeout_s:g} s "
                f"({limits.setting('fetch_timeout_ms')}): raise the limit or use a faster host.",
                code=ErrorCode.UPSTREAM_TIMEOUT,
            ) from None
        except httpx.ConnectError:
            raise InvalidInput(
                f"could not connect to the host of {shown}: check that the URL is reachable from this "
                "machine, or pass a local file path or data URL instead."
            ) from None
        except httpx.HTTPError as exc:
            raise InvalidInput(
                f"downloading {shown} failed ({type(exc).__name__}): check the URL, "
                "or pass a local file path or data URL instead."
            ) from None

    async def _follow(self, current: httpx.URL, limits: FetchLimits) -> FetchedResource:
        redirects = 0
        context = ""
        while True:
            response = await self._open(current, limits, context)
            try:
                status = response.status_code
                if status in _REDIRECT_STATUSES:
                    current = self._next_hop(current, response, redirects, limits)
                    redirects += 1
                    context = "while following a redirect: "
                    continue
                if not 200 <= status < 300:
                    raise InvalidInput(
                        f"the server at {host_of(current)} answered HTTP {status} for "
                        f"{display_url(current)}: check the URL is correct and publicly reachable.",
                        details={"status": status},
                    )
                data = await _read_capped(response, limits, current)
                return FetchedResource(
                    final_url=str(current),
                    content_type=response.headers.get("content-type"),
                    data=data,
                )
            finally:
                await response.aclose()

    def _next_hop(
        self, current: httpx.URL, response: httpx.Response, redirects: int, limits: FetchLimits
    ) -> httpx.URL:
        location = response.headers.get("location")
        if not location:
            raise InvalidInput(
                f"the server at {host_of(current)} answered HTTP {response.status_code} without a "
                f"Location header for {display_url(current)}: pass the final URL of the file instead."
            )
        if redirects >= limits.max_redirects:
            raise InvalidInput(
                f"too many redirects fetching {display_url(current)} (limit {limits.max_redirects}, "
                f"{limits.setting('max_redirects')}): pass the final URL of the file or raise the limit."
            )
        try:
            target = current.join(location)
        except (httpx.InvalidURL, UnicodeError):
            raise InvalidInput(
                f"the server at {host_of(current)} redirected to an invalid URL: pass the final URL instead."
            ) from None
        return parse_fetch_url(str(target), context="while following a redirect: ")

    async def _open(self, url: httpx.URL, limits: FetchLimits, context: str) -> httpx.Response:
        addresses = await self._checked_addresses(url, context)
        last_error: httpx.ConnectError | None = None
        for ip in addresses:
            request = pinned_request(self._client, url, ip, self._headers, limits.timeout_s)
            try:
                return await self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def _checked_addresses(self, url: httpx.URL, context: str) -> list[IPAddress]:
        """The addresses to connect to for ``url``, all of them vetted by the address policy.

        A literal host is judged directly (no lookup, so ``2130706433`` cannot pose as a name);
        otherwise the resolver is asked once. Every answer must pass, not just the first: the
        transport may fall back to any of them, and an attacker controls the order.
        """
        host = host_of(url)
        literal = parse_host_literal(host)
        if literal is not None:
            addresses: list[IPAddress] = [literal]
            subject = "the host is"
        else:
            try:
                answers = await self._resolver.resolve(host, port_of(url))
            except OSError:
                answers = []
            if not answers:
                raise InvalidInput(
                    f"{context}could not resolve host '{host}' in {display_url(url)}: check the spelling "
                    "and that the name exists in public DNS."
                )
            parsed = [parse_ip(answer) for answer in answers]
            addresses = [ip for ip in parsed if ip is not None]
            if len(addresses) != len(parsed):
                raise self._refusal(url, context, "the resolver returned a malformed address")
            subject = "the host resolves to"
        if not self._allow_private:
            for ip in addresses:
                reason = self._policy(ip)
                if reason is not None:
                    raise self._refusal(url, context, f"{subject} {with_article(reason)} address")
        return addresses

    @staticmethod
    def _refusal(url: httpx.URL, context: str, why: str) -> UpstreamError:
        return UpstreamError(
            f"{context}refused to fetch {display_url(url)}: {why}; only public internet hosts can be "
            "fetched, so pass a local file path or data URL instead.",
            code=ErrorCode.UPSTREAM_REFUSED,
        )


async def _read_capped(response: httpx.Response, limits: FetchLimits, url: httpx.URL) -> bytes:
    """The decoded body, abandoned as soon as it is known to exceed ``limits.max_bytes``.

    A declared ``Content-Length`` over the cap fails before any body byte is read; otherwise
    the running total is checked per chunk, so a missing or lying length cannot make the
    download grow past the cap by more than one chunk. Compressed bodies are refused: one small
    gzip read can inflate to many megabytes before any check could run.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise InvalidInput(
            f"{display_url(url)} was sent compressed ({encoding}) although only identity was accepted; "
            "compressed media cannot be size-checked safely: download it and pass the file instead.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise _too_large(url, limits)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_raw():
        total += len(chunk)
        if total > limits.max_bytes:
            raise _too_large(url, limits)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: httpx.URL, limits: FetchLimits) -> ResourceTooLarge:
    return ResourceTooLarge(
        f"{display_url(url)} is larger than the {limits.max_bytes}-byte download limit "
        f"({limits.setting('max_download_bytes')}): raise the limit or pass a smaller file.",
        details={"max_bytes": limits.max_bytes},
    )
