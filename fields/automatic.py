"""Values the database assigns to each new row and the API cannot write: autonumber and UUID.

Both are stored in rows.data like any value, so sorting, filtering and indexes work as for numbers and
text. New rows get `new_row_value_sql`; when the field is created (or another field is converted to it)
the service fills every existing row from `fill_existing_sql` instead of converting text.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import BigInteger, Numeric, Select, Text, case, cast, func, literal, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource

UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
MAX_AUTONUMBER = 10**15


def sequence_name(f: Field) -> str:
    # Built from the integer id only, so it is safe to write into SQL text.
    return f"ncdb_autonumber_{int(f.id)}"


class _AutomaticFieldType(FieldType):
    read_only = True

    def value_sql(self, f: Field) -> ColumnElement[Any]:
        raise TypeError(f"{type(self).__name__} must define value_sql")

    def new_row_value_sql(self, f: Field) -> ColumnElement[Any] | None:
        return self.value_sql(f)

    def fill_existing_sql(self, f: Field, ordered_ids: Select[Any]) -> Select[Any] | None:
        # Evaluated row by row over the ordered subquery, so autonumbers follow the rows' order.
        ordered = ordered_ids.subquery("ordered")
        return select(ordered.c.id, self.value_sql(f).label("value")).select_from(ordered)


class AutonumberFieldType(_AutomaticFieldType):
    type = "autonumber"
    formula_type = "number"
    compare_as = "number"

    def value_sql(self, f: Field) -> ColumnElement[Any]:
        return func.to_jsonb(func.nextval(literal_column(f"'{sequence_name(f)}'")))

    def ddl_on_create(self, f: Field, table_id: int) -> list[str]:
        return [f"CREATE SEQUENCE IF NOT EXISTS {sequence_name(f)} AS bigint MINVALUE 1"]

    def ddl_on_delete(self, f: Field) -> list[str]:
        return [f"DROP SEQUENCE IF EXISTS {sequence_name(f)}"]

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,16}", value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_AUTONUMBER:
            raise FieldValueError("An autonumber is a whole number from 0.", "invalid")
        return value

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored if isinstance(stored, int) and not isinstance(stored, bool) else None

    def parse_text(self, f: Field, text: str) -> Any:
        return self.prepare_value(f, text)

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return cast(row.data[f.key].astext, Numeric)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return row.data[f.key].astext

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        cleaned = func.btrim(text)
        ok = cleaned.op("~")(literal(r"^[0-9]{1,15}$", Text))
        return case((ok, func.to_jsonb(cast(case((ok, cleaned)), BigInteger))))


class UuidFieldType(_AutomaticFieldType):
    type = "uuid"

    def value_sql(self, f: Field) -> ColumnElement[Any]:
        return func.to_jsonb(cast(func.gen_random_uuid(), Text))

    def prepare_value(self, f: Field, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, str) and re.match(UUID_PATTERN, value.strip()):
            return str(uuid.UUID(value.strip()))
        raise FieldValueError(f"{str(value)[:50]!r} is not a valid UUID.", "invalid")

    def parse_text(self, f: Field, text: str) -> Any:
        return text.strip() or None

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # Canonical lower-case 8-4-4-4-12 form, as uuid.UUID gives in Python; anything else is NULL.
        hexa = func.lower(func.replace(func.btrim(text), "-", ""))
        ok = func.btrim(text).op("~")(literal(UUID_PATTERN, Text))
        canonical = func.concat_ws(
            "-",
            func.substr(hexa, 1, 8),
            func.substr(hexa, 9, 4),
            func.substr(hexa, 13, 4),
            func.substr(hexa, 17, 4),
            func.substr(hexa, 21, 12),
        )
        return case((ok, func.to_jsonb(canonical)))
