"""Import use cases: preview (nothing written), into a new table, into an existing table (mapping, upsert).

Rows go in batches of BATCH: straight through `insert_rows` with prepared values when the table has no
links or computed fields (the fast path of a fresh import), else through the row services, which resolve
links and recompute. Cells that cannot be imported are left empty and listed in the report.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, FieldValueError, Registry
from nocodedb import errors
from nocodedb.db.schema import fields as fields_table
from nocodedb.db.schema import rows as rows_table
from nocodedb.db.schema import tables as tables_table
from nocodedb.importing.cells import CellParser, reason
from nocodedb.importing.infer import Layout, layout, unique_names
from nocodedb.importing.reader import Source
from nocodedb.queries.rows import FieldSet
from nocodedb.services import fields as field_service
from nocodedb.services import rows as row_service
from nocodedb.services import tables as table_service
from nocodedb.services.actor import Actor, TableScope, database_scope, table_scope
from nocodedb.services.metadata import load_field, load_fields, row_source, to_field
from views.filters import FilterType

BATCH = 2000
# Rows converted between two turns given to the event loop while an insert is in flight (_insert_fast).
YIELD_ROWS = 250
MAX_PROBLEMS = 1000
# Rows from which an import into a new table gathers its statistics itself (about 0.1 s at 100,000 rows).
ANALYZE_ROWS = 10_000
MAX_ROWS = 1_000_000
PREVIEW_ROWS = 20
LINK_VALUES = 20_000
Progress = Callable[[int], Awaitable[None]]


class Report:
    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0

    def add(self, row: int, column: str, value: str, why: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"row": row, "column": column, "value": value[:200], "error": why})


def data_rows(source: Source, found: Layout) -> Iterator[tuple[int, list[str]]]:
    """(row number in the file, 1-based; cells) of every non-empty row after the header."""
    for number, record in enumerate(source.rows(), start=1):
        if number <= found.header_index + 1 or not any(record):
            continue
        yield number, record


def _count(source: Source, found: Layout) -> int:
    """Data rows, for progress and the row limit. A text file's line count bounds them: when it is within the
    limit, it serves as progress's estimate, and the file is not parsed one more time just to count."""
    if source.line_count is not None and source.line_count <= MAX_ROWS:
        return max(source.line_count - found.header_index - 1, 1)
    total = sum(1 for _ in data_rows(source, found))
    if total > MAX_ROWS:
        raise errors.ImportFileInvalid(f"At most {MAX_ROWS} rows can be imported at once.")
    return total


async def primary_values(conn: AsyncConnection, database_id: int, field_types: Registry[FieldType]) -> dict[int, Any]:
    """For link inference: each table's (name, set of primary texts, lower-cased)."""
    found = await conn.execute(
        select(fields_table, tables_table.c.name.label("table_name"))
        .join(tables_table, tables_table.c.id == fields_table.c.table_id)
        .where(tables_table.c.database_id == database_id, fields_table.c.primary.is_(True))
    )
    out: dict[int, Any] = {}
    for record in found.all():
        f = to_field(record)
        text = field_types.get(f.type).text_sql(f, row_source())
        values = await conn.execute(
            select(func.lower(text)).where(rows_table.c.table_id == f.table_id, text.is_not(None)).limit(LINK_VALUES)
        )
        out[f.table_id] = (record.table_name, {v for v in values.scalars() if v})
    return out


def _propose_links(found: Layout, tables: dict[int, Any]) -> None:
    for column in found.columns[1:]:
        if column.type not in ("text", "single_select"):
            continue
        values = {p.strip().lower() for r in found.sample for p in r[column.index].split(",") if p.strip()}
        for table_id, (table_name, known) in tables.items():
            if values and values <= known:
                column.type = "link_row"
                column.options = {"link_row_table_id": table_id, "link_row_table_name": table_name}
                break


async def preview(
    conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, source: Source, database_id: int | None
) -> dict[str, Any]:
    found = layout(source.rows())
    if database_id is not None:
        await database_scope(conn, actor, database_id, "builder")
        _propose_links(found, await primary_values(conn, database_id, field_types))
    return {
        "format": source.format,
        "encoding": source.encoding,
        "delimiter": source.delimiter,
        "sheets": source.sheets,
        "sheet": source.sheet,
        "header_row": found.header_index + 1,
        "columns": [c.json() for c in found.columns],
        "sample": found.sample[:PREVIEW_ROWS],
    }


def _column_specs(raw: Any, found: Layout) -> list[dict[str, Any]]:
    """The confirmed columns (index, name, type, options; include=false skips); defaults to the proposal."""
    if raw is None:
        return [c.json() for c in found.columns]
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        raise errors.RequestBodyInvalid({"columns": [{"error": "A non-empty list of columns.", "code": "invalid"}]})
    specs = [c for c in raw if c.get("include", True) is not False]
    if not specs:
        raise errors.RequestBodyInvalid({"columns": [{"error": "Keep at least one column.", "code": "invalid"}]})
    width = len(found.columns)
    for position, spec in enumerate(specs):
        index = spec.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < width:
            problem = {"error": f"index must be a column between 0 and {width - 1}.", "code": "invalid"}
            raise errors.RequestBodyInvalid({f"columns.{position}.index": [problem]})
    names = unique_names([str(c.get("name") or found.columns[c["index"]].name) for c in specs])
    return [{**spec, "name": name} for spec, name in zip(specs, names, strict=True)]


async def _insert(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    parsers: list[tuple[int, str, CellParser]],
    source: Source,
    found: Layout,
    report: Report,
    progress: Progress,
) -> int:
    """Insert every data row; return how many rows were created."""
    fieldset = FieldSet(await load_fields(conn, table_id))
    fast = not any(p.links for _, _, p in parsers) and not any(
        f.type in row_service.LINKED_OR_COMPUTED for f in fieldset.fields
    )
    scope = await table_scope(conn, actor, table_id, minimum="editor", operation="create")
    if fast:
        return await _insert_fast(conn, actor, scope, fieldset, field_types, parsers, source, found, report, progress)
    link_ids = await _link_maps(conn, field_types, parsers)
    total, done, created = max(_count(source, found), 1), 0, 0
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        nonlocal created, batch
        if not batch:
            return
        await row_service.create_rows(
            conn, field_types, actor, table_id, batch, user_field_names=False, filter_types=filter_types
        )
        created += len(batch)
        batch = []
        await progress(10 + 89 * done // total)

    for number, record in data_rows(source, found):
        values: dict[str, Any] = {}
        for index, column, parser in parsers:
            text = record[index] if index < len(record) else ""
            if not text:
                continue
            try:
                if parser.links:
                    values[f"field_{parser.field.id}"] = _link_ids(parser, text, link_ids, report, number, column)
                else:
                    parser.stored(text)
                    values[f"field_{parser.field.id}"] = parser.api_value(text)
            except (FieldValueError, ValueError) as exc:
                report.add(number, column, text, reason(exc))
        batch.append(values)
        done += 1
        if len(batch) >= BATCH:
            await flush()
    await flush()
    return created


async def _insert_fast(
    conn: AsyncConnection,
    actor: Actor,
    scope: TableScope,
    fieldset: FieldSet,
    field_types: Registry[FieldType],
    parsers: list[tuple[int, str, CellParser]],
    source: Source,
    found: Layout,
    report: Report,
    progress: Progress,
) -> int:
    """The fresh-table path: stored values straight to `insert_rows`.

    The file is converted while PostgreSQL writes the previous batch (one insert in flight on the connection,
    never two): converting is Python's work and inserting PostgreSQL's, and done one after the other they
    were each about half of a large import's time (bench/import_export.py)."""
    total, done, created = max(_count(source, found), 1), 0, 0
    # What each cell needs, looked up once per column, not per cell; cached texts skip the call entirely.
    columns = [(index, column, parser.field.key, *parser.converter()) for index, column, parser in parsers]
    missing = object()
    batch: list[dict[str, Any]] = []
    pending: asyncio.Task[list[int]] | None = None

    async def flush() -> None:
        nonlocal created, batch, pending
        if pending is not None:
            created += len(await pending)
            pending = None
        if batch:
            pending = asyncio.create_task(row_service.insert_rows(conn, actor, scope, fieldset, field_types, batch))
            batch = []
            # One turn of the loop: the task sends the statement, then PostgreSQL runs it while the next batch
            # is converted.
            await asyncio.sleep(0)
            await progress(10 + 89 * done // total)

    try:
        for number, record in data_rows(source, found):
            values = {}
            width = len(record)
            for index, column, key, stored, cache in columns:
                text = record[index] if index < width else ""
                if not text:
                    continue
                if cache is not None:
                    value = cache.get(text, missing)
                    if value is not missing:
                        values[key] = value
                        continue
                try:
                    values[key] = stored(text)
                except (FieldValueError, ValueError) as exc:
                    report.add(number, column, text, reason(exc))
            batch.append(values)
            done += 1
            if len(batch) >= BATCH:
                await flush()
            elif pending is not None and done % YIELD_ROWS == 0:
                # The loop reads the answer of the insert in flight only when it gets a turn: without one, a
                # finished insert would wait for the end of the batch being converted.
                await asyncio.sleep(0)
        await flush()  # the last batch goes
        await flush()  # and is waited for
    finally:
        if pending is not None:
            # An error above: the insert in flight owns the connection until it ends (the transaction is then
            # rolled back); its own error, if any, is the lesser one.
            with contextlib.suppress(Exception):
                await pending
    return created


async def _link_maps(
    conn: AsyncConnection, field_types: Registry[FieldType], parsers: list[tuple[int, str, CellParser]]
) -> dict[int, dict[str, int]]:
    """For each link column: the target table's primary text (lower-cased) -> row id."""
    out: dict[int, dict[str, int]] = {}
    for _, _, parser in parsers:
        if not parser.links:
            continue
        target = int(parser.field.options["link_row_table_id"])
        primary = next(f for f in await load_fields(conn, target) if f.primary)
        text = field_types.get(primary.type).text_sql(primary, row_source())
        found = await conn.execute(
            select(func.lower(text), rows_table.c.id)
            .where(rows_table.c.table_id == target)
            .order_by(rows_table.c.order.desc(), rows_table.c.id.desc())
        )
        out[parser.field.id] = dict(found.all())
    return out


def _link_ids(
    parser: CellParser, text: str, maps: dict[int, dict[str, int]], report: Report, number: int, column: str
) -> list[int]:
    ids = []
    for name in parser.api_value(text) or []:
        row_id = maps[parser.field.id].get(str(name).lower())
        if row_id is None:
            report.add(number, column, str(name), "No row of the linked table has this name.")
        elif row_id not in ids:
            ids.append(row_id)
    return ids


async def import_new_table(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    database_id: int,
    name: str,
    source: Source,
    raw_columns: Any,
    progress: Progress,
) -> dict[str, Any]:
    found = layout(source.rows())
    specs = _column_specs(raw_columns, found)
    table = await table_service.create_table(conn, field_types, actor, database_id, name, [[specs[0]["name"]]], True)
    primary = (await load_fields(conn, table["id"]))[0]
    parsers: list[tuple[int, str, CellParser]] = []
    for position, spec in enumerate(specs):
        options = {k: v for k, v in spec.items() if k not in ("index", "name", "include", "link_row_table_name")}
        options.setdefault("type", "text")
        if options["type"] == "link_row":
            options.setdefault("has_related_field", True)
        if position == 0:
            if options["type"] != "text":
                await field_service.update_field(conn, field_types, actor, primary.id, options, filter_types)
            f = (await load_fields(conn, table["id"]))[0]
        else:
            created = await field_service.create_field(
                conn, field_types, actor, table["id"], {"name": spec["name"], **options}, filter_types
            )
            loaded = await load_field(conn, created["id"])
            assert loaded is not None
            f = loaded
        parsers.append((spec["index"], spec["name"], CellParser(f, field_types, spec.get("number_style"))))
    await progress(10)
    report = Report()
    created_rows = await _insert(
        conn, field_types, filter_types, actor, table["id"], parsers, source, found, report, progress
    )
    if created_rows >= ANALYZE_ROWS:
        # A new partition has no statistics until autovacuum's first visit, which cannot come before this
        # transaction commits: meanwhile PostgreSQL plans the table as a few rows, and reading it in order
        # (the grid, an export) sorted every row on disk instead of following the order index.
        await conn.execute(sql_text(f"ANALYZE rows_{int(table['id'])}"))
    return {
        "table": table,
        "rows_created": created_rows,
        "problem_count": report.problem_count,
        "problems": report.problems,
    }
