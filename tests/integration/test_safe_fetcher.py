"""SafeHttpFetcher against real HTTP servers on loopback, reached through a fake DNS resolver."""

from __future__ import annotations

import datetime
import gzip
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from _loopback_http import Seen, body, head, redirect, serving
from anyio.abc import ByteStream

from openrouter_multimodal.adapters.safe_fetcher import SafeHttpFetcher
from openrouter_multimodal.adapters.system_resolver import SystemResolver
from openrouter_multimodal.application.fetch_ports import FetchLimits
from openrouter_multimodal.domain.errors import (
    ErrorCode,
    InvalidInput,
    ResourceTooLarge,
    UpstreamError,
)
from openrouter_multimodal.domain.network_policy import refusal_reason
from tests.support.loopback import free_port

pytestmark = pytest.mark.anyio

UA = "openrouter-multimodal-mcp/test (+https://example.invalid)"
LIMITS = FetchLimits(max_bytes=10_000, max_redirects=3, timeout_s=5.0, setting_prefix="image")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


class FakeResolver:
    """Maps invented names to loopback addresses; answers are consumed in order when a list of lists."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        answers = self.table.get(host, [[]])
        return answers.pop(0) if len(answers) > 1 else answers[0]


def resolver(**names: str | list[str]) -> FakeResolver:
    return FakeResolver({k.replace("_", "."): [[v] if isinstance(v, str) else v] for k, v in names.items()})


def only_127_0_0_1_is_public(ip: IPv4Address | IPv6Address) -> str | None:
    """Test policy: 127.0.0.1 plays a public host; every other address is judged for real."""
    return None if ip == IPv4Address("127.0.0.1") else refusal_reason(ip)


@asynccontextmanager
async def fetcher(res: FakeResolver | SystemResolver, **kwargs: Any) -> AsyncIterator[SafeHttpFetcher]:
    f = SafeHttpFetcher(res, UA, **kwargs)
    try:
        yield f
    finally:
        await f.aclose()


async def test_fetches_body_type_and_final_url_with_pinned_address_and_real_headers() -> None:
    res = resolver(media_test="127.0.0.1")
    async with serving({"/cat.png": body(PNG)}) as srv, fetcher(res, allow_private=True) as f:
        got = await f.fetch(f"http://media.test:{srv.port}/cat.png?size=1", LIMITS)
    assert got.data == PNG
    assert got.content_type == "image/png"
    assert got.final_url == f"http://media.test:{srv.port}/cat.png?size=1"
    (seen,) = srv.requests
    assert seen.method == "GET" and seen.target == "/cat.png?size=1"
    assert seen.headers["host"] == f"media.test:{srv.port}"
    assert seen.headers["user-agent"] == UA
    assert seen.headers["accept"] == "image/*, audio/*, video/*, */*;q=0.8"
    assert res.calls == [("media.test", srv.port)]


async def test_name_resolving_to_loopback_is_refused_before_any_connection() -> None:
    res = resolver(media_test="127.0.0.1")
    async with serving({"/": body(PNG)}) as srv, fetcher(res) as f:
        with pytest.raises(UpstreamError) as caught:
            await f.fetch(f"http://media.test:{srv.port}/", LIMITS)
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert "the host resolves to a loopback address" in caught.value.message
    assert "127.0.0.1" not in caught.value.message
    assert srv.connections == 0


async def test_every_resolved_address_is_checked_not_just_the_first() -> None:
    res = resolver(media_test=["8.8.8.8", "10.1.2.3"])
    async with fetcher(res) as f:
        with pytest.raises(UpstreamError) as caught:
            await f.fetch("http://media.test/", LIMITS)
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert "private network" in caught.value.message and "10.1.2.3" not in caught.value.message


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0x7f000001", "127.1", "0x7f.1", "[::1]", "127.0.0.1."])
async def test_loopback_literals_in_any_spelling_are_refused_without_dns(host: str) -> None:
    res = resolver()
    async with serving({"/": body(PNG)}) as srv, fetcher(res) as f:
        with pytest.raises(UpstreamError) as caught:
            await f.fetch(f"http://{host}:{srv.port}/", LIMITS)
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert "the host is a loopback address" in caught.value.message
    assert res.calls == [] and srv.connections == 0


async def test_octal_dotted_quad_is_rejected_by_url_parsing_before_any_lookup() -> None:
    res = resolver()
    async with serving({"/": body(PNG)}) as srv, fetcher(res) as f:
        with pytest.raises(InvalidInput):
            await f.fetch(f"http://0177.0.0.1:{srv.port}/", LIMITS)
    assert res.calls == [] and srv.connections == 0


async def test_redirect_to_a_refused_host_is_refused_and_never_contacted() -> None:
    res = resolver(good_test="127.0.0.1", evil_test="127.0.0.2")
    async with serving({}, host="127.0.0.2") as evil:
        routes = {"/": redirect(f"http://evil.test:{evil.port}/secret")}
        async with serving(routes) as good, fetcher(res, address_policy=only_127_0_0_1_is_public) as f:
            with pytest.raises(UpstreamError) as caught:
                await f.fetch(f"http://good.test:{good.port}/", LIMITS)
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert "redirect" in caught.value.message and "loopback" in caught.value.message
    assert "127.0.0.2" not in caught.value.message
    assert len(good.requests) == 1 and evil.connections == 0


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("http://127.0.0.2:1/", UpstreamError),
        ("file:///etc/passwd", InvalidInput),
        ("http://u:p@x.test/", InvalidInput),
    ],
)
async def test_every_hop_is_vetted_like_the_first(location: str, error: type[Exception]) -> None:
    res = resolver(good_test="127.0.0.1")
    async with serving({"/": redirect(location)}) as srv, fetcher(res, address_policy=only_127_0_0_1_is_public) as f:
        with pytest.raises(error) as caught:
            await f.fetch(f"http://good.test:{srv.port}/", LIMITS)
    assert "u:p" not in str(caught.value)


async def test_redirect_chain_within_the_limit_is_followed_across_names() -> None:
    res = resolver(a_test="127.0.0.1", b_test="127.0.0.1")
    async with serving({}) as srv, fetcher(res, address_policy=only_127_0_0_1_is_public) as f:
        srv.routes.update(
            {
                "/1": redirect(f"http://b.test:{srv.port}/2", 301),
                "/2": redirect("/3", 307),
                "/3": redirect("4", 308),
                "/4": body(PNG),
            }
        )
        got = await f.fetch(f"http://a.test:{srv.port}/1", LIMITS)
    assert got.data == PNG and got.final_url == f"http://b.test:{srv.port}/4"
    assert [s.headers["host"] for s in srv.requests] == [f"a.test:{srv.port}"] + [f"b.test:{srv.port}"] * 3
    assert res.calls == [("a.test", srv.port)] + [("b.test", srv.port)] * 3


async def test_redirect_chain_over_the_limit_fails_naming_the_setting() -> None:
    res = resolver(a_test="127.0.0.1")
    routes = {f"/{i}": redirect(f"/{i + 1}") for i in range(10)}
    async with serving(routes) as srv, fetcher(res, allow_private=True) as f:
        with pytest.raises(InvalidInput) as caught:
            await f.fetch(f"http://a.test:{srv.port}/0", LIMITS)
    assert "too many redirects" in caught.value.message
    assert "limit 3, ${image_max_redirects}" in caught.value.message
    assert len(srv.requests) == 4


async def test_redirect_without_location_is_invalid_input() -> None:
    async with serving({"/": redirect(None)}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(InvalidInput, match="without a Location header"):
            await f.fetch(f"http://a.test:{srv.port}/", LIMITS)


async def test_remote_error_status_is_reported_with_the_host() -> None:
    async with serving({}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(InvalidInput) as caught:
            await f.fetch(f"http://a.test:{srv.port}/missing.png", LIMITS)
    assert "the server at a.test answered HTTP 404" in caught.value.message
    assert caught.value.details["status"] == 404


async def trickle(_seen: Seen, stream: ByteStream) -> None:
    await stream.send(head(200, [("Content-Length", "1000")]))
    for _ in range(1000):
        await stream.send(b"x")
        await anyio.sleep(0.05)


async def silent(_seen: Seen, _stream: ByteStream) -> None:
    await anyio.sleep(30)


@pytest.mark.parametrize("route", [trickle, silent])
async def test_total_timeout_covers_the_whole_exchange_including_the_body(route: Any) -> None:
    limits = FetchLimits(max_bytes=10_000, max_redirects=3, timeout_s=0.5, setting_prefix="image")
    async with serving({"/": route}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(UpstreamError) as caught:
            await f.fetch(f"http://a.test:{srv.port}/", limits)
    assert caught.value.code is ErrorCode.UPSTREAM_TIMEOUT
    assert "0.5 s" in caught.value.message and "${image_fetch_timeout_ms}" in caught.value.message


async def declares_too_much(_seen: Seen, stream: ByteStream) -> None:
    await stream.send(head(200, [("Content-Length", "20000")]))
    await anyio.sleep(30)


async def endless_chunks(_seen: Seen, stream: ByteStream) -> None:
    await stream.send(head(200, [("Transfer-Encoding", "chunked")]))
    while True:
        await stream.send(b"400\r\n" + b"y" * 1024 + b"\r\n")
        await anyio.sleep(0)


async def endless_until_close(_seen: Seen, stream: ByteStream) -> None:
    await stream.send(head(200))
    while True:
        await stream.send(b"z" * 1024)
        await anyio.sleep(0)


async def gzip_bomb(_seen: Seen, stream: ByteStream) -> None:
    packed = gzip.compress(b"\0" * 5_000_000)
    await stream.send(head(200, [("Content-Encoding", "gzip"), ("Content-Length", str(len(packed)))]) + packed)


@pytest.mark.parametrize("route", [declares_too_much, endless_chunks, endless_until_close])
async def test_byte_cap_holds_whatever_the_framing(route: Any) -> None:
    """``declares_too_much`` never sends a body: only failing before the read avoids a timeout."""
    async with serving({"/": route}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(ResourceTooLarge) as caught:
            await f.fetch(f"http://a.test:{srv.port}/", LIMITS)
    assert "10000-byte download limit (${image_max_download_bytes})" in caught.value.message


async def test_a_compressed_body_is_refused_before_it_can_inflate() -> None:
    async with serving({"/": gzip_bomb}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(InvalidInput, match="compressed"):
            await f.fetch(f"http://a.test:{srv.port}/", LIMITS)


async def test_content_length_smaller_than_the_body_cannot_smuggle_more_bytes() -> None:
    async def lying(_seen: Seen, stream: ByteStream) -> None:
        await stream.send(head(200, [("Content-Length", "10")]) + b"w" * 50_000)

    async with serving({"/": lying}) as srv, fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        got = await f.fetch(f"http://a.test:{srv.port}/", LIMITS)
    assert got.data == b"w" * 10


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://a.test/x", "gopher://a.test/", "a.test/x.png", "http:///x", "http://[::1/"],
)
async def test_non_http_or_malformed_urls_are_invalid_input(url: str) -> None:
    async with fetcher(resolver()) as f:
        with pytest.raises(InvalidInput):
            await f.fetch(url, LIMITS)


async def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    res = resolver(a_test="127.0.0.1")
    async with serving({"/": body(PNG)}) as srv, fetcher(res, allow_private=True) as f:
        with pytest.raises(InvalidInput) as caught:
            await f.fetch(f"http://alice:s3cret@a.test:{srv.port}/", LIMITS)
    assert "password" in caught.value.message and "s3cret" not in caught.value.message
    assert srv.connections == 0 and res.calls == []


async def test_unresolvable_host_is_invalid_input() -> None:
    async with fetcher(resolver()) as f:
        with pytest.raises(InvalidInput, match="could not resolve host 'nowhere.test'"):
            await f.fetch("http://nowhere.test/x.png", LIMITS)


async def test_dns_rebinding_cannot_redirect_the_connection_after_the_check() -> None:
    """The second answer would be refused; the name is looked up once and the checked address used.

    The system resolver knows nothing of ``rebind.test``, so the fetch succeeding at all also
    proves the transport connected to the pinned address without a lookup of its own.
    """
    res = FakeResolver({"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    async with serving({"/": body(PNG)}) as srv, fetcher(res, address_policy=only_127_0_0_1_is_public) as f:
        got = await f.fetch(f"http://rebind.test:{srv.port}/", LIMITS)
    assert got.data == PNG
    assert res.calls == [("rebind.test", srv.port)]


async def test_each_hop_is_resolved_once_and_a_rebound_answer_is_refused() -> None:
    res = FakeResolver({"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    async with serving({"/": redirect("/next")}) as srv, fetcher(res, address_policy=only_127_0_0_1_is_public) as f:
        with pytest.raises(UpstreamError) as caught:
            await f.fetch(f"http://rebind.test:{srv.port}/", LIMITS)
    assert caught.value.code is ErrorCode.UPSTREAM_REFUSED
    assert res.calls == [("rebind.test", srv.port)] * 2
    assert len(srv.requests) == 1


async def test_falls_back_to_the_next_checked_address_when_one_refuses_connections() -> None:
    res = resolver(a_test=["127.0.0.3", "127.0.0.1"])
    async with serving({"/": body(PNG)}) as srv, fetcher(res, allow_private=True) as f:
        got = await f.fetch(f"http://a.test:{srv.port}/", LIMITS)
    assert got.data == PNG


async def test_connection_refused_is_invalid_input_without_addresses() -> None:
    port = free_port()
    async with fetcher(resolver(a_test="127.0.0.1"), allow_private=True) as f:
        with pytest.raises(InvalidInput) as caught:
            await f.fetch(f"http://a.test:{port}/", LIMITS)
    assert "could not connect" in caught.value.message and "127.0.0.1" not in caught.value.message


async def test_system_resolver_resolves_localhost_and_literals() -> None:
    assert "127.0.0.1" in await SystemResolver().resolve("127.0.0.1", 80)
    assert set(await SystemResolver().resolve("localhost", 80)) & {"127.0.0.1", "::1"}


async def test_system_resolver_is_refused_for_localhost_by_default() -> None:
    async with fetcher(SystemResolver()) as f:
        with pytest.raises(UpstreamError, match="resolves to a loopback address"):
            await f.fetch("http://localhost:1/", LIMITS)


def _tls_contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A CA and a leaf certificate for ``media.test`` only (no IP SAN), as server/client contexts."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def make(subject: str, issuer_key: Any, issuer: str, key: Any, ca: bool) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("media.test")]), False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = make("Test CA", ca_key, "Test CA", ca_key, True)
    leaf = make("media.test", ca_key, "Test CA", leaf_key, False)
    pem = serialization.Encoding.PEM
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(pem).decode())
    return server, client


async def test_https_verifies_the_certificate_against_the_name_not_the_pinned_address(tmp_path: Path) -> None:
    server_ctx, client_ctx = _tls_contexts(tmp_path)
    sni: list[str | None] = []

    def record_sni(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        sni.append(name)

    server_ctx.sni_callback = record_sni
    res = resolver(media_test="127.0.0.1", other_test="127.0.0.1")
    async with (
        serving({"/": body(PNG)}, tls=server_ctx) as srv,
        httpx.AsyncClient(verify=client_ctx, trust_env=False) as client,
        fetcher(res, allow_private=True, client=client) as f,
    ):
        got = await f.fetch(f"https://media.test:{srv.port}/", LIMITS)
        with pytest.raises(InvalidInput, match="could not connect"):
            await f.fetch(f"https://other.test:{srv.port}/", LIMITS)
    assert got.data == PNG
    assert sni == ["media.test", "other.test"]
    assert srv.requests[0].headers["host"] == f"media.test:{srv.port}"
