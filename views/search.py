"""Search across a table's fields: case- and accent-insensitive substring of each field's displayed text.

Speed on large tables comes from the trigram index rows_search_trgm on ncdb_unaccent(lower(data::text))
(migration 0002): for fields whose displayed text is their stored JSON string (text, numbers...), a
match implies the row's JSON text contains the folded needle too, so that cheap, indexed test is ANDed
in front of their exact tests. Fields whose text is computed (dates, selects, booleans) keep an exact
test, but only when the needle could possibly match them: a word with letters cannot be in a date,
a select can only match through one of its options. With those left out, the whole condition is
index-backed in the common case, and stays exact in every case.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Text, cast, false, or_, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource
from views.filters import fold_text, folded

DATE_CHARS = re.compile(r"^[0-9/\-:. apm]*$")
JSON_UNSAFE = re.compile(r'["\\\x00-\x1f]')


def is_verbatim(field_type: FieldType, f: Field, row: RowSource) -> bool:
    """Is the field's display text exactly its stored JSON string (so it appears as is in data::text)?"""
    if not field_type.stored_in_data:
        return False
    stored = row.data[f.key].astext
    return str(field_type.text_sql(f, row)) in (str(stored), str(cast(stored, Text)))


def could_match(field_type: FieldType, f: Field, needle: str) -> bool:
    """False when the field's text can never contain the folded needle (its clause is left out)."""
    kind = field_type.compare_as
    if kind == "date":
        return DATE_CHARS.match(needle) is not None
    if kind == "boolean":
        return needle in "true" or needle in "false"
    if kind in ("select", "multiple"):
        if "," in needle:
            return True
        values = [fold_text(str(o.get("value", ""))) for o in f.options.get("select_options", []) or []]
        return any(needle in v for v in values)
    return True


def search_condition(
    search: str,
    fields: list[Field],
    field_types: Registry[FieldType],
    row: RowSource,
    row_id: ColumnElement[Any],
) -> ColumnElement[bool]:
    needle = fold_text(search.strip())
    if not needle:
        return true()
    prefilter = folded(cast(row.data, Text)).contains(needle, autoescape=True)
    can_prefilter = JSON_UNSAFE.search(needle) is None
    verbatim, exact = [], []
    for f in fields:
        field_type = field_types.get(f.type)
        if not could_match(field_type, f, needle):
            continue
        clause = folded(field_type.text_sql(f, row)).contains(needle, autoescape=True)
        (verbatim if can_prefilter and is_verbatim(field_type, f, row) else exact).append(clause)
    parts: list[ColumnElement[bool]] = []
    if verbatim:
        parts.append(prefilter & or_(*verbatim))
    parts += exact
    if (needle.isascii() and needle.isdigit()) and len(needle) < 19:
        parts.append(row_id == int(needle))
    return or_(*parts) if parts else false()
