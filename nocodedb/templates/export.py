"""A database -> a template: names instead of ids, rows with local ids (1, 2, ... in row order)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb.db.schema import databases, views
from nocodedb.db.schema import rows as rows_table
from nocodedb.db.schema import tables as tables_table
from nocodedb.queries.rows import FieldSet, row_to_api
from nocodedb.services import audit
from nocodedb.services.actor import Actor, database_scope
from nocodedb.services.metadata import load_fields
from nocodedb.services.views import view_types
from nocodedb.templates.install import map_filter_fields
from nocodedb.templates.models import FORMAT, VERSION

DROPPED = {
    "link_row": {
        "link_row_table_id",
        "link_row_related_field_id",
        "relation_field_id",
        "is_reverse",
        "has_related_field",
    },
    "lookup": {"through_field_id", "target_field_id", "target_type", "target_options"},
    "rollup": {"through_field_id", "target_field_id", "target_type", "target_options", "result_type"},
    "count": {"through_field_id"},
    "formula": {"formula", "formula_stored", "formula_type", "array_element", "error"},
}
VIEW_FIELD_OPTIONS = ("date_field", "single_select_field", "card_cover_image_field")


def _field(f: Field, names: dict[int, str], tables: dict[int, str]) -> dict[str, Any]:
    options = {k: v for k, v in f.options.items() if k not in DROPPED.get(f.type, set())}
    out: dict[str, Any] = {"name": f.name, "type": f.type, "primary": f.primary, "options": options}
    if f.description:
        out["description"] = f.description
    o = f.options
    if f.type == "link_row":
        out["link_table"] = tables[int(o["link_row_table_id"])]
        related = o.get("link_row_related_field_id")
        out["related_name"] = names.get(int(related)) if related else None
        out["reverse"] = bool(o.get("is_reverse"))
    elif f.type in ("lookup", "rollup", "count"):
        out["through"] = names[int(o["through_field_id"])]
        if o.get("filters"):
            # Filters on the linked rows: field ids become names, as everywhere in a template.
            options["filters"] = map_filter_fields(
                o["filters"], lambda ref: names.get(int(ref), ref) if isinstance(ref, int) else ref
            )
        else:
            options.pop("filters", None)
        if f.type != "count":
            out["target"] = names[int(o["target_field_id"])]
    elif f.type == "formula":
        out["formula"] = o.get("formula", "")
    return out


def _view(row: Any, names: dict[int, str], table_fields: list[Field]) -> dict[str, Any]:
    def name(ref: Any) -> str:
        return names.get(int(ref), str(ref)) if ref is not None else ""

    # Options and field options in their full, normalized form: stored defaults never differ.
    view_type = view_types().get(row.type)
    options = view_type.options_model.model_validate(row.options or {}).model_dump(mode="json")
    for key in VIEW_FIELD_OPTIONS:
        if options.get(key) is not None:
            options[key] = name(options[key])
    field_options = {}
    for key, value in view_type.field_options_for(table_fields, row.field_options or {}).items():
        if (key.isascii() and key.isdigit()) and int(key) in names:
            value = dict(value)
            if value.get("conditions"):
                value["conditions"] = [{**c, "field": name(c.get("field"))} for c in value["conditions"]]
            field_options[names[int(key)]] = value
    return {
        "name": row.name,
        "type": row.type,
        "filter_type": row.filter_type,
        "filters_disabled": row.filters_disabled,
        "filters": [
            {"field": name(f.get("field")), "type": f.get("type"), "value": f.get("value", ""), "group": f.get("group")}
            for f in row.filters or []
        ],
        "filter_groups": [
            {"id": g["id"], "filter_type": g.get("filter_type", "AND"), "parent_group": g.get("parent_group")}
            for g in row.filter_groups or []
        ],
        "sorts": [{"field": name(s["field"]), "order": s.get("order", "ASC")} for s in row.sorts or []],
        "group_bys": [{"field": name(s["field"]), "order": s.get("order", "ASC")} for s in row.group_bys or []],
        "field_options": field_options,
        "options": options,
    }


def _cell(value: Any, f: Field, local: dict[int, int]) -> Any:
    if f.type == "link_row":
        return [local[v["id"]] for v in value or [] if v["id"] in local]
    if f.type == "single_select":
        return value["value"] if value else None
    if f.type == "multiple_select":
        return [v["value"] for v in value or []]
    return value


async def export_database(
    conn: AsyncConnection, field_types: Registry[FieldType], actor: Actor, database_id: int, with_rows: bool
) -> dict[str, Any]:
    workspace_id = await database_scope(conn, actor, database_id, "builder")
    await audit.record(
        conn,
        "database.exported",
        user_id=actor.user_id,
        workspace_id=workspace_id,
        ip=actor.ip,
        database_id=database_id,
        rows=with_rows,
    )
    db_name = (await conn.execute(select(databases.c.name).where(databases.c.id == database_id))).scalar_one()
    found = (
        await conn.execute(
            select(tables_table)
            .where(tables_table.c.database_id == database_id)
            .order_by(tables_table.c.order, tables_table.c.id)
        )
    ).all()
    tables = {t.id: t.name for t in found}
    per_table = {t.id: await load_fields(conn, t.id) for t in found}
    names = {f.id: f.name for fs in per_table.values() for f in fs}
    # Local row ids: 1, 2, ... per table in row order; link cells refer to them.
    local: dict[int, int] = {}
    records: dict[int, list[Any]] = {}
    if with_rows:
        for t in found:
            records[t.id] = (
                await conn.execute(
                    select(rows_table.c.id, rows_table.c.order, rows_table.c.data)
                    .where(rows_table.c.table_id == t.id, rows_table.c.database_id == database_id)
                    .order_by(rows_table.c.order, rows_table.c.id)
                )
            ).all()
            local.update({r.id: n for n, r in enumerate(records[t.id], start=1)})
    out_tables = []
    for t in found:
        table_fields = per_table[t.id]
        fieldset = FieldSet(table_fields)
        view_rows = (
            await conn.execute(select(views).where(views.c.table_id == t.id).order_by(views.c.order, views.c.id))
        ).all()
        writable = [
            f
            for f in table_fields
            if not field_types.get(f.type).read_only and not (f.type == "link_row" and f.options.get("is_reverse"))
        ]
        out_rows = []
        for record in records.get(t.id, []):
            api = row_to_api(record, fieldset, field_types, user_field_names=True, only={f.id for f in writable})
            cells = {f.name: _cell(api.get(f.name), f, local) for f in writable}
            out_rows.append({"id": local[record.id], **{k: v for k, v in cells.items() if v not in (None, [], "")}})
        out_tables.append(
            {
                "name": t.name,
                "fields": [_field(f, names, tables) for f in table_fields],
                "views": [_view(v, names, table_fields) for v in view_rows],
                "rows": out_rows,
            }
        )
    return {"format": FORMAT, "version": VERSION, "name": db_name, "description": "", "tables": out_tables}
