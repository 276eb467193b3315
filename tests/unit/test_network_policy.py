"""The SSRF address policy: every special-purpose range is refused, public addresses pass."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from openrouter_multimodal.domain.network_policy import parse_host_literal, parse_ip, refusal_reason

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("10.0.0.1", "private network"),
    ("10.255.255.255", "private network"),
    ("172.16.0.1", "private network"),
    ("172.31.255.254", "private network"),
    ("192.168.1.1", "private network"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("169.254.169.254", "link-local"),
    ("169.254.0.1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.254", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.2.1", "documentation range"),
    ("198.51.100.7", "documentation range"),
    ("203.0.113.9", "documentation range"),
    ("198.18.0.1", "benchmarking range"),
    ("198.19.255.254", "benchmarking range"),
    ("192.0.0.1", "IETF protocol assignment"),
    ("192.0.0.9", "IETF protocol assignment"),
    ("192.0.0.170", "IETF protocol assignment"),
    ("192.88.99.1", "6to4 relay anycast"),
    ("::1", "loopback"),
    ("0:0:0:0:0:0:0:1", "loopback"),
    ("::", "unspecified"),
    ("fc00::1", "private network"),
    ("fd12:3456:789a::1", "private network"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("febf::1", "link-local"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("ff0e::1", "multicast"),
    ("2001:db8::1", "documentation range"),
    ("3fff::1", "documentation range"),
    ("100::1", "discard-only"),
    ("2001:10::1", "ORCHID"),
    ("2001:20::1", "ORCHID"),
    ("2001:2::1", "benchmarking range"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel"),
    ("2001::1", "Teredo tunnel"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:7f00:1", "IPv4-mapped loopback"),
    ("::ffff:10.0.0.1", "IPv4-mapped private network"),
    ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
    ("::ffff:0.0.0.0", "IPv4-mapped unspecified"),
    ("::127.0.0.1", "IPv4-compatible loopback"),
    ("::10.0.0.1", "IPv4-compatible private network"),
    ("::0.0.0.2", "IPv4-compatible unspecified"),
    ("::ffff:0:127.0.0.1", "IPv4-translated loopback"),
    ("::ffff:0:192.168.0.1", "IPv4-translated private network"),
    ("2002:7f00:1::", "6to4 loopback"),
    ("2002:7f00:1:ffff::1", "6to4 loopback"),
    ("2002:a9fe:a9fe::", "6to4 link-local"),
    ("2002:a00:1::1", "6to4 private network"),
    ("64:ff9b::7f00:1", "NAT64 loopback"),
    ("64:ff9b::127.0.0.1", "NAT64 loopback"),
    ("64:ff9b::a00:1", "NAT64 private network"),
    ("64:ff9b::a9fe:a9fe", "NAT64 link-local"),
    ("64:ff9b:1::7f00:1", "NAT64 loopback"),
    ("64:ff9b:1:7f00:0:100::", "NAT64 loopback"),
    ("64:ff9b:1:a:0:1::", "NAT64 private network"),
    ("64:ff9b:1:0:7f:0:100:0", "NAT64 loopback"),
    ("5f00::1", "reserved"),
    ("400::1", "reserved"),
]

ALLOWED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "100.63.255.255",
    "100.128.0.0",
    "172.32.0.1",
    "2606:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "::ffff:0:8.8.8.8",
    "::1.2.3.4",
    "2002:0808:0808::",
    "2002:0808:0808::1",
    "64:ff9b::808:808",
    "64:ff9b::1.1.1.1",
    "64:ff9b:1::808:808",
]


@pytest.mark.parametrize(("address", "reason"), REFUSED)
def test_refuses_every_non_public_range(address: str, reason: str) -> None:
    ip = parse_ip(address)
    assert ip is not None
    assert refusal_reason(ip) == reason


@pytest.mark.parametrize("address", ALLOWED)
def test_allows_public_addresses(address: str) -> None:
    assert refusal_reason(ip_address(address)) is None


LITERALS = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("0X7F000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0177.0000.0000.0001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7f.0.0.0x1", "127.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),
    ("017700000001", "127.0.0.1"),
    ("169.254.43518", "169.254.169.254"),
    ("0xa9fea9fe", "169.254.169.254"),
    ("3232235521", "192.168.0.1"),
    ("8.8.8.8", "8.8.8.8"),
    ("134744072", "8.8.8.8"),
    ("[::1]", "::1"),
    ("::1", "::1"),
    ("[fe80::1%25eth0]", "fe80::1"),
    ("[fe80::1%eth0]", "fe80::1"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
    ("[2606:4700::1111]", "2606:4700::1111"),
]


@pytest.mark.parametrize(("host", "expected"), LITERALS)
def test_parses_every_literal_spelling_resolvers_accept(host: str, expected: str) -> None:
    assert parse_host_literal(host) == ip_address(expected)


NAMES = [
    "example.com",
    "localhost",
    "127.0.0.1.nip.io",
    "1.2.3.foo",
    "08.0.0.1",
    "0x7g.0.0.1",
    "256.0.0.1",
    "1.2.3.256",
    "1.2.65536",
    "4294967296",
    "1.2.3.4.5",
    "",
    ".",
    "1..2",
    "[not-ipv6]",
    "-1",
]


@pytest.mark.parametrize("host", NAMES)
def test_names_and_malformed_numbers_are_not_literals(host: str) -> None:
    assert parse_host_literal(host) is None


REFUSED_LITERALS = [
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "0x7f.1",
    "0",
    "10.1",
    "0xa9fea9fe",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]",
    "[fe80::1%25eth0]",
]


@pytest.mark.parametrize("host", REFUSED_LITERALS)
def test_legacy_literal_spellings_of_internal_addresses_are_refused(host: str) -> None:
    ip = parse_host_literal(host)
    assert ip is not None
    assert refusal_reason(ip) is not None


def test_scope_id_does_not_hide_the_range() -> None:
    assert refusal_reason(IPv6Address("fe80::1%eth0")) == "link-local"
    assert refusal_reason(IPv6Address("2606:4700::1111%1")) is None


def test_parse_ip_rejects_garbage() -> None:
    assert parse_ip("not an address") is None
    assert parse_ip("127.0.0.1") == IPv4Address("127.0.0.1")
