"""Fields that show a row's own metadata columns (not rows.data): created on, last modified, created by,
last modified by. They are read only and store nothing, so their text conversion gives NULL: a service
converting to them has nothing to write, and converting from them reads the column.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Text, cast, column, func, null, select, table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource
from fields.dates import DateFieldType, format_utc, include_time, timestamp_text_sql, zone, zone_name

# A lightweight name: fields/ never imports nocodedb's tables.
users = table("users", column("id"), column("name"))


def no_value() -> ColumnElement[Any]:
    return cast(null(), JSONB)


class _RowTimestampFieldType(DateFieldType):
    read_only = True
    stored_in_data = False
    column_name: str

    def moment(self, row: RowSource) -> ColumnElement[Any]:
        return getattr(row, self.column_name)

    def select_api_sql(self, f: Field, row: RowSource) -> ColumnElement[Any] | None:
        return self.moment(row)

    def to_api(self, f: Field, stored: Any) -> Any:
        if isinstance(stored, datetime):
            if include_time(f):
                return format_utc(stored)
            return stored.astimezone(zone(f)).date().isoformat()
        if isinstance(stored, date):
            return stored.isoformat()
        return super().to_api(f, stored)

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        if include_time(f):
            return self.moment(row)
        return cast(func.timezone(zone_name(f), self.moment(row)), Date)

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return self.moment(row)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return timestamp_text_sql(f, self.moment(row))

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return no_value()


class CreatedOnFieldType(_RowTimestampFieldType):
    type = "created_on"
    column_name = "created_at"


class LastModifiedFieldType(_RowTimestampFieldType):
    type = "last_modified"
    column_name = "updated_at"


class _RowUserFieldType(FieldType):
    """Read as {id, name} of the user, null when unknown (deleted user, row written by a script)."""

    read_only = True
    stored_in_data = False
    column_name: str

    def user_id(self, row: RowSource) -> ColumnElement[Any]:
        return getattr(row, self.column_name)

    def select_api_sql(self, f: Field, row: RowSource) -> ColumnElement[Any] | None:
        user = func.jsonb_build_object("id", users.c.id, "name", users.c.name, type_=JSONB)
        return select(user).where(users.c.id == self.user_id(row)).scalar_subquery()

    def prepare_value(self, f: Field, value: Any) -> Any:
        # Never stored: this only checks the shape, for imports and tests.
        if value is None:
            return None
        if isinstance(value, dict):
            user_id, name = value.get("id"), value.get("name")
        else:
            user_id, name = value, None
        if isinstance(user_id, bool) or not isinstance(user_id, int) or not isinstance(name, (str, type(None))):
            raise FieldValueError("Expected a user as {id, name}.", "invalid")
        return {"id": user_id, "name": name}

    def to_api(self, f: Field, stored: Any) -> Any:
        if isinstance(stored, str):
            try:
                stored = json.loads(stored)
            except ValueError:
                return None
        if isinstance(stored, dict) and stored.get("id") is not None:
            return {"id": stored["id"], "name": stored.get("name")}
        return None

    def parse_text(self, f: Field, text: str) -> Any:
        # A name cannot be trusted to name one user: imports leave these fields to the database.
        return None

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return select(cast(users.c.name, Text)).where(users.c.id == self.user_id(row)).scalar_subquery()

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return self.sql_value(f, row)

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return no_value()


class CreatedByFieldType(_RowUserFieldType):
    type = "created_by"
    column_name = "created_by"


class LastModifiedByFieldType(_RowUserFieldType):
    type = "last_modified_by"
    column_name = "updated_by"
