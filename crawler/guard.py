"""The address guard: no request goes to a loopback, private, link-local, multicast or reserved address
unless its host was named in the start points, and only http(s) is ever requested.

The rule is the pure function ``address_allowed``. It is enforced twice, at the right depth for each
way a URL can reach a private address: ``AddressGuardMiddleware`` checks every request, redirects and
robots.txt included, whose host is an IP literal; ``GuardedResolver`` checks what a host name resolves
to, at resolution time, so a public-looking name pointing at 127.0.0.1 or 10.0.0.1 is refused too.
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

from crawler.urls import HTTP_SCHEMES


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


def address_allowed(host: str, address: str | None, named_hosts: frozenset[str]) -> bool:
    """May we connect to ``address`` (or ``host`` itself when it is an IP literal) for ``host``?"""
    host = host.lower().strip("[]")
    literal = parse_ip(host)
    if host in named_hosts or (literal is not None and str(literal) in named_hosts):
        return True
    ip = literal or (parse_ip(address) if address else None)
    if ip is None:
        return True  # a name not resolved yet: the resolver decides
    return is_public(ip)


def resolve_all(host: str) -> list[str]:
    """Every address a host name resolves to (IPv4 and IPv6); raises OSError when it does not resolve."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


def named_hosts_of(urls) -> frozenset[str]:
    """Hosts named in the start points: those, and only those, may be private."""
    hosts = set()
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            hosts.add(host)
            ip = parse_ip(host)
            if ip is not None:
                hosts.add(str(ip))
    return frozenset(hosts)


NAMED_HOSTS: set[str] = set()
"""Hosts named in the start points of the crawls in this process. Scrapy makes one DNS resolver per
process, not per crawl, so the resolver reads this; each spider adds its own hosts."""


def allow_named_hosts(hosts) -> None:
    NAMED_HOSTS.update(hosts)


class AddressGuardMiddleware:
    """Downloader middleware: refuses non-http(s) schemes and private addresses not named as start points,
    counting each refusal; IP literals are checked as they are, host names by what they resolve to."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme.lower() not in HTTP_SCHEMES:
            self.refuse("scheme", f"scheme not allowed: {request.url[:200]}")
        host = parts.hostname or ""
        named = frozenset(NAMED_HOSTS)
        if parse_ip(host) is None and host not in named:
            try:
                addresses = await maybe_deferred_to_future(threads.deferToThread(resolve_all, host))
            except OSError:
                return None  # unresolvable: the download fails and is counted as a DNS error
            if not all(address_allowed(host, address, named) for address in addresses):
                self.refuse("private_address", f"{host} resolves to a private address: {request.url[:200]}")
            return None
        if not address_allowed(host, None, named):
            self.refuse("private_address", f"private address not named in the start points: {request.url[:200]}")
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
