"""The field type protocol: one small class per field type, registered in fields.registry.

A field type turns API values into the JSON stored in `rows.data` (and back), gives the SQL that reads,
sorts and compares its values, parses a text cell (CSV/XLSX import), and converts to and from text in SQL,
which is how a type change converts every stored value in one statement.

Stored forms (JSON in rows.data, keyed by field id as a string):
- text-like values: JSON strings; numbers: JSON strings of the decimal ("3.50"), so no float drift;
- booleans: true/false; dates: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (UTC);
- single select: the option id (a number); multiple select: a list of option ids.
An absent key or JSON null means empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, Text, cast, func, literal, literal_column, null
from sqlalchemy.sql.elements import ColumnElement


class FieldValueError(ValueError):
    """A value a field cannot take; the message is shown to the user as is."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")


@dataclass(frozen=True)
class Field:
    """A field as services and field types see it: metadata, options already validated."""

    id: int
    table_id: int
    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)
    order: int = 0
    primary: bool = False
    description: str | None = None

    @property
    def key(self) -> str:
        """The key of this field's value in rows.data."""
        return str(self.id)


@dataclass(frozen=True)
class RowSource:
    """The SQL columns of the row being read: given to field types so they never import our tables."""

    data: ColumnElement[Any]
    id: ColumnElement[Any]
    created_at: ColumnElement[Any]
    updated_at: ColumnElement[Any]
    created_by: ColumnElement[Any]
    updated_by: ColumnElement[Any]


class FieldType:
    type: ClassVar[str]
    options_model: ClassVar[type[BaseModel]] = NoOptions
    can_be_primary: ClassVar[bool] = True
    # Values the API may not write: automatic (created on, autonumber...) and computed fields.
    read_only: ClassVar[bool] = False
    # False when the value lives in a row column (created_at...) rather than in rows.data.
    stored_in_data: ClassVar[bool] = True
    # The formula type a reference to this field has: text, number, boolean, date, datetime, ...
    formula_type: ClassVar[str] = "text"
    # How the value compares in SQL: "text", "number", "boolean", "date", "select", "multiple", "array".
    compare_as: ClassVar[str] = "text"

    # --- options -----------------------------------------------------------------------------------
    def validate_options(self, raw: dict[str, Any], old: Field | None = None) -> dict[str, Any]:
        """Check the type options from the API; return the normalized options to store."""
        return self.options_model.model_validate(raw).model_dump(mode="json")

    def api_options(self, f: Field) -> dict[str, Any]:
        """The options as the API shows them next to the field."""
        return dict(f.options)

    # --- values ------------------------------------------------------------------------------------
    def prepare_value(self, f: Field, value: Any) -> Any:
        """API value -> stored JSON value (None when empty). Raises FieldValueError."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldValueError("Expected text.")
        return value

    def to_api(self, f: Field, stored: Any) -> Any:
        """Stored JSON value -> API value."""
        return stored

    def empty_api_value(self, f: Field) -> Any:
        return None

    def parse_text(self, f: Field, text: str) -> Any:
        """A text cell from a file or a paste -> API value. Raises FieldValueError."""
        return text if text != "" else None

    def default_value(self, f: Field) -> Any:
        """The stored value a new row gets when the request leaves this field out."""
        return None

    # --- SQL ---------------------------------------------------------------------------------------
    def raw(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        """The stored JSON value of this field in the row (jsonb)."""
        return row.data[f.key]

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        """The value as a typed SQL expression, for comparisons and formulas. NULL when empty."""
        return row.data[f.key].astext

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        """The expression to ORDER BY (NULLs are placed by the caller)."""
        return self.sql_value(f, row)

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        """The value as display text (TEXT, NULL when empty): search, type changes, exports."""
        return cast(self.sql_value(f, row), Text)

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        """Text -> stored JSON value (jsonb, NULL when it does not parse). Must never raise in SQL."""
        return func.to_jsonb(func.nullif(text, literal("")))

    def select_api_sql(self, f: Field, row: RowSource) -> ColumnElement[Any] | None:
        """For values outside rows.data: the SQL whose result is passed to to_api. None otherwise."""
        return None

    # --- automatic values (autonumber, uuid...) -----------------------------------------------------
    def new_row_value_sql(self, f: Field) -> ColumnElement[Any] | None:
        """The stored JSON value (jsonb) an inserted row gets, evaluated once per row. None: no value."""
        return None

    def fill_existing_sql(self, f: Field, ordered_ids: Select[Any]) -> Select[Any] | None:
        """When the field is created (or converted to): SELECT (id, value jsonb) for every existing row.

        `ordered_ids` selects one column `id`: the table's rows in (order, id) order. The service runs
        `UPDATE rows SET data = data || jsonb_build_object(key, s.value) FROM (<this>) s WHERE ...` in
        place of the text conversion. None: nothing to fill (the usual from_text_sql conversion applies).
        """
        return None

    def ddl_on_create(self, f: Field, table_id: int) -> list[str]:
        """Statements to run (in the transaction) when the field is created, before any fill."""
        return []

    def ddl_on_delete(self, f: Field) -> list[str]:
        """Statements to run when the field is deleted for good (not when trashed)."""
        return []


def empty_jsonb() -> ColumnElement[Any]:
    return null()


def empty_array() -> ColumnElement[Any]:
    """'[]'::jsonb. (A bound "[]" would be serialized as the JSON string "[]", not an array.)"""
    return func.jsonb_build_array()


def array_values(cell: ColumnElement[Any], member: str = "value") -> ColumnElement[Any]:
    """The `member` of each element of a [{"id", "value", "text"}] cell, as a jsonb array ([] when empty)."""
    if member not in ("value", "text"):
        raise ValueError(member)
    path = literal_column(f"'$[*].{member}'::jsonpath")
    return func.jsonb_path_query_array(func.coalesce(cell, empty_array()), path)


class _FieldBoundType:
    """A field type seen through one field: its compare_as is that field's (a formula's result type)."""

    def __init__(self, field_type: FieldType, compare_as: str) -> None:
        self._field_type = field_type
        self.compare_as = compare_as

    def __getattr__(self, name: str) -> Any:
        return getattr(self._field_type, name)


def for_field(field_type: FieldType, f: Field) -> FieldType:
    """The field type as this field compares. Types whose comparisons depend on the field (formulas)
    define compare_as_of(f); every other type is returned as it is."""
    per_field = getattr(field_type, "compare_as_of", None)
    if per_field is None:
        return field_type
    return _FieldBoundType(field_type, per_field(f))  # type: ignore[return-value]
