"""The address rule of the crawl, pure: no request goes to a loopback, private, link-local, multicast or
reserved address unless its host and port were named in the start points. Naming
``http://127.0.0.1:8000/`` opens port 8000 of that host, not its other ports (the scheme's default port
when the URL names none). ``crawler/guard.py`` enforces it on every request and at name resolution."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host string spells literally (brackets, IPv4-mapped IPv6 unwrapped), else None."""
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast and not address.is_reserved


DEFAULT_PORTS = {"http": 80, "https": 443}
NamedHosts = frozenset[tuple[str, int]]
"""(host, port) pairs named in the start points; a host is lower case, an IP address in its plain form."""


def is_named(host: str, port: int | None, named: NamedHosts) -> bool:
    """Was ``host`` named on ``port`` (on any port when ``port`` is None: the resolver knows no port)?"""
    if port is None:
        return any(name == host for name, _ in named)
    return (host, port) in named


def address_allowed(host: str, address: str | None, named: NamedHosts, port: int | None = None) -> bool:
    """May we connect to ``address`` (or ``host`` itself when it is an IP literal) for ``host``, on ``port``?"""
    host = host.lower().strip("[]")
    literal = parse_ip(host)
    if is_named(host, port, named) or (literal is not None and is_named(str(literal), port, named)):
        return True
    ip = literal or (parse_ip(address) if address else None)
    if ip is None:
        return True  # a name not resolved yet: the resolver decides
    return is_public(ip)


def port_of(url: str) -> int | None:
    """The port a URL connects to (the scheme's default when it names none); None when it has no valid
    port (not a number, or above 65535) or is not http(s)."""
    try:
        parts = urlsplit(url)
        return parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None


def named_hosts_of(urls) -> NamedHosts:
    """Hosts and ports named in the start points: those, and only those, may be private."""
    named = set()
    for url in urls:
        host, port = (urlsplit(url).hostname or "").lower(), port_of(url)
        if host and port:
            named.add((host, port))
            ip = parse_ip(host)
            if ip is not None:
                named.add((str(ip), port))
    return frozenset(named)
