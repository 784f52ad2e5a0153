"""Page-open benchmark: how long a 100,000-row table takes to show its first rows in a real browser.

    python -m bench.page_open [--rows 100000] [--rounds 7] [--database-url URL] [--view-sort] [--keep]

Starts `nocodedb serve` on a fresh database (bench.foundation's `Server`), creates the W1 `groups` table
through the API, loads the rows straight into the partition in the stored form the API writes (bench.computed's
loader, checked against one row made through the API), then opens `#/t/<table>` in headless Chromium
(Playwright, Debian's /usr/bin/chromium) several times and measures, inside the page, the time from the start
of the navigation (`performance.timeOrigin`) to the first animation frame after the first row cell with text
is in the grid. Each "cold" round uses a new browser context (empty HTTP cache, session resumed from the
refresh token as after a reload); each "warm" round reloads the page in the previous context (scripts
revalidated from the cache). The request waterfall of the median cold round is printed, so that serial waits
show. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import statistics
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench.computed import check_stored_form, sql_load_groups
from bench.data import generate
from bench.foundation import RESULTS, Api, Server, create_table, with_database

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_MS = 600

# Records, relative to the navigation start, when the first row cell with text entered the grid and the
# animation frame after it (the first moment it can be on screen).
PROBE = """
(() => {
  window.__firstRow = null;
  const found = () => document.querySelector('.grid-body .grid-row:not(.loading) [role="gridcell"]');
  const check = () => {
    if (window.__firstRow) return;
    const cell = found();
    if (!cell || !cell.textContent.trim()) return;
    const inserted = performance.now();
    window.__firstRow = { inserted };
    requestAnimationFrame(() => { window.__firstRow.frame = performance.now(); });
    observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();
"""


async def build(args: argparse.Namespace, api: Api, native: asyncpg.Connection) -> tuple[int, dict[str, Any]]:
    await api.sign_up()
    workspace = await api.call("POST", "/api/workspaces/", body={"name": "Réseau"})
    database = await api.call(
        "POST", f"/api/applications/workspace/{workspace['id']}/", body={"name": "Alternatiba", "type": "database"}
    )
    table = await create_table(api, database["id"], "groups")
    groups = generate(args.rows, seed=args.seed)
    await check_stored_form(api, native, table, database["id"], groups[0])
    seconds = await sql_load_groups(native, table, database["id"], groups)
    print(f"loaded {args.rows:,} rows in {seconds:.1f} s", flush=True)
    views = await api.call("GET", f"/api/database/views/table/{table.id}/")
    view = views[0]
    if args.view_sort:
        # The default view sorted and filtered, as many real ones are: the first page must follow them.
        await api.call(
            "POST",
            f"/api/database/views/{view['id']}/sortings/",
            body={"field": table.fields["members"]["id"], "order": "DESC"},
        )
        await api.call(
            "POST",
            f"/api/database/views/{view['id']}/filters/",
            body={"field": table.fields["active"]["id"], "type": "boolean", "value": "1"},
        )
    await native.execute("VACUUM ANALYZE rows")
    return table.id, {"view": view["id"], "fallbacks": table.fallbacks}


async def measure(args: argparse.Namespace, base: str, table_id: int, refresh_token: str) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    cold: list[dict[str, Any]] = []
    warm: list[float] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=args.chromium)
        try:
            for round_no in range(args.warmup + args.rounds):
                context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
                await context.add_init_script(f"sessionStorage.setItem('nocodedb.refresh', {refresh_token!r});")
                await context.add_init_script(PROBE)
                page = await context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                await page.goto(f"{base}/#/t/{table_id}")
                first = await first_row(page)
                waterfall = await page.evaluate(
                    """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                      .map((e) => ({ name: e.entryType === 'navigation' ? '(the page)' : e.name.replace(location.origin, ''),
                                     start: e.startTime, end: e.responseEnd }))"""
                )
                # What the page asks for after its first rows (totals, sidebar) ends before the next open:
                # otherwise it would still load the server during the next measurement.
                await page.wait_for_load_state("networkidle")
                warm_ms = None
                if round_no >= args.warmup:
                    await page.reload()
                    warm_ms = (await first_row(page))["frame"]
                    await page.wait_for_load_state("networkidle")
                await context.close()
                if errors:
                    raise RuntimeError(f"page errors: {errors}")
                if round_no < args.warmup:
                    continue
                cold.append(
                    {
                        "ms": first["frame"],
                        "inserted_ms": first["inserted"],
                        "waterfall": waterfall,
                        **milestones(waterfall),
                    }
                )
                warm.append(warm_ms)
                print(
                    f"  round {round_no - args.warmup + 1}: cold {first['frame']:.0f} ms, warm {warm_ms:.0f} ms",
                    flush=True,
                )
        finally:
            await browser.close()
    ordered = sorted(cold, key=lambda r: r["ms"])
    median_round = ordered[len(ordered) // 2]

    def median_of(key: str) -> float | None:
        values = [r[key] for r in cold if r.get(key) is not None]
        return round(statistics.median(values), 1) if values else None

    return {
        "cold_milestones_median_ms": {k: median_of(k) for k in ("html_ms", "token_ms", "modules_ms", "rows_ms")},
        "cold_ms": [round(r["ms"], 1) for r in cold],
        "warm_ms": [round(x, 1) for x in warm],
        "cold_median_ms": round(statistics.median(r["ms"] for r in cold), 1),
        "warm_median_ms": round(statistics.median(warm), 1),
        "median_round_waterfall": median_round["waterfall"],
        "median_round_ms": round(median_round["ms"], 1),
    }


def milestones(waterfall: list[dict[str, Any]]) -> dict[str, float | None]:
    """When the page, the token and the first rows had arrived, and when the last module had: where the
    time before the first rows went."""

    def end(match: str) -> float | None:
        found = [e["end"] for e in waterfall if match in e["name"]]
        return round(min(found), 1) if found else None

    modules = [
        e["end"] for e in waterfall if e["name"].startswith("/static/js/") or e["name"].startswith("/static/i18n/")
    ]
    return {
        "html_ms": end("(the page)"),
        "token_ms": end("/api/user/token-refresh/"),
        "modules_ms": round(max(modules), 1) if modules else None,
        "rows_ms": end("/api/database/rows/table/"),
    }


async def first_row(page: Any) -> dict[str, float]:
    await page.wait_for_function("() => window.__firstRow && window.__firstRow.frame", timeout=60_000)
    return dict(await page.evaluate("() => window.__firstRow"))


def print_waterfall(entries: list[dict[str, Any]], total: float) -> None:
    print(f"request waterfall of the median cold round (first rows at {total:.0f} ms):")
    for e in sorted(entries, key=lambda e: e["start"]):
        print(f"  {e['start']:7.0f} -> {e['end']:7.0f} ms  {e['name'][:110]}")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    if args.reuse:
        database_url, keep = args.reuse, True
    else:
        db_name = f"nocodedb_bench_page_{stamp.replace('-', '_')}_{secrets.token_hex(2)}"
        admin = await asyncpg.connect(with_database(args.database_url, "postgres"))
        await admin.execute(f'CREATE DATABASE "{db_name}"')
        await admin.close()
        database_url, keep = with_database(args.database_url, db_name), args.keep
    print(f"database: {database_url}", flush=True)
    server = Server(database_url, RESULTS / f"page-open-{stamp}-server.log")
    native = await asyncpg.connect(database_url)
    report: dict[str, Any] = {
        "date": stamp,
        "benchmark": "page_open",
        "rows": args.rows,
        "rounds": args.rounds,
        "view_sort": args.view_sort,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average_start": list(os.getloadavg()),
    }
    try:
        await server.wait_ready()
        async with httpx.AsyncClient(base_url=server.base, timeout=600) as client:
            api = Api(client)
            if args.reuse:
                await api.sign_in(await native.fetchval("SELECT email FROM users ORDER BY id LIMIT 1"))
                table_id = await native.fetchval("SELECT id FROM tables WHERE name = 'groups' ORDER BY id LIMIT 1")
            else:
                table_id, report["setup"] = await build(args, api, native)
            report["table_rows"] = await native.fetchval("SELECT count(*) FROM rows WHERE table_id = $1", table_id)
        print(f"opening table {table_id} ({report['table_rows']:,} rows), {args.rounds} rounds ...", flush=True)
        report.update(await measure(args, server.base, table_id, api.refresh_token))
        report["load_average_end"] = list(os.getloadavg())
    finally:
        server.stop()
        await native.close()
        if not keep:
            admin = await asyncpg.connect(with_database(database_url, "postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(database_url).path.lstrip("/")}" WITH (FORCE)')
            await admin.close()
        else:
            print(f"kept database {database_url}", flush=True)
    print_waterfall(report["median_round_waterfall"], report["median_round_ms"])
    m = report["cold_milestones_median_ms"]
    print(
        f"cold medians: page {m['html_ms']} ms, token {m['token_ms']} ms, last module {m['modules_ms']} ms, "
        f"first rows answer {m['rows_ms']} ms"
    )
    print(
        f"first rows visible, median of {args.rounds}: cold {report['cold_median_ms']:.0f} ms "
        f"(rounds {report['cold_ms']}), warm {report['warm_median_ms']:.0f} ms; target < {TARGET_MS} ms"
    )
    out = RESULTS / f"page-open-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {out}")
    return report


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default=DEFAULT_URL)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--warmup", type=int, default=1, help="untimed opens first (server caches, Python imports)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--view-sort", action="store_true", help="give the default view a sort and a filter first")
    p.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/lib/chromium/chromium"))
    p.add_argument("--keep", action="store_true", help="keep the database (for --reuse)")
    p.add_argument("--reuse", metavar="URL", help="measure again on a database kept by --keep (no load)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
