"""CSV export written by PostgreSQL: each row's whole CSV line (cells, neutralization, quoting, CRLF) is one
text computed in SQL; Python only joins the lines of each page and encodes them.

Python's per-cell work (JSONB decoding, to_api, cell_text, the csv module) was the cost of an export. The
output is byte for byte what formats.csv_chunks writes (tests/importing/test_export_sql_text.py).
COPY ... (FORMAT csv) was not used: it ends lines with LF where our files (and the csv module) use CRLF, and
a line end cannot be told from a newline inside a cell afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Text, and_, case, func, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from fields import Field, FieldType, Registry
from fields.select_options import value_map
from nocodedb.db.schema import rows
from nocodedb.exporting.cell_sql import Sql, cell_text_sql, single_select_sql
from nocodedb.exporting.formats import csv_cell, csv_chunks, csv_header, safe_text
from nocodedb.exporting.service import PAGE, ExportPlan, pages
from nocodedb.services.view_export import DANGEROUS_STARTS

# formats.safe_text: a dangerous first character (= + - @ tab CR, by code point: ascii() of the first
# character is a tenth of a regular expression's cost), unless the whole cell is a plain number. Python's `$`
# also matches before a final newline, hence the optional \n.
DANGEROUS_CODES = [ord(c) for c in DANGEROUS_STARTS]
PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?\n?$"
# The csv module (QUOTE_MINIMAL, CRLF) quotes a cell holding the delimiter, a quote, CR or LF. Four strpos
# cost a tenth of the equivalent regular expression ('[",\r\n]': 0.8 s per 800,000 cells on the bench).
NEEDS_QUOTES = (",", '"', "\n", "\r")
# Columns whose text is one of a few known values, none dangerous or needing quotes: written as they are.
PLAIN_TYPES = {"boolean"}


def _cell(text: Sql, alone: bool) -> Sql:
    """safe_text, then the csv module's quoting, of a cell's text. The apostrophe that neutralizes a cell is
    neither a quote nor a delimiter: it is written inside the quotes, and does not change whether they are
    needed. Both steps in one CASE read the text in place, where a step each made PostgreSQL put a Memoize
    (never hit: one row, one key) between them."""
    dangerous = and_(func.ascii(text).in_(DANGEROUS_CODES), text.op("!~")(literal(PLAIN_NUMBER, Text)))
    escaped = func.replace(text, '"', '""')
    return case(
        (
            or_(*[func.strpos(text, literal(c, Text)) > 0 for c in NEEDS_QUOTES]),
            case((dangerous, "\"'" + escaped + '"'), else_='"' + escaped + '"'),
        ),
        (dangerous, "'" + text),
        # A row of one empty cell is written "" (an empty line would read as no row).
        *([(text == "", literal('""', Text))] if alone else []),
        else_=text,
    )


def _select_cell(f: Field, alone: bool) -> Sql:
    """A single select's cell: its option's text is known before the query, so is its CSV cell."""
    empty = '""' if alone else ""
    cells = {key: csv_cell(safe_text(value)) or empty for key, value in value_map(f).items()}
    return single_select_sql(f, cells, empty)


def csv_line_sql(plan: ExportPlan, field_types: Registry[FieldType]) -> tuple[Sql, list[Any]] | None:
    """One row's CSV line and the LATERAL subquery it reads; None when a column's text is only known in
    Python (see cell_sql).

    The cells' texts are a LATERAL subquery (OFFSET 0 keeps PostgreSQL from inlining it) so that each is
    written once in the statement and computed once per row: inlined, the neutralization and quoting repeat
    it 9 times, a lookup's text nests scalar subqueries, and the statement grew to megabytes (one such
    statement took a PostgreSQL backend to 23 GB before the OOM killer stopped it)."""
    alone = len(plan.columns) == 1
    finished: dict[int, Sql] = {}
    texts: dict[int, Sql] = {}
    for i, f in enumerate(plan.columns):
        if f.type == "single_select" and f.type in field_types:
            finished[i] = _select_cell(f, alone)
            continue
        text = cell_text_sql(f, field_types)
        if text is None:
            return None
        texts[i] = text
    if not finished and not texts:
        return None
    laterals: list[Any] = []
    if texts:
        cells = select(*[t.label(f"c{i}") for i, t in texts.items()]).correlate(rows).offset(0).lateral("cells")
        laterals.append(cells)
        for i, column in zip(texts, cells.c, strict=True):
            finished[i] = column if plan.columns[i].type in PLAIN_TYPES else _cell(column, alone)
    line: Sql | None = None
    for i in range(len(plan.columns)):
        line = finished[i] if line is None else line + "," + finished[i]
    return line + "\r\n", laterals  # type: ignore[operator]


async def csv_sql_chunks(
    engine: AsyncEngine, plan: ExportPlan, line: tuple[Sql, list[Any]], page_rows: int = PAGE
) -> AsyncIterator[bytes]:
    """The header, then one chunk per `page_rows` rows, in the plan's order, from one snapshot."""
    yield csv_header(plan.header)
    stmt = export_statement(plan, line)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            result = await conn.stream(stmt.execution_options(yield_per=page_rows))
            async for partition in result.partitions(page_rows):
                yield "".join([r[0] for r in partition]).encode()


def export_statement(plan: ExportPlan, line: tuple[Sql, list[Any]]) -> Any:
    """SELECT the lines of the plan's rows, in its order."""
    text, laterals = line
    joined: Any = rows
    for lateral in laterals:
        joined = joined.join(lateral, true())
    stmt = (
        select(text)
        .select_from(joined)
        .where(rows.c.table_id == plan.table_id, rows.c.database_id == plan.database_id)
        .where(and_(true(), *plan.conditions))
        .order_by(*plan.order, rows.c.order, rows.c.id)
    )
    return stmt


def csv_export(engine: AsyncEngine, plan: ExportPlan, field_types: Registry[FieldType]) -> AsyncIterator[bytes]:
    """The CSV file: written by PostgreSQL when every column's text is known in SQL, else by Python."""
    line = csv_line_sql(plan, field_types)
    if line is None:
        return csv_chunks(plan.header, pages(engine, plan, field_types))
    return csv_sql_chunks(engine, plan, line)
