"""SQLAlchemy statements -> plain SQL text with every value inline, for CREATE VIEW (a view has no parameters).

Field types build their SQL with bound values (select option maps as JSONB, time zone names...). SQLAlchemy
cannot render a JSONB literal by itself, so this compiler renders each kind of value we produce, quoted with
names.quote_literal, and refuses anything else rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.base import PGCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import JSON, TypeEngine

from nocodedb.readable.names import quote_literal


class _InlineCompiler(PGCompiler):
    def render_literal_value(self, value: Any, type_: TypeEngine[Any]) -> str:
        return inline_value(value, type_)


def inline_value(value: Any, type_: TypeEngine[Any] | None = None) -> str:
    if value is None:
        return "NULL"
    if isinstance(type_, JSON):
        return quote_literal(json.dumps(value, ensure_ascii=False)) + "::jsonb"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        if not (Decimal(value).is_finite()):
            raise ValueError("a non-finite number in view SQL")
        return f"{Decimal(value)}::numeric"
    if isinstance(value, str):
        return quote_literal(value)
    if isinstance(value, dt.datetime):
        return quote_literal(value.isoformat()) + "::timestamptz"
    if isinstance(value, dt.date):
        return quote_literal(value.isoformat()) + "::date"
    raise ValueError(f"cannot write a {type(value).__name__} into view SQL")


def inline_sql(statement: ClauseElement) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    compiled = _InlineCompiler(dialect, statement, compile_kwargs={"literal_binds": True})
    return str(compiled)
