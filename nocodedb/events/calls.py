"""One webhook call: send a body through the SSRF guard and describe the request and the response."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from nocodedb.events.signing import SIGNATURE_HEADER, sign
from nocodedb.net.addresses import Allowlist
from nocodedb.net.guarded_client import BlockedURL, describe, guarded_request

RESERVED_HEADERS = {"host", "content-length", "content-type", "transfer-encoding", "connection"}


@dataclass
class CallResult:
    ok: bool
    request: str
    response: str | None
    status: int | None
    error: str | None
    unreachable: bool


def user_headers(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if str(k).lower() not in RESERVED_HEADERS}


async def call_webhook(
    *,
    url: str,
    method: str,
    headers: Any,
    secret: str,
    body: dict[str, Any],
    allowlist: Allowlist,
    timeout: float,
) -> CallResult:
    content = orjson.dumps(body)
    sent = {
        **user_headers(headers),
        "Content-Type": "application/json",
        "User-Agent": "nocodedb-webhooks",
        "X-Nocodedb-Event": str(body.get("event_type", "")),
        "X-Nocodedb-Event-Id": str(body.get("event_id", "")),
        SIGNATURE_HEADER: sign(secret, content),
    }
    shown_headers = "\n".join(f"{k}: {v}" for k, v in sent.items())
    request_text = f"{method} {url}\n{shown_headers}\n\n{content.decode()}"
    try:
        answer = await guarded_request(
            method,
            url,
            headers=sent,
            content=content if method != "GET" else None,
            allowlist=allowlist,
            timeout=timeout,
        )
    except BlockedURL as exc:
        return CallResult(False, request_text, None, None, describe(exc), True)
    except Exception as exc:  # any network failure is the webhook's failure, never the worker's
        return CallResult(False, request_text, None, None, describe(exc), True)
    response_text = "\n".join(f"{k}: {v}" for k, v in answer.headers.items()) + "\n\n" + answer.body
    ok = 200 <= answer.status < 300
    return CallResult(ok, request_text, response_text, answer.status, None if ok else f"HTTP {answer.status}", False)
