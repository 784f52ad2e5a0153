"""The SSRF guard: every spelling of an inside address is refused; allowlisted loopback servers work."""

from __future__ import annotations

import asyncio
import socket

import pytest

from nocodedb.net import Allowlist, BlockedURL, guarded_request

HOSTILE = [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://2130706433/",  # decimal
    "http://0x7f000001/",  # hex
    "http://0x7f.1/",
    "http://017700000001/",  # octal
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://0/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of the metadata address
    "http://[2002:a9fe:a9fe::]/",  # 6to4 of the metadata address
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.169.254./",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.100.100.200/",  # Alibaba metadata
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.0.1/",
    "http://100.64.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.0.8/",
    "https://127.0.0.1:443/",
    "http://user:pass@127.0.0.1/",
    "ftp://example.org/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:25/",
    "http:///nohost",
]


@pytest.mark.parametrize("url", HOSTILE)
async def test_hostile_urls_are_refused(url):
    with pytest.raises(BlockedURL):
        await guarded_request("POST", url, content=b"{}", allowlist=Allowlist(), timeout=1)


async def test_allowlisted_loopback_server_is_reached_and_keeps_the_host_header(receiver):
    allow = Allowlist.parse(f"localhost:{receiver.port}")
    answer = await guarded_request("GET", receiver.url(host="localhost"), allowlist=allow, timeout=2)
    assert answer.status == 200
    assert receiver.requests[0].headers["Host"] == f"localhost:{receiver.port}"
    with pytest.raises(BlockedURL):  # another port of the same host is not allowlisted
        await guarded_request("GET", f"http://localhost:{receiver.port + 1}/", allowlist=allow, timeout=2)


async def test_cidr_and_host_port_entries():
    allow = Allowlist.parse(" 10.1.0.0/16 , hooks.internal:8443, [::1]:9000 ")
    import ipaddress

    assert allow.allows_ip(ipaddress.ip_address("10.1.2.3"), 80)
    assert not allow.allows_ip(ipaddress.ip_address("10.2.0.1"), 80)
    assert allow.allows_name("HOOKS.internal.", 8443) and not allow.allows_name("hooks.internal", 443)
    assert allow.allows_ip(ipaddress.ip_address("::1"), 9000) and not allow.allows_ip(ipaddress.ip_address("::1"), 80)


async def test_redirects_are_checked_at_every_hop(receiver):
    allow = Allowlist.parse(f"127.0.0.1:{receiver.port}")
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(BlockedURL):
        await guarded_request("POST", receiver.url(), content=b"{}", allowlist=allow, timeout=2)
    receiver.redirect_to = "/final"
    answer = await guarded_request("POST", receiver.url(), content=b"{}", allowlist=allow, timeout=2)
    assert answer.status == 200 and answer.redirects == [receiver.url("/final")]


async def test_dns_that_changes_between_check_and_connect_cannot_reach_inside(monkeypatch):
    """The name first resolves to a public address, then to loopback: the connection never goes there."""
    answers = iter(["93.184.215.14", "127.0.0.1", "93.184.215.14", "127.0.0.1"])
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return await real(host, port, *args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", rebinding)
    with pytest.raises(BlockedURL, match=r"127\.0\.0\.1 is loopback"):
        await guarded_request("GET", "http://rebind.example/", allowlist=Allowlist(), timeout=1)
