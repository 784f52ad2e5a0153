"""The sample row of docs/formulas.md, and evaluating a formula on rows of JSONB.

Rows are a VALUES list of jsonb (never the app's tables); the resolver reads each field from it with
formula.from_stored_json.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, column, select, values
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import Values

import formula
from formula import (
    BOOLEAN,
    DATE,
    DATETIME,
    FILE,
    NUMBER,
    SINGLE_SELECT,
    TEXT,
    FormulaType,
    ResolvedField,
    RowColumns,
    array_of,
)

# name -> (id, type, stored JSON value) of the sample row described in docs/formulas.md.
SAMPLE_FIELDS: dict[str, tuple[int, FormulaType]] = {
    "Name": (1, TEXT),
    "Price": (2, NUMBER),
    "Qty": (3, NUMBER),
    "Done": (4, BOOLEAN),
    "Due": (5, DATE),
    "Meeting": (6, DATETIME),
    "Status": (7, SINGLE_SELECT),
    "Empty": (8, TEXT),
    "Tags": (9, array_of(TEXT)),
    "Scores": (10, array_of(NUMBER)),
    "Flags": (11, array_of(BOOLEAN)),
    "Files": (12, array_of(FILE)),
    "Missing": (13, NUMBER),
}
SAMPLE_DATA: dict[str, Any] = {
    "1": "Ada Lovelace",
    "2": "3.5",
    "3": 4,
    "4": True,
    "5": "2024-03-15",
    "6": "2024-03-15T14:30:45Z",
    "7": "In progress",
    "8": None,
    "9": ["red", "green", "red", ""],
    "10": [1, "2.5", 4],
    "11": [True, False],
    "13": None,
    "12": [
        {
            "name": "a1b2.png",
            "visible_name": "photo.png",
            "size": 2048,
            "mime_type": "image/png",
            "is_image": True,
            "image_width": 640,
            "image_height": 480,
        }
    ],
}
SAMPLE_ID = 42
SAMPLE_CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SAMPLE_UPDATED = datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)


def rows_values(rows: list[Mapping[str, Any]]) -> Values:
    """A VALUES list (data jsonb, id, created_at, updated_at) with one entry per row."""
    v = values(
        column("data", JSONB),
        column("id", Integer),
        column("created_at", DateTime(timezone=True)),
        column("updated_at", DateTime(timezone=True)),
        name="r",
    ).data([(dict(r), i + SAMPLE_ID, SAMPLE_CREATED, SAMPLE_UPDATED) for i, r in enumerate(rows)])
    return v


def resolver_for(v: Values, fields: Mapping[str, tuple[int, FormulaType]] = SAMPLE_FIELDS) -> formula.Resolver:
    resolved = [
        ResolvedField(fid, name, t, formula.from_stored_json(v.c.data[str(fid)], t))
        for name, (fid, t) in fields.items()
    ]
    return formula.make_resolver(resolved)


def row_columns(v: Values) -> RowColumns:
    return RowColumns(id=v.c.id, created_at=v.c.created_at, updated_at=v.c.updated_at)


async def evaluate(conn: AsyncConnection, formula_text: str, data: Mapping[str, Any] = SAMPLE_DATA) -> Any:
    """The stored JSON value of a formula on one row."""
    v = rows_values([data])
    typed = formula.typecheck(formula.parse(formula_text), resolver_for(v))
    expr = formula.to_stored_json(formula.compile_formula(typed, row_columns(v)), typed.type)
    return (await conn.execute(select(expr).select_from(v))).scalar_one()
