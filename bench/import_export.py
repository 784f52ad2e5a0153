"""Import/export benchmark: a CSV through the real import and export services, beside PostgreSQL's COPY.

    python -m bench.import_export [--sizes 10000,100000] [--database-url URL] [--keep]

For each size, a child process (so that its peak RSS is its own) makes a fresh database, imports the CSV
into a new table with nocodedb/importing (as the import job does: one transaction), exports it again as CSV
with nocodedb/exporting (keyset pages, the CSV writer), then COPYs the same file into a typed native table
and COPYs it out. It reports rows/s for each, the ratios, and the peak RSS after each phase. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from bench.data import REGIONS, generate
from bench.foundation import DEFAULT_URL, RESULTS, with_database

TARGETS = {"import": 20_000, "export": 50_000}  # rows/s, from the issue
HEADER = ["Nom", "Ville", "Budget", "Fondé le", "Actif", "Région", "Courriel", "Notes"]


def csv_bytes(count: int, seed: int) -> bytes:
    """About 8 columns of mixed types: text, decimals, ISO dates, booleans, a select (13 regions), emails."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for g in generate(count, seed=seed):
        budget = Decimal(g.members * 37) / 4  # two decimals, sometimes .00
        writer.writerow(
            [
                g.name,
                g.city,
                f"{budget:.2f}",
                g.founded.isoformat(),
                "true" if g.active else "false",
                g.region,
                g.email,
                g.notes,
            ]
        )
    return out.getvalue().encode("utf-8")


def peak_rss_mb() -> float:
    """This process's peak RSS since reset_peak: VmHWM, not getrusage's ru_maxrss, which also holds the
    parent's RSS when it forked this child (the parent that made a 300,000-row file read as a 305 MB peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def reset_peak() -> bool:
    """Start ru_maxrss again from the current RSS (Linux: clear_refs 5). Signing up hashes a password with
    argon2 (64 MiB), whose peak would otherwise hide the import's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


class _Sink:
    """Counts what an export writes without keeping it: the export's own memory is what is measured."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0
        # The digest shows that both export paths (--export-path) write the same file.
        self.digest = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        self.lines += chunk.count(b"\n")
        self.digest.update(chunk)


def confirmed_columns(found: Any) -> list[dict[str, Any]]:
    """The proposed columns, with Région as a single select: what someone confirms in the import dialog
    (the proposal makes text of a column with more than 12 distinct values; there are 13 regions)."""
    specs = [c.json() for c in found.columns]
    options = [{"value": r, "color": "blue"} for r in REGIONS]
    return [{**s, "type": "single_select", "select_options": options} if s["name"] == "Région" else s for s in specs]


async def child(rows: int, csv_path: str, server_url: str, keep: bool, export_path: str) -> dict[str, Any]:
    from sqlalchemy import select

    from fields import default_field_types
    from nocodedb.db.engine import make_engine
    from nocodedb.db.migrate import migrate
    from nocodedb.db.schema import fields
    from nocodedb.exporting.csv_sql import csv_export
    from nocodedb.exporting.formats import csv_chunks
    from nocodedb.exporting.service import pages, plan_export
    from nocodedb.importing.infer import layout
    from nocodedb.importing.reader import open_source
    from nocodedb.importing.service import import_new_table
    from nocodedb.services import users, workspaces
    from nocodedb.services.actor import Actor
    from views.filters import default_filter_types

    name = f"nocodedb_bench_ie_{dt.datetime.now():%Y%m%d_%H%M%S}_{secrets.token_hex(2)}"
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = with_database(server_url, name)
    engine = make_engine(url, pool_size=2)
    report: dict[str, Any] = {"rows": rows, "database": url if keep else name}
    try:
        await migrate(engine)
        field_types, filter_types = default_field_types(), default_filter_types()
        async with engine.begin() as conn:
            user = await users.sign_up(
                conn, "Bench", f"bench-{secrets.token_hex(3)}@example.org", "bench bench 1", "fr"
            )
            actor = Actor(user_id=user["id"])
            workspace = await workspaces.create_workspace(conn, actor, "Bench")
            database = await workspaces.create_database(conn, actor, workspace["id"], "Bench")
        data = Path(csv_path).read_bytes()
        report["csv_mb"] = round(len(data) / 1e6, 2)
        report["peak_reset"] = reset_peak()
        report["rss_mb_before"] = rss_mb()

        async def progress(_: int) -> None:
            return None

        started = time.perf_counter()
        async with engine.begin() as conn:  # one transaction, as the import job runs it
            source = open_source(data, filename="groupes.csv")
            confirmed = confirmed_columns(layout(source.rows()))
            result = await import_new_table(
                conn, field_types, filter_types, actor, database["id"], "Groupes", source, confirmed, progress
            )
        seconds = time.perf_counter() - started
        del source
        assert result["rows_created"] == rows and result["problem_count"] == 0, result["problems"][:3]
        table_id = result["table"]["id"]
        report["import"] = {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}
        report["rss_mb_peak_import"] = peak_rss_mb()
        reset_peak()
        async with engine.connect() as conn:
            found = await conn.execute(
                select(fields.c.name, fields.c.type).where(fields.c.table_id == table_id).order_by(fields.c.order)
            )
            report["field_types"] = dict(found.all())

        sink = _Sink()
        started = time.perf_counter()
        async with engine.connect() as conn:
            plan = await plan_export(conn, field_types, filter_types, actor, table_id, None)
        if export_path == "python":
            chunks = csv_chunks(plan.header, pages(engine, plan, field_types))
        else:
            chunks = csv_export(engine, plan, field_types)
        async for chunk in chunks:
            sink.write(chunk)
        seconds = time.perf_counter() - started
        assert sink.lines == rows + 1, sink.lines
        report["export"] = {
            "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds),
            "mb": round(sink.bytes / 1e6, 2),
            "path": export_path,
            "sha256": sink.digest.hexdigest(),
        }
        report["rss_mb_peak_export"] = peak_rss_mb()

        native = await asyncpg.connect(url)
        try:
            await native.execute(
                "CREATE TABLE native_groups (id bigserial PRIMARY KEY, nom text, ville text, budget numeric(12, 2), "
                "fonde_le date, actif boolean, region text, courriel text, notes text)"
            )
            columns = ["nom", "ville", "budget", "fonde_le", "actif", "region", "courriel", "notes"]
            started = time.perf_counter()
            await native.copy_to_table(
                "native_groups", source=io.BytesIO(data), columns=columns, format="csv", header=True
            )
            seconds = time.perf_counter() - started
            report["native_copy_in"] = {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}
            out = _Sink()

            async def write(chunk: bytes) -> None:
                out.write(chunk)

            started = time.perf_counter()
            await native.copy_from_query(
                "SELECT " + ", ".join(columns) + " FROM native_groups ORDER BY id",
                output=write,
                format="csv",
                header=True,
            )
            seconds = time.perf_counter() - started
            assert out.lines == rows + 1
            report["native_copy_out"] = {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}
            report["sizes_mb"] = {
                "rows_partition": round(
                    await native.fetchval(f"SELECT pg_total_relation_size('rows_{int(table_id)}')") / 1e6, 1
                ),
                "native_table": round(await native.fetchval("SELECT pg_total_relation_size('native_groups')") / 1e6, 1),
            }
        finally:
            await native.close()
        report["import_vs_copy"] = round(report["native_copy_in"]["rows_per_s"] / report["import"]["rows_per_s"], 1)
        report["export_vs_copy"] = round(report["native_copy_out"]["rows_per_s"] / report["export"]["rows_per_s"], 1)
    finally:
        await engine.dispose()
        if not keep:
            admin = await asyncpg.connect(with_database(server_url, "postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    return report


def run_child(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    # The file is made here, so that the child's peak RSS holds the import and export, not the generator.
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        tmp.write(csv_bytes(rows, args.seed))
        tmp.flush()
        command = [sys.executable, "-m", "bench.import_export", "--child", str(rows), "--csv", tmp.name]
        command += ["--database-url", args.database_url, "--export-path", args.export_path]
        command += ["--keep"] if args.keep else []
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {rows}-row run failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| rows | import rows/s | COPY in rows/s | ratio | export rows/s | COPY out rows/s | ratio | RSS MB at start / peak in import / peak in export |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['rows']:,} | {r['import']['rows_per_s']:,} | {r['native_copy_in']['rows_per_s']:,} | "
            f"{r['import_vs_copy']}x | {r['export']['rows_per_s']:,} | {r['native_copy_out']['rows_per_s']:,} | "
            f"{r['export_vs_copy']}x | {r['rss_mb_before']} / {r['rss_mb_peak_import']} / {r['rss_mb_peak_export']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts (default: %(default)s)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("NOCODEDB_BENCH_DATABASE_URL", DEFAULT_URL),
        help="a PostgreSQL server where we may create a database (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--export-path",
        choices=["sql", "python"],
        default="sql",
        help="sql: what the API does (PostgreSQL writes the CSV lines); python: the per-cell Python writer",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.csv, args.database_url, args.keep, args.export_path))))
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in [int(s) for s in args.sizes.split(",")]:
        print(f"{rows:,} rows...", flush=True)
        results.append(run_child(rows, args))
        r = results[-1]
        print(
            f"  import {r['import']['seconds']} s ({r['import']['rows_per_s']:,} rows/s), export {r['export']['seconds']} s "
            f"({r['export']['rows_per_s']:,} rows/s), COPY in {r['native_copy_in']['seconds']} s, "
            f"COPY out {r['native_copy_out']['seconds']} s; export path {r['export']['path']}, "
            f"sha256 {r['export']['sha256'][:16]}; field types {r['field_types']}",
            flush=True,
        )
    print()
    print(table(results))
    last = results[-1]
    for kind, target in TARGETS.items():
        value = last[kind]["rows_per_s"]
        print(
            f"- {kind} at {last['rows']:,} rows: {value:,} rows/s, target >= {target:,}: {'pass' if value >= target else 'FAIL'}"
        )
    if len(results) > 1:
        first = results[0]
        for phase in ("import", "export"):
            key = f"rss_mb_peak_{phase}"
            growth = (last[key] - last["rss_mb_before"]) - (first[key] - first["rss_mb_before"])
            print(
                f"- {phase}: the peak above the start grows by {growth:.1f} MB from {first['rows']:,} to {last['rows']:,} rows"
            )
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    out = RESULTS / f"import-export-{stamp}.json"
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    out.write_text(json.dumps({"date": stamp, "machine": machine, "results": results}, indent=1))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
