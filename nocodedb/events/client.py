"""The client id (X-Client-Id) of the request being served: the live socket of that client gets no echo."""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Any

current_client_id: ContextVar[str | None] = ContextVar("ncdb_client_id", default=None)
_VALID = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")


def clean_client_id(raw: str | None) -> str | None:
    return raw if raw and _VALID.match(raw) else None


class ClientIdMiddleware:
    """ASGI middleware: remembers the request's X-Client-Id for the change events it causes."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = None
        for name, value in scope.get("headers", []):
            if name == b"x-client-id":
                raw = value.decode("latin-1")
                break
        token = current_client_id.set(clean_client_id(raw))
        try:
            await self.app(scope, receive, send)
        finally:
            current_client_id.reset(token)
