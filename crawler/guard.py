"""The address guard: no request goes to a loopback, private, link-local, multicast or reserved address
unless its host was named in the start points, and only http(s) is ever requested.

The rule is the pure function ``address_allowed``. It is enforced twice, at the right depth for each
way a URL can reach a private address: ``AddressGuardMiddleware`` checks every request, redirects and
robots.txt included, whose host is an IP literal; ``GuardedResolver`` checks what a host name resolves
to, at resolution time, so a public-looking name pointing at 127.0.0.1 or 10.0.0.1 is refused too.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
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


def guard_of(crawler) -> frozenset[str]:
    spider = getattr(crawler, "spider", None)
    return getattr(spider, "named_hosts", frozenset())


class AddressGuardMiddleware:
    """Downloader middleware: refuses non-http(s) schemes and private IP literals not named as start points."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        stats = self.crawler.stats
        if parts.scheme.lower() not in HTTP_SCHEMES:
            stats.inc_value("deepseek/blocked/scheme")
            raise IgnoreRequest(f"scheme not allowed: {request.url[:200]}")
        host = parts.hostname or ""
        if not address_allowed(host, None, guard_of(self.crawler)):
            stats.inc_value("deepseek/blocked/private_address")
            raise IgnoreRequest(f"private address not named in the start points: {request.url[:200]}")
        return None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver that refuses names resolving to private addresses not named as start points."""

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.crawler = crawler
        return resolver

    def getHostByName(self, name, timeout=()):
        deferred = super().getHostByName(name, timeout)
        deferred.addCallback(self._check, name)
        return deferred

    def _check(self, address, name):
        if address_allowed(name, address, guard_of(self.crawler)):
            return address
        self.crawler.stats.inc_value("deepseek/blocked/private_address")
        raise DNSLookupError(f"{name} resolves to private address {address}, not named in the start points")
