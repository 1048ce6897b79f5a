"""Where webhooks may go: a subscriber URL is checked against SSRF after DNS resolution.

A URL must be ``http`` or ``https`` with a host name; every address the name resolves to must
be a public unicast address. Loopback, private, shared (CGNAT), link-local (and so the cloud
metadata address 169.254.169.254), multicast, reserved and unspecified addresses are refused,
also when written in decimal, hex or octal, or wrapped in IPv6 (IPv4-mapped, IPv4-compatible,
NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``, Teredo). An operator may allow-list networks
(``LINLI_DISPATCH_WEBHOOK_ALLOW``). The checked address is the one connected to, so a second
DNS answer cannot swap it (no DNS rebinding); redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from linli_sdk import InvalidInput

__all__ = ["Destination", "allowed_address", "resolve_destination"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked webhook destination: the URL, its host name and the address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def allowed_address(address: IPAddress, allow: Iterable[Network] = ()) -> bool:
    """Whether a webhook may be sent to ``address``: public unicast, or allow-listed."""
    if any(address in network for network in allow if network.version == address.version):
        return True
    embedded = _embedded_ipv4(address)
    if embedded is not None and not allowed_address(embedded, allow):
        return False
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_private
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_reserved
        and not address.is_unspecified
    )


async def _resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"webhook host {host!r} does not resolve", field="url") from exc
    return [ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers]


async def resolve_destination(url: str, allow: Sequence[Network] = ()) -> Destination:
    """Check ``url`` and resolve it to one address that may be connected to.

    Raises:
        InvalidInput: the URL is not http(s), has credentials or no host, does not resolve,
            or any address it resolves to is not allowed.

    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("webhook URLs must be http or https", field="url")
    if parts.username or parts.password:
        raise InvalidInput("webhook URLs may not carry credentials", field="url")
    host = parts.hostname
    if not host:
        raise InvalidInput("webhook URL has no host", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidInput("webhook URL has an invalid port", field="url") from exc
    addresses = await _resolve(host, port)
    refused = [a for a in addresses if not allowed_address(a, allow)]
    if not addresses or refused:
        raise InvalidInput(
            f"webhook host {host!r} resolves to a refused address"
            f" ({refused[0] if refused else '-'}); an operator may allow-list it",
            field="url",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Destination(url, parts.scheme, host, port, str(addresses[0]), path)
