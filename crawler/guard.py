"""The address guard: the rule of ``core.addresses`` (no private address unless named, with its port, in
the start points) enforced on the crawl, and only http(s) ever requested. It is enforced twice, at
the right depth for each way a URL can reach a private address: ``AddressGuardMiddleware`` checks
every request, redirects, meta refreshes and robots.txt included, with its port;
``GuardedResolver`` checks what a host name resolves to, at resolution time, so a public-looking name
pointing at 127.0.0.1 or 10.0.0.1 is refused too (it is not told the port, so it lets a named host
through on any port: the middleware has checked the port before).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError

from core.addresses import NamedHosts, address_allowed, is_named, parse_ip, port_of
from core.urls import HTTP_SCHEMES


def resolve_all(host: str) -> list[str]:
    """Every address a host name resolves to (IPv4 and IPv6); raises OSError when it does not resolve."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)})


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
            self.refuse(
                "private_address", f"private address and port not named in the start points: {request.url[:200]}"
            )
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
