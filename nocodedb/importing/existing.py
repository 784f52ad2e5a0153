"""Import into an existing table: columns mapped to fields, optional upsert on a key field, a report."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, FieldValueError, Registry
from nocodedb import errors
from nocodedb.db.schema import rows as rows_table
from nocodedb.importing.cells import CellParser, reason
from nocodedb.importing.infer import Layout, layout
from nocodedb.importing.reader import Source
from nocodedb.importing.service import BATCH, Progress, Report, _count, _link_ids, _link_maps, data_rows
from nocodedb.queries.rows import FieldSet
from nocodedb.services import rows as row_service
from nocodedb.services.actor import Actor, table_scope
from nocodedb.services.metadata import load_fields, row_source
from views.filters import FilterType


def _mapping(raw: Any, found: Layout, fieldset: FieldSet, field_types: Registry[FieldType]) -> dict[int, Any]:
    """column index -> field. Given as {column name: field id or name}; by default, columns named like fields."""
    by_name = {c.name: c for c in found.columns}
    if raw is None:
        raw = {
            c.name: fieldset.by_lower_name[c.name.lower()].id
            for c in found.columns
            if c.name.lower() in fieldset.by_lower_name
        }
    if not isinstance(raw, dict) or not raw:
        raise errors.RequestBodyInvalid({"mapping": [{"error": "An object {column: field}.", "code": "invalid"}]})
    out: dict[int, Any] = {}
    problems: dict[str, list[dict[str, str]]] = {}
    for column, ref in raw.items():
        if ref is None:
            continue
        f = fieldset.find(ref, isinstance(ref, str) and not ref.startswith("field_"))
        if column not in by_name:
            problems[column] = [{"error": "No such column in the file.", "code": "unknown_column"}]
        elif f is None:
            problems[column] = [{"error": f"No field {ref!r} in this table.", "code": "unknown_field"}]
        elif field_types.get(f.type).read_only:
            problems[column] = [{"error": f"The field {f.name!r} is computed.", "code": "read_only"}]
        else:
            out[by_name[column].index] = f
    if problems:
        raise errors.RequestBodyInvalid({"mapping": problems})
    if not out:
        raise errors.RequestBodyInvalid({"mapping": [{"error": "Map at least one column.", "code": "invalid"}]})
    return out


async def _existing(
    conn: AsyncConnection, field_types: Registry[FieldType], key: Any, table_id: int, texts: list[str]
) -> dict[str, int]:
    text = field_types.get(key.type).text_sql(key, row_source())
    found = await conn.execute(
        select(text, rows_table.c.id)
        .where(rows_table.c.table_id == table_id, text.in_(texts))
        .order_by(rows_table.c.order.desc(), rows_table.c.id.desc())
    )
    return dict(found.all())


async def import_into_table(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    table_id: int,
    source: Source,
    raw_mapping: Any,
    upsert_field: Any,
    progress: Progress,
) -> dict[str, Any]:
    await table_scope(conn, actor, table_id, minimum="editor", operation="create")
    actor = replace(actor, kind="import")  # row history names the import, not a hand edit
    fieldset = FieldSet(await load_fields(conn, table_id))
    found = layout(source.rows())
    mapping = _mapping(raw_mapping, found, fieldset, field_types)
    names = {c.index: c.name for c in found.columns}
    style = {c.index: c.options.get("number_style") for c in found.columns}
    parsers = [(i, names[i], CellParser(f, field_types, style[i])) for i, f in mapping.items()]
    key = None
    if upsert_field not in (None, ""):
        key = fieldset.find(upsert_field, isinstance(upsert_field, str) and not upsert_field.startswith("field_"))
        if key is None or key.id not in {f.id for f in mapping.values()}:
            problem = {"error": "The key field must be one of the mapped fields.", "code": "invalid"}
            raise errors.RequestBodyInvalid({"upsert_field": [problem]})
    link_maps = await _link_maps(conn, field_types, parsers)
    report = Report()
    total, done, created, updated = max(_count(source, found), 1), 0, 0, 0
    batch: list[tuple[int, dict[str, Any], str | None]] = []

    async def flush() -> None:
        nonlocal created, updated, batch
        matches: dict[str, int] = {}
        if key is not None:
            texts = [k for _, _, k in batch if k]
            matches = await _existing(conn, field_types, key, table_id, texts) if texts else {}
        new = [values for _, values, k in batch if not (k and k in matches)]
        seen: set[int] = set()
        changes = []
        for _, values, k in batch:
            if k and k in matches and matches[k] not in seen:
                seen.add(matches[k])
                changes.append({"id": matches[k], **values})
        if new:
            await row_service.create_rows(
                conn, field_types, actor, table_id, new, user_field_names=False, filter_types=filter_types
            )
        if changes:
            await row_service.update_rows(
                conn, field_types, actor, table_id, changes, user_field_names=False, filter_types=filter_types
            )
        created, updated, batch = created + len(new), updated + len(changes), []
        await progress(5 + 94 * done // total)

    for number, record in data_rows(source, found):
        values: dict[str, Any] = {}
        key_text: str | None = None
        for index, column, parser in parsers:
            text = record[index] if index < len(record) else ""
            if not text:
                continue
            try:
                if parser.links:
                    values[f"field_{parser.field.id}"] = _link_ids(parser, text, link_maps, report, number, column)
                    continue
                parser.stored(text)
                values[f"field_{parser.field.id}"] = parser.api_value(text)
                if key is not None and parser.field.id == key.id:
                    key_text = text
            except (FieldValueError, ValueError) as exc:
                report.add(number, column, text, reason(exc))
        batch.append((number, values, key_text))
        done += 1
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()
    return {
        "rows_created": created,
        "rows_updated": updated,
        "problem_count": report.problem_count,
        "problems": report.problems,
    }
