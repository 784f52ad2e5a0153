"""The formula field: its text is stored with references by field id; its values are materialized.

Options: `formula` (the text as people see it, with current names), `formula_stored` (references by id,
see formula/references.py), `formula_type` and `array_element` (the result type), `error` (why the formula
cannot be computed now, e.g. a field it uses was deleted; its values are empty meanwhile), and display
options of the result type (number_decimal_places, date_include_time...).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

import formula
from fields.base import Field, FieldType, FieldValueError, RowSource

COMPARE_AS = {"number": "number", "boolean": "boolean", "date": "date", "datetime": "date", "array": "array"}


class FormulaOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    formula: str = ""
    formula_stored: str | None = None
    formula_type: str = "text"
    array_element: str | None = None
    error: str | None = None


def result_type(f: Field) -> formula.FormulaType:
    kind = str(f.options.get("formula_type") or "text")
    if kind == "array":
        return formula.array_of(formula.FormulaType(f.options.get("array_element") or "text"))  # type: ignore[arg-type]
    return formula.FormulaType(kind)  # type: ignore[arg-type]


class FormulaFieldType(FieldType):
    type = "formula"
    options_model = FormulaOptions
    read_only = True

    def field_formula_type(self, f: Field) -> str:
        return str(f.options.get("formula_type") or "text")

    def compare_as_of(self, f: Field) -> str:
        return COMPARE_AS.get(self.field_formula_type(f), "text")

    def api_options(self, f: Field) -> dict[str, Any]:
        shown = {k: v for k, v in f.options.items() if k not in ("formula_stored", "array_element")}
        if f.options.get("formula_type") == "array":
            shown["array_formula_type"] = f.options.get("array_element")
        return shown

    def prepare_value(self, f: Field, value: Any) -> Any:
        raise FieldValueError("This field is computed by its formula and cannot be written.", "read_only")

    def parse_text(self, f: Field, text: str) -> Any:
        return None

    def to_api(self, f: Field, stored: Any) -> Any:
        return stored

    def empty_api_value(self, f: Field) -> Any:
        return [] if f.options.get("formula_type") == "array" else None

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return formula.from_stored_json(row.data[f.key], result_type(f))

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        if f.options.get("formula_type") == "array":
            return func.ncdb_cell_text(row.data[f.key])
        # ->> of a scalar JSON value gives its text (strings unquoted), whatever its JSON type.
        return func.jsonb_build_array(row.data[f.key]).op("->>")(0)

    def sql_sort(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        if f.options.get("formula_type") in ("number", "boolean", "date", "datetime"):
            return self.sql_value(f, row)
        return self.text_sql(f, row)

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.cast(None, JSONB)
