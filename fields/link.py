"""Link to another table. The `links` table is the truth; each row's data holds the materialized cell,
[{"id": 5, "value": "Grenoble"}], where value is the linked row's primary field as text.

A link field and its reverse field (in the other table) share one relation: links rows are stored under
the forward field's id; the reverse field reads them the other way round.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

from fields.base import Field, FieldType, FieldValueError, RowSource, array_values, empty_array

MAX_LINKS_PER_CELL = 5_000


class LinkOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    link_row_table_id: int
    has_related_field: bool = True
    link_row_multiple_relationships: bool = True
    # Set by the service: the field on the other side, and for that side, which field owns the relation.
    link_row_related_field_id: int | None = None
    relation_field_id: int | None = None
    is_reverse: bool = False


def relation_of(f: Field) -> tuple[int, bool]:
    """(the field id links are stored under, whether this field reads them reversed)."""
    if f.options.get("is_reverse"):
        return int(f.options["relation_field_id"]), True
    return f.id, False


class LinkRowFieldType(FieldType):
    type = "link_row"
    options_model = LinkOptions
    can_be_primary = False
    formula_type = "array"
    compare_as = "link"
    # Values are written to the links table by the row service, not stored as given.
    writes_links = True

    def validate_options(self, raw: dict[str, Any], old: Field | None = None) -> dict[str, Any]:
        options = super().validate_options(raw, old)
        if old is not None and old.type == self.type:
            # The relation cannot be re-pointed by an options patch: that is a new field.
            for key in ("link_row_table_id", "link_row_related_field_id", "relation_field_id", "is_reverse"):
                options[key] = old.options.get(key, options.get(key))
        return options

    def api_options(self, f: Field) -> dict[str, Any]:
        return {
            "link_row_table_id": f.options.get("link_row_table_id"),
            "link_row_table": f.options.get("link_row_table_id"),
            "link_row_related_field_id": f.options.get("link_row_related_field_id"),
            "link_row_related_field": f.options.get("link_row_related_field_id"),
            "link_row_multiple_relationships": f.options.get("link_row_multiple_relationships", True),
            "has_related_field": f.options.get("link_row_related_field_id") is not None,
        }

    def prepare_value(self, f: Field, value: Any) -> Any:
        """Shape only: a list of row ids or primary values. The row service resolves and checks them."""
        if value is None or value == "":
            return []
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            value = [value] if isinstance(value, int) else [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise FieldValueError("Expected a list of row ids.")
        if len(value) > MAX_LINKS_PER_CELL:
            raise FieldValueError(f"A cell links at most {MAX_LINKS_PER_CELL} rows.")
        cleaned: list[int | str] = []
        for item in value:
            if isinstance(item, dict) and "id" in item:
                item = item["id"]
            if isinstance(item, bool):
                raise FieldValueError("Expected a list of row ids.")
            if isinstance(item, int):
                if not 0 < item < 2**63:
                    raise FieldValueError(f"{item} is not a row id.")
                cleaned.append(item)
            elif isinstance(item, str) and item.strip() and len(item) <= 10_000:
                text = item.strip()
                cleaned.append(int(text) if text.isascii() and text.isdigit() and len(text) < 19 else text)
            else:
                raise FieldValueError("Expected a list of row ids or primary field values.")
        if not f.options.get("link_row_multiple_relationships", True) and len(cleaned) > 1:
            raise FieldValueError("This field links to one row only.")
        return cleaned

    def to_api(self, f: Field, stored: Any) -> Any:
        return [{"id": e["id"], "value": e.get("value")} for e in stored] if isinstance(stored, list) else []

    def empty_api_value(self, f: Field) -> Any:
        return []

    def parse_text(self, f: Field, text: str) -> Any:
        return [v.strip() for v in text.split(",") if v.strip()]

    def sql_value(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        # For formulas and array filters: the linked rows' primary values as a jsonb array.
        return array_values(row.data[f.key])

    def text_sql(self, f: Field, row: RowSource) -> ColumnElement[Any]:
        return func.ncdb_cell_text(row.data[f.key])

    def from_text_sql(self, f: Field, text: ColumnElement[Any]) -> ColumnElement[Any]:
        # Links are made from ids in the links table; a type change to a link starts empty.
        return empty_array()
