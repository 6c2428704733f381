"""The address guard: no request goes to a loopback, private, link-local, multicast or reserved address
unless its host and port were named in the start points, and only http(s) is ever requested.

The rule is the pure function ``address_allowed``. Naming ``http://127.0.0.1:8000/`` opens port 8000 of
that host, not its other ports (the scheme's default port when the URL names none). It is enforced
twice, at the right depth for each way a URL can reach a private address: ``AddressGuardMiddleware``
checks every request, redirects, meta refreshes and robots.txt included, with its port;
``GuardedResolver`` checks what a host name resolves to, at resolution time, so a public-looking name
pointing at 127.0.0.1 or 10.0.0.1 is refused too (it is not told the port, so it lets a named host
through on any port: the middleware has checked the port before).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError

from core.urls import HTTP_SCHEMES


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


def resolve_all(host: str) -> list[str]:
    """Every address a host name resolves to (IPv4 and IPv6); raises OSError when it does not resolve."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


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


NAMED_HOSTS: set[tuple[str, int]] = set()
"""Hosts and ports named in the start points of the crawls in this process. Scrapy makes one DNS
resolver per process, not per crawl, so the resolver reads this; each spider adds its own."""


def allow_named_hosts(named: NamedHosts) -> None:
    NAMED_HOSTS.update(named)


class AddressGuardMiddleware:
    """Downloader middleware: refuses non-http(s) schemes and private addresses not named, with their port,
    as start points, counting each refusal; IP literals are checked as they are, host names by what they
    resolve to."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme.lower() not in HTTP_SCHEMES:
            self.refuse("scheme", f"scheme not allowed: {request.url[:200]}")
        host = (parts.hostname or "").lower()
        port = port_of(request.url)
        if port is None:
            self.refuse("bad_url", f"no valid port: {request.url[:200]}")
        named = frozenset(NAMED_HOSTS)
        if parse_ip(host) is None and not is_named(host, port, named):
            try:
                addresses = await maybe_deferred_to_future(threads.deferToThread(resolve_all, host))
            except OSError:
                return None  # unresolvable: the download fails and is counted as a DNS error
            if not all(address_allowed(host, address, named, port) for address in addresses):
                self.refuse("private_address", f"{host} resolves to a private address: {request.url[:200]}")
            return None
        if not address_allowed(host, None, named, port):
            self.refuse("private_address",
                        f"private address and port not named in the start points: {request.url[:200]}")
        return None

    def refuse(self, reason: str, message: str):
        self.crawler.stats.inc_value(f"deepseek/blocked/{reason}")
        raise IgnoreRequest(message)


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing private addresses not named as start points: the last line of
    defence, at the moment of connecting (it sees IP literals too, and names re-resolved later)."""

    def getHostByName(self, name, timeout=()):
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address, name):
        if address_allowed(name, address, frozenset(NAMED_HOSTS)):
            return address
        raise DNSLookupError(f"{name} resolves to private address {address}, not named in the start points")
