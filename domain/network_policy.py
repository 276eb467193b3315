"""Which network addresses a server-side fetch may connect to (the SSRF address policy)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address

_V4_RANGES: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("127.0.0.0/8", "loopback"),
        ("10.0.0.0/8", "private network"),
        ("172.16.0.0/12", "private network"),
        ("192.168.0.0/16", "private network"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("169.254.0.0/16", "link-local"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("192.0.2.0/24", "documentation range"),
        ("198.51.100.0/24", "documentation range"),
        ("203.0.113.0/24", "documentation range"),
        ("198.18.0.0/15", "benchmarking range"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_V6_RANGES: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), reason)
    for net, reason in (
        ("2001::/32", "Teredo tunnel"),
        ("2001:2::/48", "benchmarking range"),
        ("2001:db8::/32", "documentation range"),
        ("3fff::/20", "documentation range"),
        ("2001:10::/28", "ORCHID"),
        ("2001:20::/28", "ORCHID"),
        ("100::/64", "discard-only"),
        ("fc00::/7", "private network"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
        ("5f00::/16", "reserved"),
    )
)

_MAPPED = IPv6Network("::ffff:0:0/96")
_TRANSLATED = IPv6Network("::ffff:0:0:0/96")
_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = IPv6Network("2002::/16")


def refusal_reason(ip: IPAddress) -> str | None:
    """Why a fetch must not connect to ``ip``, or ``None`` when it is globally routable.

    An explicit table names every special-purpose range, because ``ipaddress.is_global`` differs
    between Python releases (3.11.7 calls multicast and ``192.0.0.9`` global); ``is_global`` is
    then applied as a backstop so anything else not globally routable is refused as well. IPv6
    forms that carry an IPv4 address (mapped, translated, compatible, NAT64, 6to4) are judged
    only by that IPv4 address, because that is where the packets end up.
    """
    if isinstance(ip, IPv4Address):
        return _v4_reason(ip)
    if ip.scope_id is not None:
        ip = IPv6Address(int(ip))
    if ip == IPv6Address(0):
        return "unspecified"
    if ip == IPv6Address(1):
        return "loopback"
    transition = _embedded_ipv4(ip)
    if transition is not None:
        form, embedded = transition
        reasons = [r for r in map(_v4_reason, embedded) if r is not None]
        return f"{form} {reasons[0]}" if reasons else None
    for net, reason in _V6_RANGES:
        if ip in net:
            return reason
    if ip.is_reserved:
        return "reserved"
    return None if ip.is_global else "not globally routable"


def _v4_reason(ip: IPv4Address) -> str | None:
    for net, reason in _V4_RANGES:
        if ip in net:
            return reason
    return None if ip.is_global else "not globally routable"


def _embedded_ipv4(ip: IPv6Address) -> tuple[str, tuple[IPv4Address, ...]] | None:
    """The name of the IPv6 transition form ``ip`` uses and the IPv4 addresses it routes to.

    The local-use NAT64 prefix may be any RFC 6052 length inside ``64:ff9b:1::/48``, and the
    operator's choice is unknown here: every layout the address is consistent with (zero
    ``u`` octet and zero suffix, and always the /96 one) is returned, so the address is refused
    if any reading of it lands on a refused IPv4 address.
    """
    value = int(ip)
    last32 = IPv4Address(value & 0xFFFFFFFF)
    if ip in _MAPPED:
        return ("IPv4-mapped", (last32,))
    if ip in _TRANSLATED:
        return ("IPv4-translated", (last32,))
    if ip in _COMPATIBLE:
        return ("IPv4-compatible", (last32,))
    if ip in _NAT64:
        return ("NAT64", (last32,))
    if ip in _NAT64_LOCAL:
        return ("NAT64", tuple(_rfc6052_readings(value)))
    if ip in _SIX_TO_FOUR:
        return ("6to4", (IPv4Address((value >> 80) & 0xFFFFFFFF),))
    return None


def _rfc6052_readings(value: int) -> list[IPv4Address]:
    octets = value.to_bytes(16, "big")
    readings = []
    for prefix_length in (48, 56, 64):
        start = prefix_length // 8
        carried = [b for i, b in enumerate(octets[start:], start) if i != 8]
        if octets[8] == 0 and not any(carried[4:]):
            readings.append(IPv4Address(bytes(carried[:4])))
    return [*readings, IPv4Address(octets[12:])]


def parse_host_literal(host: str) -> IPAddress | None:
    """The address a URL host denotes without any DNS lookup, or ``None`` for a name.

    Resolvers (``inet_aton``) and browsers (WHATWG URL) accept legacy IPv4 spellings such as
    ``2130706433``, ``0x7f000001``, ``0177.0.0.1`` and ``127.1``; a guard that only recognised
    dotted quads would wave these through as "names" and then connect to loopback. IPv6 is
    accepted with or without brackets and with any zone id removed.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        try:
            return IPv6Address(text.partition("%")[0])
        except ValueError:
            return None
    return _parse_legacy_ipv4(text)


def _parse_legacy_ipv4(text: str) -> IPv4Address | None:
    parts = text.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _parse_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(n > 0xFF for n in leading) or last >= 1 << (8 * (4 - len(leading))):
        return None
    value = last
    for index, number in enumerate(leading):
        value |= number << (8 * (3 - index))
    return IPv4Address(value)


def _parse_number(part: str) -> int | None:
    lowered = part.lower()
    if lowered.startswith("0x"):
        digits, base = lowered[2:], 16
        if digits == "":
            return 0
    elif len(lowered) > 1 and lowered.startswith("0"):
        digits, base = lowered[1:], 8
    else:
        digits, base = lowered, 10
    allowed = "0123456789abcdef"[:base]
    if digits == "" or any(ch not in allowed for ch in digits):
        return None
    return int(digits, base)


def parse_ip(text: str) -> IPAddress | None:
    """A resolver's textual answer as an address (zone id dropped), or ``None`` when malformed."""
    try:
        return ip_address(text.partition("%")[0])
    except ValueError:
        return None
