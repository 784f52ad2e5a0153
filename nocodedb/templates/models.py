"""The template document as pydantic models: the one source of truth, and of its JSON Schema.

Everything refers to tables and fields by NAME (ids are remapped on install); rows carry a local `id`
that link cells refer to. Unknown keys are refused (so a `webhooks` key or a field type we do not know
is named in the error rather than silently dropped). Views are never installed as shared.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT = "nocodedb-template"
VERSION = 1
MAX_TABLES = 100
MAX_FIELDS = 300
MAX_VIEWS = 50
MAX_ROWS_PER_TABLE = 20_000
MAX_ROWS = 100_000
Name = Field(min_length=1, max_length=255)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TemplateField(_Strict):
    name: str = Name
    type: str = Field(min_length=1, max_length=50)
    primary: bool = False
    description: str | None = Field(default=None, max_length=10_000)
    # Type options without ids: number_decimal_places, select_options, date_format, rollup_function...
    options: dict[str, Any] = Field(default_factory=dict)
    # link_row: the other table, and the name of the field on its side (None: no reverse field).
    link_table: str | None = Field(default=None, max_length=255)
    related_name: str | None = Field(default=None, max_length=255)
    # The reverse side of a link described in the other table: made with it, not on its own.
    reverse: bool = False
    # lookup, rollup, count: the link field of this table, and the field looked up in the linked table.
    through: str | None = Field(default=None, max_length=255)
    target: str | None = Field(default=None, max_length=255)
    # formula: the text as people write it, with field names.
    formula: str | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def needs(self) -> TemplateField:
        required = {
            "link_row": ("link_table",),
            "lookup": ("through", "target"),
            "rollup": ("through", "target"),
            "count": ("through",),
            "formula": ("formula",),
        }.get(self.type, ())
        missing = [k for k in required if getattr(self, k) in (None, "")]
        if missing:
            raise ValueError(f"a {self.type} field needs {', '.join(missing)}")
        return self


class TemplateFilter(_Strict):
    field: str = Name
    type: str = Field(min_length=1, max_length=100)
    value: str = Field(default="", max_length=10_000)
    group: int | None = None


class TemplateFilterGroup(_Strict):
    id: int
    filter_type: Literal["AND", "OR"] = "AND"
    parent_group: int | None = None


class TemplateSort(_Strict):
    field: str = Name
    order: Literal["ASC", "DESC"] = "ASC"


class TemplateView(_Strict):
    name: str = Name
    type: Literal["grid", "gallery", "form", "kanban", "calendar"]
    filter_type: Literal["AND", "OR"] = "AND"
    filters_disabled: bool = False
    filters: list[TemplateFilter] = Field(default_factory=list, max_length=100)
    filter_groups: list[TemplateFilterGroup] = Field(default_factory=list, max_length=50)
    sorts: list[TemplateSort] = Field(default_factory=list, max_length=20)
    group_bys: list[TemplateSort] = Field(default_factory=list, max_length=10)
    # Per field name: hidden, order, width (grid); enabled, required, name, description (form)...
    field_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # The view type's options; field references (date_field, single_select_field...) by field name.
    options: dict[str, Any] = Field(default_factory=dict)
    # Accepted for documentation, never installed: a template never makes a public link.
    public: bool = False


class TemplateTable(_Strict):
    name: str = Name
    fields: list[TemplateField] = Field(min_length=1, max_length=MAX_FIELDS)
    views: list[TemplateView] = Field(default_factory=list, max_length=MAX_VIEWS)
    # Each row: {"id": local id, field name: API value}; link cells are lists of local ids.
    rows: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_ROWS_PER_TABLE)

    @model_validator(mode="after")
    def one_primary(self) -> TemplateTable:
        primaries = [f.name for f in self.fields if f.primary]
        if len(primaries) != 1:
            raise ValueError(f"table {self.name!r} needs exactly one primary field, has {len(primaries)}")
        names = [f.name.lower() for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name!r} has two fields with the same name")
        return self


class Template(_Strict):
    format: Literal["nocodedb-template"] = FORMAT
    version: Literal[1] = VERSION
    name: str = Name
    description: str = Field(default="", max_length=10_000)
    language: str = Field(default="en", max_length=10)
    tables: list[TemplateTable] = Field(min_length=1, max_length=MAX_TABLES)

    @model_validator(mode="after")
    def bounded(self) -> Template:
        names = [t.name.lower() for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError("two tables have the same name")
        if sum(len(t.rows) for t in self.tables) > MAX_ROWS:
            raise ValueError(f"a template holds at most {MAX_ROWS} rows")
        return self


def json_schema() -> dict[str, Any]:
    return Template.model_json_schema()
