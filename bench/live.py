"""Live updates benchmark: N WebSocket clients watch a table; how long until an edit reaches all of them?

    python -m bench.live [--clients 100] [--edits 50] [--database-url URL | --embedded]

The server runs in this process (uvicorn on 127.0.0.1, the real app with its outbox listener). Each edit
is a PATCH through the HTTP API by another client id; the latency of a client is the time from just before
the PATCH is sent to the moment that client has the rows.updated message, so it covers the write, the
commit, NOTIFY, the listener's outbox read and the fan-out. The floor beside it: a bare pg_notify from one
asyncpg connection to a LISTENing one, measured in the same run. Results go to bench/results/live-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

from nocodedb.app import create_app
from nocodedb.db.engine import with_database
from nocodedb.settings import Settings

RESULTS = Path(__file__).parent / "results"
READERS: set[asyncio.Task[None]] = set()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p95_ms": round(percentile(values, 95) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
        "mean_ms": round(statistics.fmean(values) * 1000, 2),
    }


async def notify_floor(dsn: str, rounds: int) -> list[float]:
    listener, sender = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    got: asyncio.Queue[float] = asyncio.Queue()
    await listener.add_listener("bench_floor", lambda *a: got.put_nowait(time.perf_counter()))
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        await sender.execute("SELECT pg_notify('bench_floor', '1')")
        samples.append(await got.get() - start)
    await listener.close()
    await sender.close()
    return samples


async def watcher(
    url: str, token: str, table_id: int, index: int, arrivals: dict[int, list[float]]
) -> ClientConnection:
    ws = await connect(f"{url}?jwt={token}&client_id=watcher-{index}", max_queue=None)
    await ws.send(orjson.dumps({"type": "subscribe", "table_id": table_id}).decode())
    while orjson.loads(await ws.recv())["type"] != "subscribed":
        pass

    async def read() -> None:
        async for raw in ws:
            message = orjson.loads(raw)
            if message["type"] == "rows.updated":
                arrivals.setdefault(message["row_ids"][0], []).append(time.perf_counter())

    READERS.add(asyncio.create_task(read()))
    return ws


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server_url = args.database_url
    if server_url is None:
        from nocodedb.db.embedded import start_embedded

        server_url = start_embedded(Path(tempfile.mkdtemp(prefix="nocodedb-bench-live-")))
    name = f"bench_live_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    app = create_app(Settings(database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, ws="websockets-sansio", log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        base, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws/"
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            user = (
                await http.post("/api/user/", json={"name": "B", "email": "b@example.org", "password": "x" * 12})
            ).json()
            headers = {"Authorization": f"JWT {user['access_token']}", "X-Client-Id": "editor"}
            ws_id = (await http.post("/api/workspaces/", json={"name": "W"}, headers=headers)).json()["id"]
            db = await http.post(
                f"/api/applications/workspace/{ws_id}/", json={"name": "D", "type": "database"}, headers=headers
            )
            table = await http.post(
                f"/api/database/tables/database/{db.json()['id']}/",
                json={"name": "T", "data": [["Name"]]},
                headers=headers,
            )
            t = table.json()["id"]
            rows = await http.post(
                f"/api/database/rows/table/{t}/batch/", json={"items": [{} for _ in range(args.edits)]}, headers=headers
            )
            row_ids = [r["id"] for r in rows.json()["items"]]
            primary = (await http.get(f"/api/database/fields/table/{t}/", headers=headers)).json()[0]["id"]
            arrivals: dict[int, list[float]] = {}
            sockets = [await watcher(ws_url, user["access_token"], t, i, arrivals) for i in range(args.clients)]
            latencies, last_client, write_times = [], [], []
            for i, row_id in enumerate(row_ids):
                start = time.perf_counter()
                await http.patch(
                    f"/api/database/rows/table/{t}/{row_id}/", json={f"field_{primary}": f"v{i}"}, headers=headers
                )
                write_times.append(time.perf_counter() - start)
                deadline = start + 10
                while len(arrivals.get(row_id, [])) < args.clients and time.perf_counter() < deadline:
                    await asyncio.sleep(0.001)
                got = [a - start for a in arrivals.get(row_id, [])]
                if len(got) < args.clients:
                    raise RuntimeError(f"edit {i}: only {len(got)} of {args.clients} clients were told")
                latencies += got
                last_client.append(max(got))
                await asyncio.sleep(args.pause)
            for s in sockets:
                await s.close()
        floor = await notify_floor(url, args.edits)
    finally:
        server.should_exit = True
        await serving
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "benchmark": "live",
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "clients": args.clients,
        "edits": args.edits,
        "edit_to_each_client": summary(latencies),
        "edit_to_last_client": summary(last_client),
        "http_patch_only": summary(write_times),
        "floor_bare_notify": summary(floor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between edits")
    parser.add_argument("--database-url", help="a PostgreSQL server where databases may be created")
    parser.add_argument("--embedded", action="store_true", help="use an embedded PostgreSQL (the default)")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"live-{dt.datetime.now():%Y-%m-%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
