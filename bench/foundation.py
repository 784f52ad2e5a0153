"""Foundation benchmark: the W1 groups table through the real HTTP API, beside a native typed table.

    python -m bench.foundation [--rows 100000] [--database-url URL | --embedded] [--repeat 50] [--rounds 2]

Starts `nocodedb serve` as a subprocess on a fresh database, loads the rows through the batch API,
copies the same data into a native typed table `native_groups`, then times each operation over real
HTTP (httpx) and its hand-written SQL equivalent (asyncpg) in the same run, interleaved request by
request so that machine noise hits both sides alike. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import orjson
import psutil

from bench.data import REGIONS, Group, generate

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).resolve().parent / "results"
BATCH = 200
MEMORY_TARGET_MB = 300

# Operation -> (target kind, target value). "ms": the API median must be at most this many milliseconds;
# "rows/s": at least this many rows per second.
TARGETS: dict[str, tuple[str, float]] = {
    "list first page": ("ms", 10),
    "filter contains": ("ms", 30),
    "sort by number": ("ms", 10),
    "filter + sort": ("ms", 10),
    "search": ("ms", 30),
    "update one row": ("ms", 10),
    "create one row": ("ms", 10),
    "batch insert (200 rows)": ("rows/s", 10_000),
}


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# --- the server --------------------------------------------------------------------------------------


class Server:
    """`nocodedb serve` in a subprocess, with its memory sampled while it runs."""

    def __init__(self, database_url: str, log_path: Path, prototypes: list[str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        exe = shutil.which("nocodedb")
        command = (
            [exe] if exe else [sys.executable, "-c", "import sys; from nocodedb.cli import main; sys.exit(main())"]
        )
        if prototypes:
            # Measurement aid: the same server with prototype fixes from bench/prototypes.py monkeypatched in
            # (uvicorn runs the app in this process with one worker).
            code = (
                "import sys; from bench.prototypes import PATCHES; "
                f"[PATCHES[n]() for n in {list(prototypes)!r}]; "
                "from nocodedb.cli import main; sys.argv[0] = 'nocodedb'; sys.exit(main())"
            )
            command = [sys.executable, "-c", code]
        self.data_dir = tempfile.mkdtemp(prefix="nocodedb-bench-")
        root = Path(__file__).resolve().parent.parent
        # PYTHONPATH: an editable install made before fields/ had an __init__.py maps it as a namespace
        # package, and the console script does not put the working directory on sys.path.
        python_path = os.pathsep.join(p for p in [str(root), os.environ.get("PYTHONPATH", "")] if p)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NOCODEDB_DATA_DIR": self.data_dir,
            "PYTHONPATH": python_path,
        }
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [*command, "serve", "--port", str(self.port), "--log-level", "warning", "--data-dir", self.data_dir],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.peak_rss = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def rss(self) -> int:
        try:
            root = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_rss = max(self.peak_rss, self.rss())

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.base) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited; see {self.log_path}")
                try:
                    if (await client.get("/api/health")).status_code == 200:
                        self._sampler.start()
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {timeout}s; see {self.log_path}")

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


# --- the API client ----------------------------------------------------------------------------------


class Api:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        self.refresh_token = ""
        self.refreshed_at = 0.0

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        expect: int = 200,
    ) -> Any:
        headers = dict(self.headers)
        if body is not None:
            content = orjson.dumps(body)
        if content is not None:
            headers["content-type"] = "application/json"
        response = await self.client.request(method, path, headers=headers, content=content, params=params)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return orjson.loads(response.content) if response.content else None

    async def sign_in(self, email: str) -> None:
        self._tokens(
            await self.call("POST", "/api/user/token-auth/", body={"email": email, "password": "correct horse battery"})
        )

    async def sign_up(self) -> None:
        email = f"bench-{secrets.token_hex(4)}@example.org"
        body = await self.call(
            "POST", "/api/user/", body={"name": "Bench", "email": email, "password": "correct horse battery"}
        )
        self._tokens(body)

    def _tokens(self, body: dict[str, Any]) -> None:
        self.headers = {"Authorization": f"JWT {body['access_token']}"}
        self.refresh_token = body.get("refresh_token", self.refresh_token)
        self.refreshed_at = time.monotonic()

    async def keep_fresh(self) -> None:
        """Access tokens live 10 minutes: take a new one when this one is 4 minutes old (never mid-timing)."""
        if time.monotonic() - self.refreshed_at > 240:
            self._tokens(
                await self.call("POST", "/api/user/token-refresh/", body={"refresh_token": self.refresh_token})
            )


# --- the table ---------------------------------------------------------------------------------------

FIELD_SPECS: list[tuple[str, dict[str, Any]]] = [
    ("city", {"type": "text"}),
    (
        "region",
        {
            "type": "single_select",
            "select_options": [
                {"value": r, "color": c}
                for r, c in zip(
                    REGIONS,
                    ["blue", "green", "orange", "red", "yellow", "purple", "light-blue", "light-green", "dark-orange"]
                    * 2,
                    strict=False,
                )
            ],
        },
    ),
    ("members", {"type": "number", "number_decimal_places": 0}),
    ("active", {"type": "boolean"}),
    ("founded", {"type": "date", "date_format": "ISO"}),
    ("email", {"type": "email"}),
    ("notes", {"type": "long_text"}),
]


@dataclass
class Table:
    id: int
    fields: dict[str, dict[str, Any]]  # our name -> field JSON from the API
    fallbacks: list[str]

    def key(self, name: str) -> str:
        return f"field_{self.fields[name]['id']}"

    def option_id(self, region: str) -> int | str:
        f = self.fields["region"]
        if f["type"] != "single_select":
            return region
        return next(o["id"] for o in f["select_options"] if o["value"] == region)

    def api_row(self, g: Group) -> dict[str, Any]:
        values: dict[str, Any] = {
            "name": g.name,
            "city": g.city,
            "region": self.option_id(g.region),
            "members": g.members,
            "active": g.active,
            "founded": g.founded.isoformat(),
            "email": g.email,
            "notes": g.notes,
        }
        row = {}
        for name, value in values.items():
            if self.fields[name]["type"] == "text" and not isinstance(value, str):
                value = str(value).lower() if isinstance(value, bool) else str(value)
            row[self.key(name)] = value
        return row


async def create_table(api: Api, database_id: int, name: str) -> Table:
    table = await api.call(
        "POST",
        f"/api/database/tables/database/{database_id}/",
        body={"name": name, "data": [["name"]], "first_row_header": True},
    )
    fallbacks = []
    for field_name, spec in FIELD_SPECS:
        response = await api.client.post(
            f"/api/database/fields/table/{table['id']}/",
            headers=api.headers,
            content=orjson.dumps({"name": field_name, **spec}),
        )
        if response.status_code != 200:
            fallbacks.append(
                f"{field_name}: {spec['type']} refused ({response.status_code} "
                f"{response.text[:120]}); text used instead"
            )
            await api.call(
                "POST", f"/api/database/fields/table/{table['id']}/", body={"name": field_name, "type": "text"}
            )
    listed = await api.call("GET", f"/api/database/fields/table/{table['id']}/")
    return Table(table["id"], {f["name"]: f for f in listed}, fallbacks)


async def load(
    api: Api, table: Table, groups: list[Group], clients: int, analyze: tuple[str, float] | None = None
) -> dict[str, Any]:
    """All rows through POST .../batch/ (BATCH per request) with `clients` concurrent clients."""
    bodies = [
        orjson.dumps({"items": [table.api_row(g) for g in groups[i : i + BATCH]]}) for i in range(0, len(groups), BATCH)
    ]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            body = queue.get_nowait()
            started = time.perf_counter()
            await api.call("POST", f"/api/database/rows/table/{table.id}/batch/", content=body)
            latencies.append((time.perf_counter() - started) * 1000)

    async def analyzer() -> None:
        # Measurement aid (--analyze-every): what fresh planner statistics do to the load.
        conn = await asyncpg.connect(analyze[0])
        try:
            while True:
                await asyncio.sleep(analyze[1])
                await conn.execute(f"ANALYZE rows_{table.id}")
        finally:
            await conn.close()

    await api.keep_fresh()
    started = time.perf_counter()
    background = asyncio.create_task(analyzer()) if analyze else None
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - started
    if background:
        background.cancel()
    return {
        "clients": clients,
        "rows": len(groups),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(groups) / seconds),
        "request_median_ms": round(statistics.median(latencies), 1),
        "request_p95_ms": round(percentile(latencies, 0.95), 1),
    }


# --- the native table --------------------------------------------------------------------------------

NATIVE_DDL = """
CREATE TABLE native_groups (
    id bigserial PRIMARY KEY,
    name text, city text, region text, members integer, active boolean NOT NULL DEFAULT false,
    founded date, email text, notes text,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()
)
"""
COLUMNS = ["name", "city", "region", "members", "active", "founded", "email", "notes"]


async def create_native(conn: asyncpg.Connection, groups: list[Group]) -> float:
    await conn.execute("DROP TABLE IF EXISTS native_groups")
    await conn.execute(NATIVE_DDL)
    started = time.perf_counter()
    await conn.copy_records_to_table(
        "native_groups",
        columns=COLUMNS,
        records=[(g.name, g.city, g.region, g.members, g.active, g.founded, g.email, g.notes) for g in groups],
    )
    return time.perf_counter() - started


async def prepare_indexes(conn: asyncpg.Connection, table: Table) -> list[str]:
    """Build before timing what the index advisor (nocodedb/services/indexes.py) builds in the background
    on first use: the sort index on members, the value index on region, the trigram index on city."""
    from fields import Field, default_field_types
    from nocodedb.services import indexes

    types = default_field_types()

    def field(name: str) -> Field:
        f = table.fields[name]
        options = {
            k: v
            for k, v in f.items()
            if k not in {"id", "table_id", "name", "order", "type", "primary", "read_only", "description"}
        }
        return Field(id=f["id"], table_id=table.id, name=f["name"], type=f["type"], options=options)

    plans = [
        indexes.sort_index(table.id, field("members"), types.get("number")),
        indexes.filter_index(
            table.id, field("region"), types.get(table.fields["region"]["type"]), "single_select_equal"
        ),
        indexes.filter_index(table.id, field("city"), types.get("text"), "contains"),
    ]
    built = []
    for plan in plans:
        if plan is not None:
            await conn.execute(plan.statement)
            built.append(plan.statement)
    return built


# --- the operations ----------------------------------------------------------------------------------

Call = Callable[[int], Awaitable[Any]]


@dataclass
class Operation:
    name: str
    api: Call
    native: Call
    rows_per_call: int = 1
    repeat: int | None = None


@dataclass
class Result:
    name: str
    round: int
    api_ms: list[float] = field(default_factory=list)
    native_ms: list[float] = field(default_factory=list)

    def summary(self, rows_per_call: int) -> dict[str, Any]:
        api_median, native_median = statistics.median(self.api_ms), statistics.median(self.native_ms)
        kind, target = TARGETS.get(self.name, ("", 0))
        if kind == "ms":
            passed: bool | None = api_median <= target
            target_text = f"<= {target:g} ms"
        elif kind == "rows/s":
            passed = rows_per_call / api_median * 1000 >= target
            target_text = f">= {target:,.0f} rows/s"
        else:
            passed, target_text = None, ""
        out = {
            "operation": self.name,
            "round": self.round,
            "n": len(self.api_ms),
            "api_median_ms": round(api_median, 2),
            "api_p95_ms": round(percentile(self.api_ms, 0.95), 2),
            "native_median_ms": round(native_median, 3),
            "native_p95_ms": round(percentile(self.native_ms, 0.95), 3),
            "ratio": round(api_median / native_median, 1) if native_median else None,
            "target": target_text,
            "pass": passed,
        }
        if rows_per_call > 1:
            out["api_rows_per_s"] = round(rows_per_call / api_median * 1000)
            out["native_rows_per_s"] = round(rows_per_call / native_median * 1000)
        return out


def operations(
    api: Api,
    table: Table,
    native: asyncpg.Connection,
    row_ids: list[int],
    native_ids: list[int],
    extra: list[Group],
    rng: random.Random,
) -> list[Operation]:
    t = table.id
    path = f"/api/database/rows/table/{t}/"
    members, city, region = table.key("members"), table.fields["city"]["id"], table.fields["region"]
    region_filter = (
        {"field": region["id"], "type": "single_select_equal", "value": str(table.option_id("Bretagne"))}
        if region["type"] == "single_select"
        else {"field": region["id"], "type": "equal", "value": "Bretagne"}
    )
    contains = orjson.dumps(
        {"filter_type": "AND", "filters": [{"field": city, "type": "contains", "value": "saint"}]}
    ).decode()
    region_only = orjson.dumps({"filter_type": "AND", "filters": [region_filter]}).decode()
    select_cols = "id, name, city, region, members, active, founded, email, notes, created_at, updated_at"
    extra_iter = iter(extra)

    async def listing(sql: str, *args: Any) -> Any:
        # What the API does: one page, then count(*) under the same condition.
        where = sql.split("ORDER BY")[0]
        page = await native.fetch(f"SELECT {select_cols} FROM native_groups {sql} LIMIT 100", *args)
        count = await native.fetchval(f"SELECT count(*) FROM native_groups {where}", *args)
        return page, count

    search_cols = [
        "name",
        "city",
        "region",
        "members::text",
        "CASE WHEN active THEN 'true' ELSE 'false' END",
        "founded::text",
        "email",
        "notes",
    ]
    search_where = "WHERE " + " OR ".join(f"{c} ILIKE $1" for c in search_cols)

    def next_group() -> Group:
        return next(extra_iter)

    def api_batch_body() -> bytes:
        return orjson.dumps({"items": [table.api_row(next_group()) for _ in range(BATCH)]})

    async def native_batch(_: int) -> Any:
        groups = [next_group() for _ in range(BATCH)]
        columns = list(
            zip(
                *[(g.name, g.city, g.region, g.members, g.active, g.founded, g.email, g.notes) for g in groups],
                strict=True,
            )
        )
        return await native.fetch(
            f"INSERT INTO native_groups ({', '.join(COLUMNS)}) SELECT * FROM unnest("
            "$1::text[], $2::text[], $3::text[], $4::int[], $5::bool[], $6::date[], $7::text[], $8::text[]) "
            f"RETURNING {select_cols}",
            *[list(c) for c in columns],
        )

    async def api_batch(_: int) -> Any:
        return await api.call("POST", f"{path}batch/", content=api_batch_body())

    async def api_create(_: int) -> Any:
        return await api.call("POST", path, body=table.api_row(next_group()))

    async def native_create(_: int) -> Any:
        g = next_group()
        return await native.fetchrow(
            f"INSERT INTO native_groups ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
            f"RETURNING {select_cols}",
            g.name,
            g.city,
            g.region,
            g.members,
            g.active,
            g.founded,
            g.email,
            g.notes,
        )

    return [
        Operation(
            "HTTP floor (GET /api/health)",
            lambda i: api.call("GET", "/api/health"),
            lambda i: native.fetchval("SELECT 1"),
        ),
        Operation("list first page", lambda i: api.call("GET", path), lambda i: listing("ORDER BY id")),
        Operation(
            "filter contains",
            lambda i: api.call("GET", path, params={"filters": contains}),
            lambda i: listing("WHERE city ILIKE $1 ORDER BY id", "%saint%"),
        ),
        Operation(
            "sort by number",
            lambda i: api.call("GET", path, params={"order_by": members}),
            lambda i: listing("ORDER BY members ASC NULLS FIRST, id"),
        ),
        Operation(
            "filter + sort",
            lambda i: api.call("GET", path, params={"filters": region_only, "order_by": f"-{members}"}),
            lambda i: listing("WHERE region = $1 ORDER BY members DESC NULLS LAST, id", "Bretagne"),
        ),
        Operation(
            "search",
            lambda i: api.call("GET", path, params={"search": "lyon"}),
            lambda i: listing(f"{search_where} ORDER BY id", "%lyon%"),
        ),
        Operation(
            "update one row",
            lambda i: api.call("PATCH", f"{path}{rng.choice(row_ids)}/", body={members: rng.randint(1, 500)}),
            lambda i: native.fetchrow(
                f"UPDATE native_groups SET members = $2, updated_at = now() WHERE id = $1 RETURNING {select_cols}",
                rng.choice(native_ids),
                rng.randint(1, 500),
            ),
        ),
        Operation("create one row", api_create, native_create),
        Operation("batch insert (200 rows)", api_batch, native_batch, rows_per_call=BATCH),
    ]


async def time_operation(
    op: Operation, round_no: int, repeat: int, warmup: int, between: Callable[[], Awaitable[None]]
) -> Result:
    result = Result(op.name, round_no)
    n = op.repeat or repeat
    for i in range(warmup):
        await between()
        await op.api(i)
        await op.native(i)
    for i in range(n):
        await between()  # untimed: a slow operation can outlive the 10-minute access token
        # Interleaved, API first then native, so that a burst of noise hits both.
        started = time.perf_counter()
        await op.api(i)
        result.api_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await op.native(i)
        result.native_ms.append((time.perf_counter() - started) * 1000)
    return result


# --- reporting ---------------------------------------------------------------------------------------


def print_table(rows: list[dict[str, Any]]) -> str:
    header = "| operation | round | API median ms | API p95 ms | native median ms | ratio | target | result |"
    lines = [header, "|---|---|---:|---:|---:|---:|---|---|"]
    for r in rows:
        verdict = "" if r["pass"] is None else ("pass" if r["pass"] else "FAIL")
        extra = f" ({r['api_rows_per_s']:,} rows/s vs {r['native_rows_per_s']:,})" if "api_rows_per_s" in r else ""
        lines.append(
            f"| {r['operation']}{extra} | {r['round']} | {r['api_median_ms']:.1f} | {r['api_p95_ms']:.1f} | "
            f"{r['native_median_ms']:.2f} | {r['ratio']}x | {r['target']} | {verdict} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y-%m-%d-%H%M%S")
    server_url = args.database_url
    embedded_dir = None
    if args.embedded:
        from nocodedb.db.embedded import start_embedded

        embedded_dir = Path(tempfile.mkdtemp(prefix="nocodedb-bench-pg-"))
        server_url = start_embedded(embedded_dir)
    if args.reuse:
        # The timed part only, on a database kept by an earlier --keep run (its rows and native_groups).
        database_url, db_name = args.reuse, urlsplit(args.reuse).path.lstrip("/")
        server_url, args.keep = args.reuse, True
    else:
        db_name = f"nocodedb_bench_{stamp.replace('-', '_')}_{secrets.token_hex(2)}"
        admin = await asyncpg.connect(with_database(server_url, "postgres"))
        await admin.execute(f'CREATE DATABASE "{db_name}"')
        await admin.close()
        database_url = with_database(server_url, db_name)
    print(f"database: {database_url}", flush=True)

    groups = generate(args.rows, seed=args.seed)
    extra = generate(args.rows + 50_000, seed=args.seed)[args.rows :]  # rows for the create/insert timings
    server = Server(database_url, RESULTS / f"foundation-{stamp}-server.log", args.prototype)
    native = await asyncpg.connect(database_url)
    report: dict[str, Any] = {
        "date": stamp,
        "rows": args.rows,
        "repeat": args.repeat,
        "rounds": args.rounds,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "postgres": await native.fetchval("SELECT version()"),
        "embedded": bool(args.embedded),
        "prototypes": args.prototype or [],
        "analyze_every": args.analyze_every,
        "drop_search_index": args.drop_search_index,
        "autovacuum": await native.fetchval("SHOW autovacuum"),
    }
    try:
        await server.wait_ready()
        report["server_rss_mb_idle"] = round(server.rss() / 2**20, 1)
        if args.drop_search_index:
            # Measurement aid: what the whole-row trigram index (migration 0002) costs the writes.
            await native.execute("DROP INDEX IF EXISTS rows_search_trgm")
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
        async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=120) as client:
            api = Api(client)
            if args.reuse:
                await api.sign_in(await native.fetchval("SELECT email FROM users ORDER BY id LIMIT 1"))
                table_id = await native.fetchval("SELECT id FROM tables WHERE name = 'groups' ORDER BY id LIMIT 1")
                listed = await api.call("GET", f"/api/database/fields/table/{table_id}/")
                table = Table(table_id, {f["name"]: f for f in listed}, [])
                # Back to --rows rows on both sides: drop what the last run's create/insert timings added.
                await native.execute(
                    f"DELETE FROM rows WHERE table_id = {table_id} AND id > "
                    f"(SELECT id FROM rows WHERE table_id = {table_id} ORDER BY id OFFSET {args.rows - 1} LIMIT 1)"
                )
                await native.execute(f"DELETE FROM native_groups WHERE id > {args.rows}")
                report["reused"], report["load"] = True, []
                report["server_rss_mb_after_load"] = report["server_rss_mb_idle"]
                report["native_copy_seconds"] = None
            else:
                await api.sign_up()
                workspace = await api.call("POST", "/api/workspaces/", body={"name": "Réseau"})
                database = await api.call(
                    "POST",
                    f"/api/applications/workspace/{workspace['id']}/",
                    body={"name": "Alternatiba", "type": "database"},
                )
                table = await create_table(api, database["id"], "groups")
                report["fallbacks"] = table.fallbacks
                for note in table.fallbacks:
                    print(f"NOTE field type fallback: {note}", flush=True)

                report["load"] = []
                analyze = (database_url, args.analyze_every) if args.analyze_every else None
                print(f"loading {args.rows:,} rows with 1 client ...", flush=True)
                report["load"].append(await load(api, table, groups, 1, analyze))
                print(f"  {report['load'][-1]}", flush=True)
                for clients in args.load_clients:
                    if clients == 1:
                        continue
                    other = await create_table(api, database["id"], f"groups_load_{clients}")
                    print(
                        f"loading {args.rows:,} rows with {clients} clients (second table, dropped after) ...",
                        flush=True,
                    )
                    report["load"].append(await load(api, other, groups, clients, analyze))
                    print(f"  {report['load'][-1]}", flush=True)
                    await api.keep_fresh()
                    await api.call("DELETE", f"/api/database/tables/{other.id}/", expect=204)
                report["server_rss_mb_after_load"] = round(server.rss() / 2**20, 1)

                report["native_copy_seconds"] = round(await create_native(native, groups), 2)
            if args.prepare_indexes:
                try:
                    report["prepared_indexes"] = await prepare_indexes(native, table)
                except Exception as exc:  # the advisor module is young; say so rather than stop
                    report["prepared_indexes"] = f"failed: {exc!r}"
                print(f"prepared indexes: {report['prepared_indexes']}", flush=True)
            await native.execute(f"VACUUM ANALYZE rows_{table.id}")
            await native.execute("VACUUM ANALYZE native_groups")
            row_ids = [r["id"] for r in await native.fetch(f"SELECT id FROM rows WHERE table_id = {table.id}")]
            native_ids = [r["id"] for r in await native.fetch("SELECT id FROM native_groups")]
            check = await api.call("GET", f"/api/database/rows/table/{table.id}/", params={"size": 1})
            assert check["count"] == args.rows, check["count"]

            rng = random.Random(args.seed)
            ops = operations(api, table, native, row_ids, native_ids, extra, rng)
            report["results"] = []
            for round_no in range(1, args.rounds + 1):
                print(
                    f"timing, round {round_no} of {args.rounds} ({args.repeat} requests per operation) ...", flush=True
                )
                for op in ops:
                    if args.only and not any(o in op.name for o in args.only):
                        continue
                    await api.keep_fresh()
                    repeat = max(5, args.repeat // 3) if op.rows_per_call > 1 else args.repeat
                    res = await time_operation(op, round_no, repeat, args.warmup, api.keep_fresh)
                    summary = res.summary(op.rows_per_call)
                    summary["samples_ms"] = {
                        "api": [round(x, 2) for x in res.api_ms],
                        "native": [round(x, 3) for x in res.native_ms],
                    }
                    report["results"].append(summary)
                    print(
                        f"  {op.name:32s} API {summary['api_median_ms']:8.1f} ms   native "
                        f"{summary['native_median_ms']:7.2f} ms   x{summary['ratio']}",
                        flush=True,
                    )
        report["server_rss_mb_after_run"] = round(server.rss() / 2**20, 1)
        report["server_rss_mb_peak"] = round(server.peak_rss / 2**20, 1)
    finally:
        server.stop()
        await native.close()
        if not args.keep:
            admin = await asyncpg.connect(with_database(server_url, "postgres"))
            await admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            await admin.close()
        else:
            print(f"kept database {database_url}", flush=True)
        if embedded_dir and not args.keep:
            shutil.rmtree(embedded_dir, ignore_errors=True)

    out = RESULTS / f"foundation-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    rows = [{k: v for k, v in r.items() if k != "samples_ms"} for r in report["results"]]
    print()
    print(f"## Foundation benchmark, {args.rows:,} rows, {os.cpu_count()} CPUs, {stamp}")
    print()
    print(print_table(rows))
    print()
    for entry in report["load"]:
        verdict = "pass" if entry["rows_per_s"] >= TARGETS["batch insert (200 rows)"][1] else "FAIL"
        print(
            f"- load through the batch API, {entry['clients']} client(s): {entry['rows_per_s']:,} rows/s "
            f"({entry['seconds']} s, request median {entry['request_median_ms']} ms)"
            f" - target >= 10,000 rows/s: {verdict}"
        )
    print(f"- native COPY of the same rows: {report['native_copy_seconds']} s")
    peak = report["server_rss_mb_peak"]
    print(
        f"- server RSS: idle {report['server_rss_mb_idle']} MB, after load {report['server_rss_mb_after_load']} MB, "
        f"after run {report['server_rss_mb_after_run']} MB, peak {peak} MB - target < {MEMORY_TARGET_MB} MB: "
        f"{'pass' if peak < MEMORY_TARGET_MB else 'FAIL'}"
    )
    for note in report.get("fallbacks", []):
        print(f"- field type fallback: {note}")
    print(f"\nresults: {out}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.foundation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("NOCODEDB_BENCH_DATABASE_URL", DEFAULT_URL),
        help="a PostgreSQL server where we may create a database (default: %(default)s)",
    )
    parser.add_argument("--embedded", action="store_true", help="use an embedded PostgreSQL instead")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per operation and round")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="the timed part runs this many times")
    parser.add_argument("--load-clients", type=lambda s: [int(x) for x in s.split(",")], default=[1, 4])
    parser.add_argument("--only", nargs="*", help="time only operations whose name contains one of these")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", metavar="URL", help="time again on a database kept by --keep (no load)")
    parser.add_argument("--prototype", nargs="*", help="serve with prototype fixes from bench/prototypes.py")
    parser.add_argument(
        "--analyze-every",
        type=float,
        default=0,
        metavar="SECONDS",
        help="ANALYZE the partition every SECONDS during the load (measurement aid)",
    )
    parser.add_argument(
        "--drop-search-index",
        action="store_true",
        help="drop the whole-row trigram index rows_search_trgm before loading (measurement aid)",
    )
    parser.add_argument(
        "--prepare-indexes", action="store_true", help="build the indexes the index advisor would build, before timing"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN ANALYZE afterwards)")
    args = parser.parse_args(argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
