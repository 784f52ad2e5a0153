"""Outgoing HTTP: every URL a user gives us is fetched through the SSRF guard (guarded_client)."""

from nocodedb.net.guarded_client import Allowlist, BlockedURL, GuardedResponse, guarded_request

__all__ = ["Allowlist", "BlockedURL", "GuardedResponse", "guarded_request"]
