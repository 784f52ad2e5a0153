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

from fields import FieldType, Registry
from nocodedb.db.schema import rows
from nocodedb.exporting.cell_sql import Sql, cell_text_sql
from nocodedb.exporting.formats import csv_chunks, csv_header
from nocodedb.exporting.service import PAGE, ExportPlan, pages

# formats.safe_text: a dangerous first character, unless the whole cell is a plain number. Python's `$`
# also matches before a final newline, hence the optional \n.
DANGEROUS = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^-?[0-9]+(\.[0-9]+)?\n?$"
# The csv module (QUOTE_MINIMAL, CRLF) quotes a cell holding the delimiter, a quote, CR or LF. Four strpos
# cost a tenth of the equivalent regular expression ('[",\r\n]': 0.8 s per 800,000 cells on the bench).
NEEDS_QUOTES = (",", '"', "\n", "\r")


def _neutral(text: Sql) -> Sql:
    dangerous = and_(text.op("~")(literal(DANGEROUS, Text)), text.op("!~")(literal(PLAIN_NUMBER, Text)))
    return case((dangerous, "'" + text), else_=text)


def _quoted(text: Sql, alone: bool) -> Sql:
    return case(
        (
            or_(*[func.strpos(text, literal(c, Text)) > 0 for c in NEEDS_QUOTES]),
            '"' + func.replace(text, '"', '""') + '"',
        ),
        # A row of one empty cell is written "" (an empty line would read as no row).
        *([(text == "", literal('""', Text))] if alone else []),
        else_=text,
    )


def csv_line_sql(plan: ExportPlan, field_types: Registry[FieldType]) -> tuple[Sql, list[Any]] | None:
    """One row's CSV line and the LATERAL subqueries it reads; None when a column's text is only known in
    Python (see cell_sql).

    Each step is its own LATERAL subquery (OFFSET 0 keeps PostgreSQL from inlining it) so that a cell's
    text is written once in the statement and computed once per row: inlined, the neutralization and
    quoting repeat it 9 times, a lookup's text nests scalar subqueries, and the statement grew to megabytes
    (one such statement took a PostgreSQL backend to 23 GB before the OOM killer stopped it)."""
    texts = [cell_text_sql(f, field_types) for f in plan.columns]
    if not texts or any(t is None for t in texts):
        return None
    cells = select(*[t.label(f"c{i}") for i, t in enumerate(texts)]).correlate(rows).offset(0).lateral("cells")  # type: ignore[union-attr]
    safe = (
        select(*[_neutral(c).label(f"s{i}") for i, c in enumerate(cells.c)]).correlate(cells).offset(0).lateral("safe")
    )
    line: Sql | None = None
    for column in safe.c:
        cell = _quoted(column, len(texts) == 1)
        line = cell if line is None else line + "," + cell
    return line + "\r\n", [cells, safe]  # type: ignore[operator]


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
