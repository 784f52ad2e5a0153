"""Which IP addresses an outgoing request may reach, and the allowlist that makes exceptions."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names of cloud metadata services; their addresses are refused anyway (link-local, private or shared).
METADATA_NAMES = {
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
}
# Blocks that ipaddress may call global but that must never be fetched.
EXTRA_BLOCKED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "100.64.0.0/10",  # shared address space (Alibaba metadata 100.100.100.200)
        "192.0.0.0/24",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
        "::/128",
        "::1/128",
        "fd00:ec2::254/128",  # AWS IMDS over IPv6
    )
)


def embedded_ipv4(ip: IP) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: mapped, compatible, 6to4, NAT64 or Teredo."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = ip.packed
    if ip in ipaddress.ip_network("64:ff9b::/96") or ip in ipaddress.ip_network("64:ff9b:1::/48"):
        return ipaddress.IPv4Address(packed[-4:])
    if packed[:12] == bytes(12) and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(packed[-4:])
    return None


def refusal(ip: IP) -> str | None:
    """Why this address may not be reached, or None when it may."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        reason = refusal(inner)
        return reason and f"{reason} (inside {ip})"
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata)"),
        (ip.is_multicast, "multicast"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (any(ip in n for n in EXTRA_BLOCKED if n.version == ip.version), "reserved"),
        (not ip.is_global, "not a public address"),
    )
    for failed, reason in checks:
        if failed:
            return f"{ip} is {reason}"
    return None


def literal_ip(host: str) -> IP | None:
    """An IP written in any form a resolver accepts: dotted, decimal, octal, hex, short (127.1), IPv6."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None


@dataclass(frozen=True)
class Allowlist:
    """NOCODEDB_WEBHOOK_ALLOWED_HOSTS: host, host:port or CIDR entries, comma-separated."""

    names: frozenset[tuple[str, int | None]] = frozenset()
    networks: tuple[tuple[Network, int | None], ...] = ()

    @classmethod
    def parse(cls, text: str) -> Allowlist:
        names: set[tuple[str, int | None]] = set()
        networks: list[tuple[Network, int | None]] = []
        for raw in text.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            host, port = _split_port(entry)
            try:
                networks.append((ipaddress.ip_network(host.strip("[]"), strict=False), port))
            except ValueError:
                names.add((host.rstrip("."), port))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str, port: int) -> bool:
        host = host.lower().rstrip(".")
        return (host, None) in self.names or (host, port) in self.names

    def allows_ip(self, ip: IP, port: int) -> bool:
        return any(ip in net and want in (None, port) for net, want in self.networks if net.version == ip.version)


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and (rest[1:].isascii() and rest[1:].isdigit()) else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isascii() and port.isdigit():
            return host, int(port)
    return entry, None
