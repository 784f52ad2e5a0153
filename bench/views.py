"""Views benchmark: a grid view with two filters, a sort and a group-by (its page), five footer totals and
search, through the real HTTP API, beside hand-written SQL over native typed tables, cold and warm.

    python -m bench.views [--rows 100000] [--participations 200000] [--rounds 2] [--repeat 30]
    python -m bench.views --reuse URL     # on a database kept by `python -m bench.computed --keep`

Builds its data with bench/computed.py's `build` (groups, small groups, participations linked through the
API, and native twins), reuses bench/foundation.py's server, client and helpers. See bench/README.md,
section "Views benchmark".
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson

from bench.computed import Setup, Timed, build, load_average, print_table, reuse
from bench.foundation import DEFAULT_URL, RESULTS, Api, Server, Table, with_database

TARGETS_MS = {"page": 30.0, "totals": 100.0, "search": 50.0}


def target_of(name: str) -> float | None:
    for key, value in TARGETS_MS.items():
        if f"] {key}" in name:
            return value
    return None


async def make_view(
    api: Api,
    table: Table,
    name: str,
    filters: list[dict[str, Any]],
    sort: tuple[int, str],
    group_by: int,
    totals: dict[int, str],
) -> dict[str, Any]:
    view = await api.call("POST", f"/api/database/views/table/{table.id}/", body={"name": name, "type": "grid"})
    v = view["id"]
    for f in filters:
        await api.call("POST", f"/api/database/views/{v}/filters/", body=f)
    await api.call("POST", f"/api/database/views/{v}/sortings/", body={"field": sort[0], "order": sort[1]})
    response = await api.client.post(
        f"/api/database/views/{v}/group_bys/", headers=api.headers, content=orjson.dumps({"field": group_by})
    )
    view["group_by_ok"] = response.status_code == 200
    if not view["group_by_ok"]:
        view["group_by_refused"] = response.text[:200]
    await api.call(
        "PATCH",
        f"/api/database/views/{v}/field-options/",
        body={"field_options": {str(k): {"aggregation_raw_type": t} for k, t in totals.items()}},
    )
    return view


async def indexes_of(conn: asyncpg.Connection, table_id: int) -> list[str]:
    return [
        r["indexname"]
        for r in await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1", f"rows_{table_id}"
        )
    ]


async def wait_for_indexes(conn: asyncpg.Connection, table_id: int, timeout: float) -> dict[str, Any]:
    """Until no CREATE INDEX is in progress and the partition's index list has not changed for 5 s."""
    started = time.monotonic()
    last, stable_since = await indexes_of(conn, table_id), time.monotonic()
    while time.monotonic() - started < timeout:
        await asyncio.sleep(1)
        busy = await conn.fetchval("SELECT count(*) FROM pg_stat_progress_create_index")
        now = await indexes_of(conn, table_id)
        if now != last or busy:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= 5:
            break
    invalid = await conn.fetchval(
        "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE c.relname LIKE $1 AND NOT i.indisvalid",
        f"ncdb_r{table_id}_%",
    )
    return {"waited_s": round(time.monotonic() - started, 1), "indexes": last, "invalid": invalid}


Call = Callable[[], Awaitable[Any]]


async def time_pair(
    name: str, round_no: int, api_call: Call, native_call: Call, repeat: int, warmup: int, api: Api
) -> Timed:
    result = Timed(name, round_no, load=load_average())
    for i in range(warmup + repeat):
        await api.keep_fresh()
        started = time.perf_counter()
        await api_call()
        api_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await native_call()
        native_ms = (time.perf_counter() - started) * 1000
        if i >= warmup:
            result.api_ms.append(api_ms)
            result.native_ms.append(native_ms)
    return result


def summarize(t: Timed) -> dict[str, Any]:
    out = t.summary()
    target = target_of(t.name)
    out["target"] = f"<= {target:g} ms" if target else ""
    out["pass"] = None if target is None else out["api_median_ms"] <= target
    return out


async def run(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    if args.reuse:
        database_url, db_name, keep = args.reuse, urlsplit(args.reuse).path.lstrip("/"), True
    else:
        db_name = f"nocodedb_bench_views_{stamp.replace('-', '_')}_{secrets.token_hex(2)}"
        admin = await asyncpg.connect(with_database(args.database_url, "postgres"))
        await admin.execute(f'CREATE DATABASE "{db_name}"')
        await admin.close()
        database_url, keep = with_database(args.database_url, db_name), args.keep
    print(f"database: {database_url}", flush=True)
    server = Server(database_url, RESULTS / f"views-{stamp}-server.log", args.prototype)
    native = await asyncpg.connect(database_url)
    report: dict[str, Any] = {
        "date": stamp,
        "benchmark": "views",
        "rounds": args.rounds,
        "repeat": args.repeat,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "postgres": await native.fetchval("SELECT version()"),
        "prototypes": args.prototype or [],
        "load_average_start": load_average(),
    }
    results: list[dict[str, Any]] = []
    try:
        await server.wait_ready()
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
        async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=600) as client:
            api = Api(client)
            s: Setup = await (
                reuse(args.reuse, api, native, report) if args.reuse else build(args, api, native, report)
            )
            g, p = s.groups, s.parts
            report["rows"] = await native.fetchval("SELECT count(*) FROM rows WHERE table_id = $1", g.id)
            report["participations"] = await native.fetchval("SELECT count(*) FROM rows WHERE table_id = $1", p.id)
            # Participations need a lookup of the group's city (kept by bench.computed; made here otherwise).
            lookup = p.fields.get("group city")
            if lookup is None:
                lookup = await api.call(
                    "POST",
                    f"/api/database/fields/table/{p.id}/",
                    body={
                        "name": "group city",
                        "type": "lookup",
                        "through_field_id": p.fields["group"]["id"],
                        "target_field_id": s.small.fields["city"]["id"],
                    },
                )
            if not await native.fetchval(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'native_participations' "
                "AND column_name = 'group_city'"
            ):
                await native.execute("ALTER TABLE native_participations ADD COLUMN group_city text")
                await native.execute(
                    "UPDATE native_participations p SET group_city = g.city FROM native_small_groups g "
                    "WHERE g.id = p.group_id"
                )
            for t in (g.id, p.id):
                await native.execute(f"VACUUM ANALYZE rows_{t}")
            await native.execute("VACUUM ANALYZE native_groups")
            await native.execute("VACUUM ANALYZE native_participations")

            fid = {n: f["id"] for n, f in g.fields.items()}
            gv = await make_view(
                api,
                g,
                f"bench view {stamp}",
                [
                    {"field": fid["active"], "type": "boolean", "value": "1"},
                    {"field": fid["members"], "type": "higher_than", "value": "50"},
                ],
                (fid["founded"], "DESC"),
                fid["region"],
                {
                    fid["members"]: "sum",
                    fid["founded"]: "earliest_date",
                    fid["city"]: "unique_count",
                    fid["email"]: "empty_count",
                    fid["name"]: "not_empty_count",
                },
            )
            pid = {n: f["id"] for n, f in p.fields.items()}
            pid["group city"] = lookup["id"]
            pv = await make_view(
                api,
                p,
                f"bench linked view {stamp}",
                [
                    {"field": pid["hours"], "type": "higher_than", "value": "20"},
                    {"field": pid["group city"], "type": "has_value_containing", "value": "saint"},
                ],
                (pid["hours"], "DESC"),
                pid["group"],
                {
                    pid["hours"]: "sum",
                    pid["name"]: "unique_count",
                    pid["group"]: "empty_count",
                    pid["group city"]: "not_empty_count",
                },
            )
            report["views"] = {
                "groups": {k: gv.get(k) for k in ("id", "group_by_ok", "group_by_refused")},
                "participations": {k: pv.get(k) for k in ("id", "group_by_ok", "group_by_refused")},
            }
            print(f"views: {report['views']}", flush=True)

            # --- native SQL -------------------------------------------------------------------------
            gcols = "id, name, city, region, members, active, founded, email, notes, created_at, updated_at"
            gwhere = "active AND members > 50"
            gsearch = " OR ".join(
                f"{c} ILIKE $1" for c in ("name", "city", "region", "members::text", "founded::text", "email", "notes")
            )
            gorder = (
                "ORDER BY region ASC NULLS FIRST, founded DESC NULLS LAST, id"
                if gv["group_by_ok"]
                else "ORDER BY founded DESC NULLS LAST, id"
            )

            async def native_gpage(where: str = gwhere, *a: Any) -> Any:
                page = await native.fetch(f"SELECT {gcols} FROM native_groups WHERE {where} {gorder} LIMIT 100", *a)
                count = await native.fetchval(f"SELECT count(*) FROM native_groups WHERE {where}", *a)
                groups = (
                    await native.fetch(f"SELECT region, count(*) FROM native_groups WHERE {where} GROUP BY region", *a)
                    if gv["group_by_ok"]
                    else None
                )
                return page, count, groups

            async def native_gtotals() -> Any:
                return await native.fetchrow(
                    "SELECT sum(members), min(founded), count(DISTINCT city), "
                    "count(*) FILTER (WHERE email IS NULL OR email = ''), "
                    f"count(*) FILTER (WHERE name IS NOT NULL AND name <> '') FROM native_groups WHERE {gwhere}"
                )

            pjoin = "native_participations p JOIN native_small_groups g ON g.id = p.group_id"
            pwhere = "p.hours > 20 AND g.city ILIKE '%saint%'"
            psearch = " OR ".join(f"{c} ILIKE $1" for c in ("p.name", "p.hours::text", "g.name", "g.city"))
            porder = (
                "ORDER BY g.name ASC NULLS FIRST, p.hours DESC NULLS LAST, p.id"
                if pv["group_by_ok"]
                else "ORDER BY p.hours DESC NULLS LAST, p.id"
            )

            async def native_ppage(where: str = pwhere, *a: Any) -> Any:
                page = await native.fetch(
                    f"SELECT p.id, p.name, p.hours, p.group_id, g.name, g.city FROM {pjoin} WHERE {where} {porder} "
                    "LIMIT 100",
                    *a,
                )
                count = await native.fetchval(f"SELECT count(*) FROM {pjoin} WHERE {where}", *a)
                groups = (
                    await native.fetch(
                        f"SELECT p.group_id, count(*) FROM {pjoin} WHERE {where} GROUP BY p.group_id", *a
                    )
                    if pv["group_by_ok"]
                    else None
                )
                return page, count, groups

            async def native_ptotals() -> Any:
                return await native.fetchrow(
                    "SELECT sum(p.hours), count(DISTINCT p.name), count(*) FILTER (WHERE p.group_id IS NULL), "
                    f"count(*) FILTER (WHERE g.city IS NOT NULL AND g.city <> '') FROM {pjoin} WHERE {pwhere}"
                )

            # --- API calls -------------------------------------------------------------------------
            def grid(v: int, **params: Any) -> Call:
                return lambda: api.call("GET", f"/api/database/views/grid/{v}/", params=params or None)

            def totals(v: int) -> Call:
                return lambda: api.call("GET", f"/api/database/views/grid/{v}/field-aggregations/")

            def rows_with_view(t: int, v: int, **params: Any) -> Call:
                return lambda: api.call("GET", f"/api/database/rows/table/{t}/", params={"view_id": v, **params})

            gk, pk = f"{report['rows'] // 1000}k", f"{report['participations'] // 1000}k"
            ops: list[tuple[str, Call, Call]] = [
                (f"[groups {gk}] page (grid view endpoint)", grid(gv["id"]), native_gpage),
                (f"[groups {gk}] page (rows?view_id=)", rows_with_view(g.id, gv["id"]), native_gpage),
                (f"[groups {gk}] totals (5 fields)", totals(gv["id"]), native_gtotals),
                (
                    f"[groups {gk}] search 'lyon' (in the view)",
                    grid(gv["id"], search="lyon"),
                    lambda: native_gpage(f"({gwhere}) AND ({gsearch})", "%lyon%"),
                ),
                (f"[participations {pk}] page (grid view endpoint)", grid(pv["id"]), native_ppage),
                (f"[participations {pk}] totals (4 fields)", totals(pv["id"]), native_ptotals),
                (
                    f"[participations {pk}] search '42' (in the view)",
                    grid(pv["id"], search="Participation 42"),
                    lambda: native_ppage(f"({pwhere}) AND ({psearch})", "%participation 42%"),
                ),
            ]
            # Sanity: the API's counts equal the native ones.
            checks = {}
            for name, api_call, native_call in ops:
                if "totals" in name:
                    continue
                body = await api_call()
                _, count, _ = await native_call()
                checks[name] = {"api": body["count"], "native": count}
            report["count_checks"] = checks
            print(f"count checks: {checks}", flush=True)

            # --- cold: the first requests, before any index the advisor builds ----------------------
            report["indexes_before"] = {
                "groups": await indexes_of(native, g.id),
                "participations": await indexes_of(native, p.id),
            }
            for name, api_call, native_call in ops:
                t = await time_pair(name + " COLD", 0, api_call, native_call, 3, 0, api)
                results.append(summarize(t))
                print(
                    f"  {results[-1]['operation']}: API {results[-1]['api_median_ms']} ms native "
                    f"{results[-1]['native_median_ms']} ms",
                    flush=True,
                )
            # What a user of the rows API does with the same conditions: this is what wakes the index
            # advisor (only GET rows/table/t/ with order_by/filters/search consults it).
            gfilters = orjson.dumps(
                {
                    "filter_type": "AND",
                    "filters": [
                        {"field": fid["active"], "type": "boolean", "value": "1"},
                        {"field": fid["members"], "type": "higher_than", "value": "50"},
                    ],
                }
            ).decode()
            pfilters = orjson.dumps(
                {
                    "filter_type": "AND",
                    "filters": [
                        {"field": pid["hours"], "type": "higher_than", "value": "20"},
                        {"field": pid["group city"], "type": "has_value_containing", "value": "saint"},
                    ],
                }
            ).decode()
            await api.call(
                "GET",
                f"/api/database/rows/table/{g.id}/",
                params={"filters": gfilters, "order_by": f"-field_{fid['founded']}"},
            )
            await api.call("GET", f"/api/database/rows/table/{g.id}/", params={"search": "lyon"})
            await api.call(
                "GET",
                f"/api/database/rows/table/{p.id}/",
                params={"filters": pfilters, "order_by": f"-field_{pid['hours']}"},
            )
            await api.call("GET", f"/api/database/rows/table/{p.id}/", params={"search": "Participation 42"})
            report["index_wait"] = {
                "groups": await wait_for_indexes(native, g.id, args.index_timeout),
                "participations": await wait_for_indexes(native, p.id, args.index_timeout),
            }
            print(f"indexes after warm-up: {report['index_wait']}", flush=True)
            for t in (g.id, p.id):
                await native.execute(f"ANALYZE rows_{t}")

            # --- warm ----------------------------------------------------------------------------------
            for round_no in range(1, args.rounds + 1):
                print(f"timing warm, round {round_no} of {args.rounds} ...", flush=True)
                for name, api_call, native_call in ops:
                    if args.only and not any(o in name for o in args.only):
                        continue
                    t = await time_pair(name, round_no, api_call, native_call, args.repeat, args.warmup, api)
                    results.append(summarize(t))
                    print(
                        f"  {name}: API {results[-1]['api_median_ms']} ms native {results[-1]['native_median_ms']} ms",
                        flush=True,
                    )
        report["server_rss_mb_peak"] = round(server.peak_rss / 2**20, 1)
    finally:
        server.stop()
        await native.close()
        if not keep:
            admin = await asyncpg.connect(with_database(args.database_url, "postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            await admin.close()
        else:
            print(f"kept database {database_url}", flush=True)
        report["load_average_end"] = load_average()
        report["results"] = results
        out = RESULTS / f"views-{stamp}.json"
        out.write_text(json.dumps(report, indent=2, default=str))
    print()
    print(
        f"## Views benchmark, {report.get('rows', 0):,} groups, {report.get('participations', 0):,} participations, "
        f"{os.cpu_count()} CPUs, {stamp} (round 0 = cold: the first 3 requests, before the advisor's indexes)"
    )
    print()
    print(print_table(results))
    print()
    print(f"- indexes after warm-up: {report.get('index_wait')}")
    print(f"- load average: start {report['load_average_start']}, end {report['load_average_end']}")
    print(f"\nresults: {out}")
    return report


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--small-groups", type=int, default=10_000)
    p.add_argument("--participations", type=int, default=200_000)
    p.add_argument("--database-url", default=os.environ.get("NOCODEDB_BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--index-timeout", type=float, default=300, help="seconds to wait for the advisor's indexes")
    p.add_argument("--load", choices=["sql", "api"], default="sql")
    p.add_argument("--load-clients", type=int, default=2)
    p.add_argument("--only", nargs="*")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--reuse", metavar="URL", help="a database kept by bench.computed --keep or bench.views --keep")
    p.add_argument("--prototype", nargs="*")
    p.add_argument("--keep", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    asyncio.run(run(parser().parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
