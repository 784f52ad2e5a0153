"""Where the time of each foundation operation goes: Python vs SQL, and EXPLAIN ANALYZE of each statement.

    python -m bench.profile_ops --database-url URL_OF_A_KEPT_BENCH_DATABASE [--repeat 30] [--explain]

Runs the application in process (httpx ASGITransport, no network) on a database left by
`python -m bench.foundation --keep`, records every statement the app sends with its wall time, and prints
per operation: request time, time waiting on SQL, statements per request. With --explain, each distinct
statement is run again under EXPLAIN (ANALYZE, BUFFERS) with the same parameters.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import time
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from nocodedb.app import create_app
from nocodedb.db.engine import make_engine
from nocodedb.settings import Settings

RECORD: list[tuple[str, Any, float]] = []


def instrument(engine: Any) -> None:
    sync = engine.sync_engine

    @event.listens_for(sync, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(sync, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        started = conn.info["started"].pop()
        RECORD.append((statement, parameters, (time.perf_counter() - started) * 1000))


async def main(args: argparse.Namespace) -> None:
    from bench.prototypes import PATCHES

    for name in args.patch or []:
        PATCHES[name]()
        print(f"prototype applied: {name}: {PATCHES[name].__doc__.split(chr(10))[0]}")
    conn = await asyncpg.connect(args.database_url)
    email = await conn.fetchval("SELECT email FROM users ORDER BY id LIMIT 1")
    table_id = await conn.fetchval("SELECT id FROM tables WHERE name = 'groups'")
    fields = {
        r["name"]: r
        for r in await conn.fetch("SELECT id, name, type, options FROM fields WHERE table_id = $1", table_id)
    }
    row_ids = [r["id"] for r in await conn.fetch("SELECT id FROM rows WHERE table_id = $1 LIMIT 1000", table_id)]
    engine = make_engine(args.database_url)
    instrument(engine)
    app = create_app(replace(Settings(), database_url=args.database_url), engine=engine)
    members = f"field_{fields['members']['id']}"
    region_opts = (
        orjson.loads(fields["region"]["options"])
        if isinstance(fields["region"]["options"], str)
        else fields["region"]["options"]
    )
    bretagne = next(o["id"] for o in region_opts["select_options"] if o["value"] == "Bretagne")
    contains = orjson.dumps(
        {"filters": [{"field": fields["city"]["id"], "type": "contains", "value": "saint"}]}
    ).decode()
    region = orjson.dumps(
        {"filters": [{"field": fields["region"]["id"], "type": "single_select_equal", "value": str(bretagne)}]}
    ).decode()
    path = f"/api/database/rows/table/{table_id}/"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            tokens = (
                await client.post("/api/user/token-auth/", json={"email": email, "password": "correct horse battery"})
            ).json()
            headers = {"Authorization": f"JWT {tokens['access_token']}"}
            name_key = f"field_{fields['name']['id']}"
            ops = {
                "list first page": lambda i: client.get(path, headers=headers),
                "filter contains": lambda i: client.get(path, headers=headers, params={"filters": contains}),
                "sort by number": lambda i: client.get(path, headers=headers, params={"order_by": members}),
                "filter + sort": lambda i: client.get(
                    path, headers=headers, params={"filters": region, "order_by": f"-{members}"}
                ),
                "search": lambda i: client.get(path, headers=headers, params={"search": "lyon"}),
                "update one row": lambda i: client.patch(
                    f"{path}{row_ids[i]}/", headers=headers, json={members: str(i)}
                ),
                "create one row": lambda i: client.post(
                    path, headers=headers, json={name_key: f"profile {i}", members: 3}
                ),
                "batch insert (200 rows)": lambda i: client.post(
                    f"{path}batch/",
                    headers=headers,
                    json={"items": [{name_key: f"profile batch {i} {k}", members: k} for k in range(200)]},
                ),
            }
            for name, op in ops.items():
                if args.only and not any(o in name for o in args.only):
                    continue
                for i in range(3):
                    await op(i)
                RECORD.clear()
                totals = []
                profiler = cProfile.Profile() if args.cprofile else None
                if profiler:
                    profiler.enable()
                for i in range(args.repeat):
                    started = time.perf_counter()
                    response = await op(i + 3)
                    assert response.status_code == 200, response.text[:300]
                    totals.append((time.perf_counter() - started) * 1000)
                if profiler:
                    profiler.disable()
                    pstats.Stats(profiler).sort_stats(args.cprofile_sort).print_stats(args.cprofile)
                sql_total = sum(t for _, _, t in RECORD) / args.repeat
                by_stmt: dict[str, list[float]] = {}
                params_of: dict[str, Any] = {}
                for stmt, params, t in RECORD:
                    by_stmt.setdefault(stmt, []).append(t)
                    params_of[stmt] = params
                print(
                    f"\n=== {name}: request median {statistics.median(totals):.1f} ms, SQL {sql_total:.1f} ms/request "
                    f"over {len(RECORD) / args.repeat:.0f} statements, "
                    f"Python+ASGI {statistics.median(totals) - sql_total:.1f} ms"
                )
                for stmt, times in sorted(by_stmt.items(), key=lambda kv: -sum(kv[1])):
                    print(
                        f"  {sum(times) / args.repeat:6.2f} ms/req  x{len(times) / args.repeat:.0f}  "
                        f"{' '.join(stmt.split())[:150]}"
                    )
                if args.explain:
                    for stmt, _times in sorted(by_stmt.items(), key=lambda kv: -sum(kv[1]))[: args.explain_top]:
                        if not stmt.lstrip().upper().startswith("SELECT"):
                            continue
                        params = params_of[stmt]
                        plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {stmt}", *(params or ()))
                        print(f"\n  -- EXPLAIN ANALYZE of: {' '.join(stmt.split())[:400]}")
                        print("\n".join("     " + r[0] for r in plan))
    await engine.dispose()
    await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--explain-top", type=int, default=2)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--cprofile", type=int, default=0, help="print the N functions with most own time")
    parser.add_argument("--cprofile-sort", default="tottime", help="tottime or cumulative")
    parser.add_argument("--patch", nargs="*", help="prototype fixes from bench/prototypes.py")
    asyncio.run(main(parser.parse_args()))
