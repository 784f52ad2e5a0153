"""What a field update would do to the stored values, without doing it (the warning before a type change).

The counts come from the same SQL conversion the real change runs (`fields.converted_value_sql`), after the
same option checks, so "12 values will be emptied" is what saving then reports as `lost_values`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any, TypeVar

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import rows
from nocodedb.services import computed_fields
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.fields import (
    _check_name,
    _field_type,
    _options,
    _options_for_select_conversion,
    converted_value_sql,
)
from nocodedb.services.metadata import load_field, row_source

EXAMPLES = 3
T = TypeVar("T")
EXAMPLE_CHARS = 60


def _distinct(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))[:EXAMPLES]


def _short(value: str | None) -> str:
    value = value or ""
    return value if len(value) <= EXAMPLE_CHARS else value[: EXAMPLE_CHARS - 1] + "…"


async def preview_field_update(
    conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, field_id: int, spec: dict[str, Any]
) -> dict[str, Any]:
    """Counts and a few examples of the values the update `spec` (a PATCH body) would empty or change."""
    old = await load_field(conn, field_id)
    if old is None:
        raise errors.FieldNotFound()
    await table_scope(conn, actor, old.table_id, minimum="builder")
    name = _check_name(spec["name"]) if "name" in spec else old.name
    new_type = _field_type(field_types, spec.get("type", old.type))
    if old.primary and not new_type.can_be_primary:
        raise errors.IncompatiblePrimaryType()
    options = _options(new_type, spec, old)
    if old.type != new_type.type:
        options = await _options_for_select_conversion(conn, field_types, old, new_type, options)
    new = replace(old, name=name, type=new_type.type, options=options)
    src = row_source()
    old_text = field_types.get(old.type).text_sql(old, src)
    non_empty = func.coalesce(old_text, "") != ""
    answer: dict[str, Any] = {
        "field_id": old.id,
        "from_type": old.type,
        "to_type": new.type,
        "lost_values": 0,
        "lost_examples": [],
        "changed_values": 0,
        "changed_examples": [],
        "replaced_values": 0,
    }
    in_table = rows.c.table_id == old.table_id
    replaced = computed_fields.is_computed(new.type) or not new_type.stored_in_data or new_type.read_only
    value = None if replaced else converted_value_sql(field_types, old, new, src)
    if value is None:
        counts = (
            await conn.execute(select(func.count(), func.count().filter(non_empty)).select_from(rows).where(in_table))
        ).one()
        answer.update(total_rows=int(counts[0]), non_empty=int(counts[1]))
        if replaced and old.type != new.type:
            # Computed and automatic values do not come from the old ones: every old value goes.
            answer["replaced_values"] = int(counts[1])
        return answer
    # The new value as text, read the way the new type reads its own stored value.
    new_text = field_types.get(new.type).text_sql(
        new, replace(src, data=func.jsonb_build_object(literal(new.key), value, type_=JSONB))
    )
    conversion = (
        select(
            old_text.label("old_text"),
            value.label("new_value"),
            new_text.label("new_text"),
        )
        .where(in_table)
        .subquery("conversion")
    )
    was_set = func.coalesce(conversion.c.old_text, "") != ""
    emptied = was_set & (conversion.c.new_value.is_(None) | (func.jsonb_typeof(conversion.c.new_value) == "null"))
    changed = was_set & ~emptied & conversion.c.new_text.is_distinct_from(conversion.c.old_text)
    tallies = [func.count().filter(condition) for condition in (was_set, emptied, changed)]
    counts = (await conn.execute(select(func.count(), *tallies).select_from(conversion))).one()
    # Examples: the first rows found, no sort (a sort of every changed value cost more than the count);
    # a few more than shown, so repeated values still leave distinct examples.
    lost: list[str] = []
    altered: list[tuple[str, str]] = []
    if counts[2]:
        found = await conn.execute(select(conversion.c.old_text).where(emptied).limit(EXAMPLES * 10))
        lost = _distinct(found.scalars())
    if counts[3]:
        pairs = await conn.execute(
            select(conversion.c.old_text, conversion.c.new_text).where(changed).limit(EXAMPLES * 10)
        )
        altered = _distinct((a, b) for a, b in pairs)
    answer.update(
        total_rows=int(counts[0]),
        non_empty=int(counts[1]),
        lost_values=int(counts[2]),
        lost_examples=[_short(v) for v in lost],
        changed_values=int(counts[3]),
        changed_examples=[{"before": _short(a), "after": _short(b)} for a, b in altered],
    )
    return answer
