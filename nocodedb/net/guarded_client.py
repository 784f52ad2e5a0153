"""Fetching a URL a user gave us without letting it reach the inside (SSRF guard).

Every request is checked where it connects: the host is resolved once, every address it resolves to must
be public (or allowlisted), and the connection goes to that checked address while the Host header and TLS
SNI keep the original name. DNS that changes between check and connect therefore cannot redirect us, and
redirects are followed by hand, each hop checked again.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import httpx

from nocodedb.net.addresses import IP, METADATA_NAMES, Allowlist, literal_ip, refusal

__all__ = ["Allowlist", "BlockedURL", "GuardedResponse", "GuardedTransport", "check_url", "guarded_request"]

MAX_REDIRECTS = 3
MAX_RESPONSE_BYTES = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


class BlockedURL(Exception):
    """The URL may not be fetched; the message says why (shown to the webhook's owner)."""


async def _resolve(host: str, port: int) -> list[IP]:
    ip = literal_ip(host)
    if ip is not None:
        return [ip]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedURL(f"The host {host!r} cannot be resolved.") from exc
    found: list[IP] = []
    for info in infos:
        resolved = literal_ip(str(info[4][0]))
        if resolved is not None and resolved not in found:
            found.append(resolved)
    if not found:
        raise BlockedURL(f"The host {host!r} cannot be resolved.")
    return found


async def check_url(url: httpx.URL, allowlist: Allowlist) -> IP:
    """The one address to connect to for this URL, or BlockedURL."""
    if url.scheme not in ("http", "https"):
        raise BlockedURL("Only http and https URLs can be called.")
    host = url.host.lower()
    if not host:
        raise BlockedURL("The URL has no host.")
    port = url.port or (443 if url.scheme == "https" else 80)
    name_allowed = allowlist.allows_name(host, port)
    if host.rstrip(".") in METADATA_NAMES and not name_allowed:
        raise BlockedURL(f"The host {host!r} is a cloud metadata service.")
    addresses = await _resolve(host, port)
    for ip in addresses:
        reason = refusal(ip)
        if reason and not (name_allowed or allowlist.allows_ip(ip, port)):
            raise BlockedURL(f"The host {host!r} leads to a forbidden address: {reason}.")
    return addresses[0]


class GuardedTransport(httpx.AsyncBaseTransport):
    """Checks each request's destination and connects to the checked address only."""

    def __init__(self, allowlist: Allowlist, timeout: float) -> None:
        self.allowlist = allowlist
        self.inner = httpx.AsyncHTTPTransport(retries=0, trust_env=False)
        self.timeout = timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ip = await check_url(request.url, self.allowlist)
        original = request.url.host
        request.url = request.url.copy_with(host=str(ip))
        request.headers["Host"] = request.headers.get("Host") or original
        if request.url.scheme == "https" and literal_ip(original) is None:
            request.extensions = {**request.extensions, "sni_hostname": original}
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class GuardedResponse:
    status: int
    headers: dict[str, str]
    body: str
    url: str
    redirects: list[str] = field(default_factory=list)


async def _read_limited(response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= MAX_RESPONSE_BYTES:
            break
    return bytes(body[:MAX_RESPONSE_BYTES])


async def guarded_request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    allowlist: Allowlist | None = None,
    timeout: float = 10.0,
) -> GuardedResponse:
    """Send one request through the guard, following at most MAX_REDIRECTS redirects by hand."""
    allowlist = allowlist or Allowlist()
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise BlockedURL("The URL is not valid.") from exc
    redirects: list[str] = []
    transport = GuardedTransport(allowlist, timeout)
    async with httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            await check_url(target, allowlist)  # early, clear refusal; the transport checks again on connect
            request = client.build_request(method, target, headers=headers, content=content)
            response = await client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    target = target.join(location)
                    redirects.append(str(target))
                    if response.status_code in (301, 302, 303) and method.upper() != "HEAD":
                        method, content = "GET", None
                    continue
                body = await _read_limited(response)
                return GuardedResponse(
                    response.status_code,
                    dict(response.headers),
                    body.decode("utf-8", "replace"),
                    str(target),
                    redirects,
                )
            finally:
                await response.aclose()
    raise BlockedURL(f"More than {MAX_REDIRECTS} redirects.")


def describe(exc: BaseException) -> str:
    """A short message for a failed call, fit to show the webhook's owner."""
    if isinstance(exc, BlockedURL):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "The call timed out."
    if isinstance(exc, httpx.HTTPError):
        return f"The call failed: {type(exc).__name__}."
    return f"The call failed: {type(exc).__name__}."
