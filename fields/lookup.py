"""Lookup, rollup and count: values computed through a link field, materialized in the row's data.

Their values are recomputed by nocodedb's computed-field engine (nocodedb/computed); these classes only
describe options, API values and SQL for reading. A lookup cell is stored as
[{"id": 5, "value": <the target field's stored value>, "text": "<its display text>"}]: `text` serves
search, sorting and text filters; the API shows id and value, converted by the target field's type.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Boolean, Numeric, cast, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, RowSource, array_values
from fields.registry import Registry

RollupFunction = Literal[
    "sum",
    "avg",
    "min",
    "max",
    "count",
    "count_nonempty",
    "count_unique",
    "concat",
    "and",
    "or",
    "earliest",
    "latest",
]
NUMBER_RESULTS = {"sum", "avg", "min", "max", "count", "count_nonempty", "count_unique"}
DATE_RESULTS = {"earliest", "latest"}
BOOLEAN_RESULTS = {"and", "or"}


class ThroughOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    through_field_id: int
    # A filter tree (Baserow's shape) on the linked rows: only those matching count.
    filters: dict[str, Any] | None = None


class LookupOptions(ThroughOptions):
    target_field_id: int
    # Kept by the service: the target field's type and options, to show values as that type does.
    target_type: str | None = None
    target_options: dict[str, Any] = {}


class RollupOptions(LookupOptions):
    rollup_function: RollupFunction = "sum"
    separator: str = ", "
    number_decimal_places: int = 2
    # Set by the service from the function and the target field: number, date, boolean or text.
    result_type: str | None = None


class _ComputedThroughLink(FieldType):
    read_only = True

    def prepare_value(self, f: Field, value: Any) -> Any:
        from fields.base import FieldValueError

        raise FieldValueError("This field is computed and cannot be written.", "read_only")

    def parse_text(self, f: Field, text: str) -> Any:
        return None

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.cast(None, JSONB)


class LookupFieldType(_ComputedThroughLink):
    type = "lookup"
    options_model = LookupOptions
    formula_type = "array"
    compare_as = "array"
    registry: Registry[FieldType] | None = None

    def bind_registry(self, registry: Registry[FieldType]) -> None:
        self.registry = registry

    def to_api(self, f: Field, stored: Any) -> Any:
        if not isinstance(stored, list):
            return []
        target_type_name = f.options.get("target_type")
        target = None
        if self.registry is not None and target_type_name in self.registry:
            target_type = self.registry.get(target_type_name)
            target = Field(0, 0, "", target_type_name, dict(f.options.get("target_options") or {}))
        out = []
        for element in stored:
            value = element.get("value")
            if target is not None and value is not None:
                value = target_type.to_api(target, value)
            out.append({"id": element.get("id"), "value": value})
        return out

    def empty_api_value(self, f: Field) -> Any:
        return []

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return array_values(row.data[f.key])

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.ncdb_cell_text(row.data[f.key])


def rollup_result_type(function: str, target_formula_type: str) -> str:
    if function in BOOLEAN_RESULTS:
        return "boolean"
    if function in DATE_RESULTS or (function in {"min", "max"} and target_formula_type in {"date", "datetime"}):
        return "date"
    if function == "concat":
        return "text"
    return "number"


class RollupFieldType(_ComputedThroughLink):
    type = "rollup"
    options_model = RollupOptions
    # Filters treat rollups as numbers, their usual result; date/boolean/text results compare as text.
    compare_as = "number"

    def result_type(self, f: Field) -> str:
        return str(f.options.get("result_type") or "number")

    def field_formula_type(self, f: Field) -> str:
        return self.result_type(f)

    def api_options(self, f: Field) -> dict[str, Any]:
        return {**f.options, "formula_type": self.result_type(f)}

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        kind = self.result_type(f)
        if kind == "number":
            return cast(row.data[f.key].astext, Numeric)
        if kind == "boolean":
            return cast(row.data[f.key].astext, Boolean)
        return row.data[f.key].astext


class CountFieldType(_ComputedThroughLink):
    type = "count"
    options_model = ThroughOptions
    formula_type = "number"
    compare_as = "number"

    def to_api(self, f: Field, stored: Any) -> Any:
        return str(stored)

    def empty_api_value(self, f: Field) -> Any:
        return "0"

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.coalesce(cast(row.data[f.key].astext, Numeric), 0)
