"""The operating system's resolver (getaddrinfo) behind the ``Resolver`` port."""

from __future__ import annotations

import asyncio
import socket


class SystemResolver:
    """Resolves names with the event loop's non-blocking ``getaddrinfo``.

    A name that does not resolve (``gaierror``) yields an empty list, which the fetcher reports
    as "could not resolve host"; the caller decides what an unresolvable host means.
    """

    async def resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError):
            return []
        addresses: list[str] = []
        for family, _type, _proto, _name, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            address = str(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
        return addresses
