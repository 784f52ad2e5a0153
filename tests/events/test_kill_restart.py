"""Durability: the real server, killed with SIGKILL in the middle of a stream of writes, then restarted.

Every write the server acknowledged must be in the database, and every webhook event it queued must be
delivered at least once after the restart (a retry carries the same event_id), none lost.

The server runs as a subprocess (`nocodedb serve`) on a database of its own: the session's in-process app
runs a webhook worker too, which would claim this test's deliveries on a shared database.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.db.engine import make_engine, with_database
from nocodedb.db.schema import rows, webhook_deliveries
from tests.factories import signed_up

WRITERS = 4
KILL_AFTER = 60  # acknowledged writes before the kill
AFTER_RESTART = 10


class Hooks:
    """A loopback webhook receiver that answers slowly, so that deliveries are in flight at the kill."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []  # (X-Nocodedb-Event-Id, body)
        self.lock = threading.Lock()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                time.sleep(0.05)
                with hooks.lock:
                    hooks.received.append((self.headers.get("X-Nocodedb-Event-Id", ""), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def snapshot(self) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return list(self.received)


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    found = Hooks()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
async def own_database(server_url: str) -> AsyncIterator[str]:
    name = f"nocodedb_kill_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`nocodedb serve` in a subprocess; its output goes to a file shown when something fails."""

    def __init__(self, database_url: str, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NOCODEDB_DATA_DIR": str(data_dir),
            "NOCODEDB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        }
        code = "import sys; from nocodedb.cli import main; sys.exit(main(sys.argv[1:]))"
        argv = [sys.executable, "-c", code, "serve", "--port", str(self.port), "--log-level", "warning"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient(base_url=self.base) as client:
            while time.monotonic() < deadline:
                assert self.process.poll() is None, f"the server exited: {self.log.read_text()[-3000:]}"
                try:
                    if (await client.get("/api/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"the server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


async def _stream(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], acked: list[int], stop: asyncio.Event
) -> None:
    """Create rows one by one until told to stop or the server is gone; keep the ids it acknowledged."""
    while not stop.is_set():
        try:
            answer = await client.post(url, json={"Name": f"row {secrets.token_hex(4)}"}, headers=headers)
        except httpx.TransportError:
            return  # killed mid-request: this write was never acknowledged
        assert answer.status_code == 200, answer.text
        acked.append(int(answer.json()["id"]))


async def _wait_delivered(engine: AsyncEngine, hooks: Hooks, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        async with engine.connect() as conn:
            found = (await conn.execute(select(webhook_deliveries.c.event_id, webhook_deliveries.c.state))).all()
        queued = [e for e, _ in found]
        received = {e for e, _ in hooks.snapshot()}
        if all(state == "delivered" for _, state in found) and set(queued) <= received:
            return queued
        if time.monotonic() > deadline:
            pending = [(e, s) for e, s in found if s != "delivered" or e not in received]
            raise AssertionError(f"{len(pending)} queued events not delivered: {pending[:5]}")
        await asyncio.sleep(0.1)


async def test_acknowledged_writes_and_queued_events_survive_sigkill(
    own_database: str, hooks: Hooks, tmp_path: Path
) -> None:
    first = Server(own_database, tmp_path / "data", tmp_path / "server.log")
    servers = [first]
    engine = make_engine(own_database, pool_size=2)
    try:
        await first.ready()
        async with httpx.AsyncClient(base_url=first.base, timeout=10) as client:
            api = await signed_up(client)
            table = await api.table("Journal")
            hook = await api.post(
                f"/api/database/webhooks/table/{table['id']}/", {"url": hooks.url, "include_all_events": True}
            )
            assert hook["active"] is True
            url = f"/api/database/rows/table/{table['id']}/?user_field_names=true"
            acked: list[int] = []
            stop = asyncio.Event()
            writers = [asyncio.create_task(_stream(client, url, api.headers, acked, stop)) for _ in range(WRITERS)]
            while len(acked) < KILL_AFTER:
                assert not any(w.done() for w in writers), [w.exception() for w in writers if w.done()]
                await asyncio.sleep(0.01)
            first.kill()  # writes are in flight, deliveries queued, claimed and being sent
            await asyncio.gather(*writers)
        before_restart = len(acked)
        assert before_restart >= KILL_AFTER

        # The dead process leased the deliveries it had claimed (4 x timeout + 30 s): let that lease end
        # now instead of waiting for it, as if the time had passed.
        async with engine.begin() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.state == "pending", webhook_deliveries.c.attempts > 0)
                .values(next_attempt_at=webhook_deliveries.c.created_at)
            )

        second = Server(own_database, tmp_path / "data", tmp_path / "server.log")
        servers.append(second)
        await second.ready()
        async with httpx.AsyncClient(base_url=second.base, timeout=10) as client:
            for _ in range(AFTER_RESTART):
                answer = await client.post(url, json={"Name": "after the restart"}, headers=api.headers)
                assert answer.status_code == 200, answer.text
                acked.append(int(answer.json()["id"]))

        # Every acknowledged write is in the database.
        async with engine.connect() as conn:
            stored = set((await conn.execute(select(rows.c.id).where(rows.c.table_id == table["id"]))).scalars())
        assert set(acked) <= stored, sorted(set(acked) - stored)[:10]

        # Every queued event is delivered at least once; a duplicate is the same event (same id, same body).
        queued = await _wait_delivered(engine, hooks)
        received = hooks.snapshot()
        by_event: dict[str, list[dict[str, Any]]] = {}
        for header_id, body in received:
            assert header_id == body["event_id"]
            by_event.setdefault(header_id, []).append(body)
        assert set(by_event) == set(queued)
        for bodies in by_event.values():
            assert all(b == bodies[0] for b in bodies)
        # And none lost: every acknowledged row came in a rows.created event.
        announced = {item["id"] for bodies in by_event.values() for item in bodies[0].get("items", [])}
        assert set(acked) <= announced, sorted(set(acked) - announced)[:10]
    finally:
        for server in servers:
            server.stop()
        await engine.dispose()
