"""Collection never reaches into the collector's own network.

A registry address or a redirect from a hostile site could point the collector at
`http://169.254.169.254/` (a cloud's metadata service), `http://127.0.0.1:5432/`, a router on
`192.168.x.x`, or a name that resolves there, and its answer would end up in the attempt log
or the store. So an address that is not globally routable (private, loopback, link-local,
shared, reserved, multicast, unspecified; IPv4 and IPv6, IPv4-mapped included) is refused,
unless it lies in a network the registry explicitly permits (`allow_private_addresses` in
settings.csv: the simulator and the tests serve on loopback).

The check happens where it cannot be fooled: when the socket is opened, for every request and
every redirect hop. The name is resolved once, each address is checked, and the socket connects
to a checked address, so a name that answers a public address to a first lookup and 127.0.0.1
to the next (DNS rebinding) gains nothing, and not even a connection attempt reaches a refused
address. When requests go through a proxy the socket is the proxy's, so the target's name is
resolved and checked before the request instead. The socket side lives in collectors/http.py
(the one module that imports requests and urllib3); the rules live here.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from collectors.errors import AddressRefused

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# What `allow_private_addresses = true` means.
ALL_NETWORKS = ("0.0.0.0/0", "::/0")


def parse_networks(values: Sequence[str]) -> tuple[IpNetwork, ...]:
    """CIDR strings -> networks; ValueError names the bad one."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _plain(ip: IpAddress) -> IpAddress:
    """An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def refusal(address: str, allowed: Sequence[IpNetwork]) -> str | None:
    """Why `address` (an IP literal) may not be reached, or None when it may."""
    try:
        ip = _plain(ipaddress.ip_address(address.split("%", 1)[0]))  # drop an IPv6 zone id
    except ValueError:
        return f"{address!r} is not an IP address"
    if ip.is_global and not ip.is_multicast:
        return None
    if any(ip.version == net.version and ip in net for net in allowed):
        return None
    return (f"{ip} is a private, loopback or link-local address; refused "
            "(settings.csv allow_private_addresses permits such networks)")


def _resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, in the resolver's order (an IP literal is itself)."""
    literal = host.strip("[]")
    try:
        ipaddress.ip_address(literal.split("%", 1)[0])
        return [literal]
    except ValueError:
        pass
    infos = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_host(host: str, port: int, allowed: Sequence[IpNetwork]) -> None:
    """Resolve `host` and refuse it when any of its addresses may not be reached."""
    try:
        addresses = _resolve(host, port)
    except (OSError, UnicodeError):
        return  # unresolvable: the request itself fails with a clear connection error
    for address in addresses:
        if reason := refusal(str(address), allowed):
            raise AddressRefused(f"{host}: {reason}")


def check_url(url: str, allowed: Sequence[IpNetwork]) -> None:
    parts = urlsplit(url)
    if parts.hostname:
        check_host(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), allowed)


def checked_addresses(host: str, port: int, allowed: Sequence[IpNetwork]) -> list[str]:
    """The addresses `host` resolves to, every one of them permitted; AddressRefused otherwise.
    OSError when the name does not resolve. The HTTP layer connects only to these."""
    addresses = _resolve(host, port)
    for address in addresses:
        if reason := refusal(address, allowed):
            raise AddressRefused(f"{host}: {reason}")
    return addresses
