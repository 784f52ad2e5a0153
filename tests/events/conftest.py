"""Fixtures for change events: a loopback HTTP receiver, fast webhook settings, the outbox as rows."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.db.schema import outbox, webhooks


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A tiny HTTP server on 127.0.0.1: records requests, answers `status` (or redirects)."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    status: int = 200
    redirect_to: str | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.requests) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} calls, got {len(self.requests)}")
            await asyncio.sleep(0.02)
        return self.requests


def _handler(receiver_ref: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            receiver = receiver_ref[0]
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            receiver.requests.append(Received(self.command, self.path, dict(self.headers.items()), body))
            if receiver.redirect_to and self.path != "/final":
                self.send_response(307)
                self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            payload = b'{"ok": true}'
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    ref: list[Receiver] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    server.daemon_threads = True
    server.timeout = 1
    found = Receiver(server)
    ref.append(found)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield found
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
async def fast_webhooks(app: Any, receiver: Receiver, engine: AsyncEngine) -> AsyncIterator[Any]:
    """The running app with fast retries, 127.0.0.1 allowlisted; webhooks made during the test removed after."""
    ctx = app.state.ctx
    saved = ctx.settings
    ctx.settings = replace(
        saved,
        webhook_allowed_hosts="127.0.0.1",
        webhook_backoff_seconds=0.05,
        webhook_max_attempts=3,
        webhook_max_failures=3,
        webhook_timeout_seconds=2.0,
        events_poll_seconds=0.05,
    )
    async with engine.connect() as conn:
        before = set((await conn.execute(select(webhooks.c.id))).scalars())
    yield ctx
    ctx.settings = saved
    async with engine.begin() as conn:
        await conn.execute(delete(webhooks).where(webhooks.c.id.not_in(before) if before else text("true")))


async def events_after(engine: AsyncEngine, last_id: int, table_id: int | None = None) -> list[Any]:
    async with engine.connect() as conn:
        query = select(outbox).where(outbox.c.id > last_id).order_by(outbox.c.id)
        if table_id is not None:
            query = query.where(outbox.c.table_id == table_id)
        return list((await conn.execute(query)).all())


async def last_event_id(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT coalesce(max(id), 0) FROM outbox"))).scalar_one())
