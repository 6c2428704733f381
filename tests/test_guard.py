"""The address guard: private, loopback, link-local, multicast and reserved addresses are refused
unless their host was named in the start points (and then on the ports named only), whatever form the
address takes."""

import pytest

from core.addresses import address_allowed, named_hosts_of, port_of

NAMED = named_hosts_of(["http://127.0.0.1:8000/feed.xml", "https://news.example/"])


@pytest.mark.parametrize(
    "host, resolved",
    [
        ("127.0.0.2", None),
        ("127.1.2.3", None),
        ("10.0.0.1", None),
        ("172.16.5.4", None),
        ("192.168.1.1", None),
        ("169.254.169.254", None),
        ("224.0.0.1", None),
        ("239.255.255.250", None),
        ("0.0.0.0", None),
        ("100.64.0.1", None),
        ("[::1]", None),
        ("::1", None),
        ("fe80::1", None),
        ("fc00::1", None),
        ("ff02::1", None),
        ("::ffff:10.0.0.1", None),
        ("[::ffff:192.168.0.1]", None),
        ("::ffff:127.0.0.2", None),
        # host names resolving to private addresses
        ("localhost", "127.0.0.1"),
        ("intranet.example", "10.1.2.3"),
        ("evil.example", "169.254.169.254"),
        ("v6.example", "::1"),
        ("mapped.example", "::ffff:172.16.0.1"),
    ],
)
def test_private_addresses_refused(host, resolved):
    assert not address_allowed(host, resolved, NAMED)


@pytest.mark.parametrize(
    "host, resolved",
    [
        ("127.0.0.1", None),  # named in the start points
        ("::ffff:127.0.0.1", None),  # the same address, IPv4-mapped
        ("news.example", "10.0.0.5"),  # a named host may be private
        ("example.com", "93.184.216.34"),
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("example.org", None),  # not resolved yet: the resolver decides later
    ],
)
def test_public_and_named_addresses_allowed(host, resolved):
    assert address_allowed(host, resolved, NAMED)


# -- issue 15: a named private host is open on the ports named only ------------------------------------

PORTS = named_hosts_of(
    [
        "http://127.0.0.1:8000/feed.xml",
        "https://intranet.example/",
        "http://[::1]/",
        "http://127.0.0.1:99999/kaputt.xml",
    ]
)


@pytest.mark.parametrize(
    "host, resolved, port, allowed",
    [
        ("127.0.0.1", None, 8000, True),
        ("127.0.0.1", None, 8001, False),  # another port of the named host
        ("127.0.0.1", None, 80, False),  # http's default port: not named either
        ("::ffff:127.0.0.1", None, 8000, True),  # the same address, IPv4-mapped
        ("[::ffff:127.0.0.1]", None, 9000, False),
        ("intranet.example", "10.0.0.5", 443, True),  # https without a port: 443
        ("intranet.example", "10.0.0.5", 8443, False),
        ("::1", None, 80, True),
        ("[::1]", None, 8080, False),
        ("example.com", "93.184.216.34", 8080, True),  # public hosts: every port
        ("127.0.0.1", None, None, True),  # the resolver knows no port: the middleware checked it
    ],
)
def test_named_private_hosts_are_allowed_on_their_named_ports_only(host, resolved, port, allowed):
    assert address_allowed(host, resolved, PORTS, port) is allowed


def test_named_hosts_carry_their_ports_and_skip_a_bad_one():
    assert PORTS == {("127.0.0.1", 8000), ("intranet.example", 443), ("::1", 80)}


@pytest.mark.parametrize(
    "url, port",
    [
        ("http://a.example/", 80),
        ("https://a.example/", 443),
        ("HTTP://a.example:8080/x", 8080),
        ("http://[::1]:81/", 81),
        ("http://a.example:99999/", None),
        ("http://a.example:port/", None),
        ("ftp://a.example/", None),
    ],
)
def test_port_of(url, port):
    assert port_of(url) == port
