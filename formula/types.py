"""Formula types, and the two values a caller passes in: resolved fields and the row's own columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.sql.elements import ColumnElement

Kind = Literal["text", "number", "boolean", "date", "datetime", "single_select", "file", "array", "blank", "error"]


@dataclass(frozen=True)
class FormulaType:
    """A formula type. ``element`` is set for arrays only.

    ``blank`` is the type of BLANK() and fits anywhere; ``error`` is the type of ERROR(). ``file`` is one
    attachment (a JSON object with name, visible_name, size, mime_type, is_image, image_width,
    image_height), as found in a file field's array.
    """

    kind: Kind
    element: FormulaType | None = None

    def __str__(self) -> str:
        if self.kind == "array":
            return f"array of {self.element}"
        return self.kind.replace("_", " ")

    @property
    def is_array(self) -> bool:
        return self.kind == "array"


TEXT = FormulaType("text")
NUMBER = FormulaType("number")
BOOLEAN = FormulaType("boolean")
DATE = FormulaType("date")
DATETIME = FormulaType("datetime")
SINGLE_SELECT = FormulaType("single_select")
FILE = FormulaType("file")
BLANK = FormulaType("blank")
ERROR = FormulaType("error")
SCALARS = (TEXT, NUMBER, BOOLEAN, DATE, DATETIME, SINGLE_SELECT)


def array_of(element: FormulaType) -> FormulaType:
    return FormulaType("array", element)


def is_textlike(t: FormulaType) -> bool:
    return t.kind in ("text", "single_select")


def is_datelike(t: FormulaType) -> bool:
    return t.kind in ("date", "datetime")


def join(a: FormulaType, b: FormulaType) -> FormulaType | None:
    """The type both branches of an IF can take, or None when there is none (array vs scalar)."""
    if a == b:
        return a
    if a.kind in ("blank", "error"):
        return b
    if b.kind in ("blank", "error"):
        return a
    if is_datelike(a) and is_datelike(b):
        return DATETIME
    if a.is_array or b.is_array or FILE in (a, b):
        if a.is_array and b.is_array:
            inner = join(a.element or TEXT, b.element or TEXT)
            return array_of(inner) if inner else None
        return None
    # Mixed scalars read as text, as Airtable shows them.
    return TEXT


@dataclass(frozen=True)
class ResolvedField:
    """What a resolver answers for a reference: the field and its typed SQL value.

    ``sql`` must be typed as the formula type says: TEXT for text and single_select (the option's
    text), NUMERIC for number, BOOLEAN, DATE, TIMESTAMPTZ for datetime, JSONB for arrays and files.
    SQL NULL means empty.
    """

    id: int
    name: str
    type: FormulaType
    sql: ColumnElement


@dataclass(frozen=True)
class RowColumns:
    """The row's own columns, for RECORD_ID(), row_id(), CREATED_TIME() and LAST_MODIFIED_TIME()."""

    id: ColumnElement
    created_at: ColumnElement
    updated_at: ColumnElement
