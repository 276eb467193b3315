"""URL vetting and address-pinned request building for ``SafeHttpFetcher``."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import httpx

from ..domain.errors import InvalidInput

ACCEPT = "image/*, audio/*, video/*, */*;q=0.8"
DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_fetch_url(raw: str, *, context: str = "") -> httpx.URL:
    """``raw`` as an absolute http(s) URL with a host and no credentials, else ``InvalidInput``.

    Credentials are refused rather than stripped: silently dropping them would fetch something
    other than what the caller named, and forwarding them would hand a secret to whoever the
    URL (or a redirect) points at. Messages never echo the credentials.
    """
    try:
        url = httpx.URL(raw.strip())
    except (httpx.InvalidURL, TypeError, UnicodeError):
        raise InvalidInput(
            f"{context}'{raw[:200]}' is not a valid URL: pass an absolute http(s) URL."
        ) from None
    if url.scheme not in DEFAULT_PORTS:
        raise InvalidInput(
            f"{context}only http and https URLs can be fetched, not '{url.scheme or 'none'}': "
            "pass an http(s) URL, a local file path or a data URL."
        )
    if url.userinfo:
        raise InvalidInput(
            f"{context}URLs with a user name or password are not fetched ({display_url(url)}): "
            "remove the 'user:password@' part or download the file yourself and pass its path."
        )
    if not url.raw_host:
        raise InvalidInput(f"{context}'{display_url(url)}' has no host: pass an absolute http(s) URL.")
    return url


def display_url(url: httpx.URL) -> str:
    """The URL as shown in messages: no credentials, and the query elided (it may hold tokens)."""
    text = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
    if url.query:
        text += "?…"
    return text if len(text) <= 200 else text[:199] + "…"


def host_of(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii")


def port_of(url: httpx.URL) -> int:
    return url.port if url.port is not None else DEFAULT_PORTS[url.scheme]


def with_article(noun_phrase: str) -> str:
    return ("an " if noun_phrase[:1].lower() in "aeiou" else "a ") + noun_phrase


def pinned_request(
    client: httpx.AsyncClient,
    url: httpx.URL,
    ip: IPv4Address | IPv6Address,
    headers: dict[str, str],
    timeout_s: float,
) -> httpx.Request:
    """A GET for ``url`` that connects to ``ip`` and nowhere else.

    The request URL carries the already-checked address, so the transport never performs a
    DNS lookup of its own (closing the check-then-connect DNS-rebinding gap). The origin name
    travels in the ``Host`` header and, for https, as ``sni_hostname``, which httpcore uses for
    both SNI and certificate hostname verification; a certificate that does not match the name
    fails the handshake. ``Connection: close`` stops a pooled connection, verified for one
    name, from being reused for another name that happens to share the address.
    """
    target = url.copy_with(host=str(ip))
    return client.build_request(
        "GET",
        target,
        headers={**headers, "Host": url.netloc.decode("ascii"), "Connection": "close"},
        timeout=httpx.Timeout(timeout_s),
        extensions={"sni_hostname": host_of(url)},
    )
