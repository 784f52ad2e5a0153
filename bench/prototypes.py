"""Prototype fixes, applied as monkeypatches in process by bench/profile_ops.py (--patch NAME).

They measure a proposed change without editing the application's files; the lead applies the real change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, and_, any_, bindparam, func, or_, true
from sqlalchemy.dialects.postgresql import ARRAY


def fetch_by_array() -> None:
    """fetch_rows: `id = ANY(:ids)` (one bigint[] parameter) instead of an expanding IN of N parameters."""
    import nocodedb.api.rows as api_rows
    import nocodedb.queries.rows as q
    import nocodedb.services.rows as svc

    async def fetch_rows(
        conn: Any, table_id: int, database_id: int, row_ids: Sequence[int], fieldset: Any, field_types: Any
    ) -> list[Any]:
        ids = bindparam("ids", list(row_ids), ARRAY(BigInteger))
        stmt = q.with_api_columns(
            q.base_select(table_id, database_id).where(q.rows.c.id == any_(ids)), fieldset, field_types
        )
        by_id = {r.id: r for r in (await conn.execute(stmt)).all()}
        return [by_id[i] for i in row_ids if i in by_id]

    for module in (q, svc, api_rows):
        module.fetch_rows = fetch_rows  # type: ignore[attr-defined]


def search_prefilter() -> None:
    """search: AND the trigram-indexed `ncdb_unaccent(lower(data::text)) LIKE %needle%` (rows_search_trgm),
    and drop per-field branches that cannot match (select fields whose options do not contain the needle)."""
    import nocodedb.queries.rows as q
    from views.filters import fold_text, folded

    original = q.search_condition

    def search_condition(search: str, fieldset: Any, field_types: Any) -> Any:
        needle = fold_text(search.strip())
        if not needle or any(c in needle for c in '"\\') or any(ord(c) < 32 for c in needle):
            return original(search, fieldset, field_types)
        src = q.row_source()
        stored, derived = [], []
        for f in fieldset.fields:
            ft = field_types.get(f.type)
            cond = folded(ft.text_sql(f, src)).contains(needle, autoescape=True)
            if f.type in ("single_select", "multiple_select"):
                values = [fold_text(str(o["value"])) for o in f.options.get("select_options") or []]
                if any(needle in v for v in values):
                    derived.append(cond)
            elif f.type == "number":
                stored.append(cond)  # stored as the JSON string of the decimal: the same text
            elif f.type == "boolean":
                if needle in "true" or needle in "false":
                    derived.append(cond)
            elif f.type in ("date", "duration", "rating") or not ft.stored_in_data:
                if all(c.isdigit() or c in "-/.: ,tz" for c in needle):
                    derived.append(cond)  # shown text differs from the stored text: no prefilter
            else:
                stored.append(cond)
        parts = []
        if stored:
            parts.append(and_(folded_data(src).contains(needle, autoescape=True), or_(*stored)))
        parts += derived
        if needle.isdigit():
            parts.append(q.rows.c.id == int(needle))
        return or_(*parts) if parts else true()

    def folded_data(src: Any) -> Any:
        from sqlalchemy import Text, cast

        return func.ncdb_unaccent(func.lower(cast(src.data, Text)))

    q.search_condition = search_condition  # type: ignore[assignment]


def no_count_when_unfiltered() -> None:
    """list_rows: no count(*) (to measure what the count costs)."""
    import nocodedb.api.rows as api_rows
    import nocodedb.queries.rows as q

    original = q.list_rows

    async def list_rows(*args: Any, **kwargs: Any) -> Any:
        kwargs["with_count"] = False
        _, records = await original(*args, **kwargs)
        return 100_000, records

    api_rows.list_rows = list_rows  # type: ignore[assignment]


PATCHES = {"fetch_by_array": fetch_by_array, "search_prefilter": search_prefilter, "no_count": no_count_when_unfiltered}


def metadata_cache() -> None:
    """Per-process caches: decoded JWT claims by token, a table's fields by table id, select options by field.

    Prototype only: the real change must invalidate the fields cache (a per-table schema version bumped in
    the transaction that changes fields, checked in the scope query) and keep checking token expiry.
    """
    import fields.select as select_module
    import nocodedb.api.rows as api_rows
    import nocodedb.services.rows as svc
    import nocodedb.services.users as users

    claims_cache: dict[tuple[str, str], Any] = {}
    read = users.read_access_token

    def read_access_token(secret: str, token: str) -> Any:
        key = (secret, token)
        if key not in claims_cache:
            claims_cache[key] = read(secret, token)
        return claims_cache[key]

    users.read_access_token = read_access_token  # type: ignore[assignment]

    fields_cache: dict[int, list[Any]] = {}
    load = svc.load_fields

    async def load_fields(conn: Any, table_id: int) -> list[Any]:
        if table_id not in fields_cache:
            fields_cache[table_id] = await load(conn, table_id)
        return fields_cache[table_id]

    api_rows.load_fields = load_fields  # type: ignore[assignment]
    svc.load_fields = load_fields  # type: ignore[assignment]

    options_cache: dict[int, Any] = {}
    by_id = select_module.by_id

    def cached_by_id(f: Any) -> Any:
        key = id(f.options)
        hit = options_cache.get(key)
        if hit is None or hit[0] is not f.options:
            hit = options_cache[key] = (f.options, by_id(f))
        return hit[1]

    select_module.by_id = cached_by_id  # type: ignore[assignment]


PATCHES["metadata_cache"] = metadata_cache


def counter_count() -> None:
    """list_rows without filter or search: count from one indexed lookup instead of count(*) over the table.

    Stands in for a row counter kept in `tables` (updated in the transaction of each insert/delete): here
    pg_class.reltuples of the partition, which has the same cost (one small query) but is an estimate.
    """
    from sqlalchemy import text as sql_text

    import nocodedb.api.rows as api_rows

    original = api_rows.list_rows

    async def list_rows(
        conn: Any,
        table_id: int,
        database_id: int,
        fieldset: Any,
        field_types: Any,
        filter_types: Any,
        query: Any,
        **kwargs: Any,
    ) -> Any:
        if query.filters or query.search or getattr(query, "conditions", None):
            return await original(conn, table_id, database_id, fieldset, field_types, filter_types, query, **kwargs)
        kwargs["with_count"] = False
        _, records = await original(conn, table_id, database_id, fieldset, field_types, filter_types, query, **kwargs)
        count = (
            await conn.execute(
                sql_text(f"SELECT reltuples::bigint FROM pg_class WHERE relname = 'rows_{int(table_id)}'")
            )
        ).scalar_one()
        return max(int(count), len(records)), records

    api_rows.list_rows = list_rows  # type: ignore[assignment]


PATCHES["counter_count"] = counter_count


def no_jit() -> None:
    """Every app connection with `jit = off` (asyncpg server_settings).

    The recompute UPDATEs (correlated subquery per row, nocodedb/computed/engine.py) and the count(*) of
    filtered lists are estimated above jit_above_cost (100,000) on large partitions, so PostgreSQL compiles
    them with LLVM on every execution: 0.7-1 s per statement, measured with EXPLAIN ANALYZE ("JIT: Timing:
    ... Total 968 ms" of a 1.45 s UPDATE). The real change: `connect_args={"server_settings": {"jit": "off"}}`
    in nocodedb/db/engine.make_engine (or `SET LOCAL jit = off` around the recompute).
    """
    import nocodedb.db.engine as engine_module

    original = engine_module.create_async_engine

    def create_async_engine(*args: Any, **kwargs: Any) -> Any:
        connect_args = dict(kwargs.pop("connect_args", {}) or {})
        settings = dict(connect_args.get("server_settings", {}) or {})
        settings["jit"] = "off"
        connect_args["server_settings"] = settings
        return original(*args, connect_args=connect_args, **kwargs)

    engine_module.create_async_engine = create_async_engine  # type: ignore[assignment]


PATCHES["no_jit"] = no_jit
