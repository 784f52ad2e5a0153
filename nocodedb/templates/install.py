"""A template -> a new database in a workspace, in the caller's transaction (all or nothing).

Order: tables with their primary field; plain fields; links (with their reverse fields); lookups, rollups
and counts; formulas in dependency order; rows (without links), then link cells; views. Every write goes
through the services, which check roles and validate. References are checked first, and every refusal
names its place ("tables[Groupes].fields[Ville]: ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import views as views_table
from nocodedb.services import audit, view_items, workspaces
from nocodedb.services import fields as field_service
from nocodedb.services import rows as row_service
from nocodedb.services import tables as table_service
from nocodedb.services import views as view_service
from nocodedb.services.actor import Actor, workspace_role
from nocodedb.services.metadata import load_fields
from nocodedb.templates.models import Template, TemplateField, TemplateTable, TemplateView
from views.filters import FilterType

COMPUTED = ("lookup", "rollup", "count")
REFERENCE = re.compile(r"\{([^{}]+)\}|field\(\s*['\"]([^'\"]+)['\"]\s*\)")
ROW_BATCH = 500


def parse_template(raw: Any) -> Template:
    try:
        return Template.model_validate(raw)
    except ValidationError as exc:
        detail = {}
        for problem in exc.errors():
            where = _place(raw, problem["loc"])
            detail.setdefault(where, []).append({"error": problem["msg"], "code": problem["type"]})
        raise errors.TemplateInvalid(detail) from None


def _place(raw: Any, loc: tuple[Any, ...]) -> str:
    """A pydantic location with names: tables[Groupes].fields[Ville].options instead of tables.0.fields.3."""
    parts, node = [], raw
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            label = node.get("name") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{label if isinstance(label, str) else key}]"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts) or "template"


def check_references(template: Template, field_types: Registry[FieldType]) -> None:
    tables = {t.name: t for t in template.tables}
    problems: dict[str, list[dict[str, str]]] = {}

    def refuse(where: str, message: str) -> None:
        problems.setdefault(where, []).append({"error": message, "code": "invalid"})

    for table in template.tables:
        by_name = {f.name: f for f in table.fields}
        for f in table.fields:
            where = f"tables[{table.name}].fields[{f.name}]"
            if f.type not in field_types:
                refuse(where, f"unknown field type {f.type!r}")
            elif f.primary and not field_types.get(f.type).can_be_primary:
                refuse(where, f"a {f.type} field cannot be the primary field")
            if f.type == "link_row":
                other = tables.get(f.link_table or "")
                if other is None:
                    refuse(where, f"links to the table {f.link_table!r}, which is not in the template")
                elif f.related_name and f.related_name not in {x.name for x in other.fields}:
                    refuse(where, f"its reverse field {f.related_name!r} is not in the table {other.name!r}")
            if f.type in COMPUTED:
                through = by_name.get(f.through or "")
                if through is None or through.type != "link_row":
                    refuse(where, f"through {f.through!r} is not a link field of this table")
                elif f.type != "count":
                    target_table = tables.get(through.link_table or "")
                    if target_table and f.target not in {x.name for x in target_table.fields}:
                        refuse(where, f"target {f.target!r} is not a field of the table {through.link_table!r}")
        for view in table.views:
            where = f"tables[{table.name}].views[{view.name}]"
            for ref in [
                *(x.field for x in view.filters),
                *(x.field for x in view.sorts + view.group_bys),
                *view.field_options,
            ]:
                if ref not in by_name:
                    refuse(where, f"names the field {ref!r}, which is not in the table")
    if problems:
        raise errors.TemplateInvalid(problems)


class Installer:
    def __init__(
        self, conn: AsyncConnection, field_types: Registry[FieldType], filter_types: Registry[FilterType], actor: Actor
    ) -> None:
        self.conn, self.field_types, self.filter_types, self.actor = conn, field_types, filter_types, actor
        self.table_ids: dict[str, int] = {}
        self.field_ids: dict[tuple[str, str], int] = {}
        self.row_ids: dict[tuple[str, int], int] = {}

    async def _create_field(self, table: TemplateTable, f: TemplateField, extra: dict[str, Any]) -> dict[str, Any]:
        spec = {**f.options, **extra, "name": f.name, "type": f.type}
        if f.description:
            spec["description"] = f.description
        try:
            created = await field_service.create_field(
                self.conn, self.field_types, self.actor, self.table_ids[table.name], spec, self.filter_types
            )
        except errors.APIError as exc:
            raise errors.TemplateInvalid({f"tables[{table.name}].fields[{f.name}]": exc.detail}) from None
        self.field_ids[(table.name, f.name)] = created["id"]
        return created

    async def tables(self, template: Template, database_id: int) -> None:
        for table in template.tables:
            primary = next(f for f in table.fields if f.primary)
            made = await table_service.create_table(
                self.conn, self.field_types, self.actor, database_id, table.name, [[primary.name]], True
            )
            self.table_ids[table.name] = made["id"]
            # The template's views replace the default grid.
            await self.conn.execute(delete(views_table).where(views_table.c.table_id == made["id"]))
            field_id = (await load_fields(self.conn, made["id"]))[0].id
            self.field_ids[(table.name, primary.name)] = field_id
            if primary.type != "text" or primary.options:
                await field_service.update_field(
                    self.conn,
                    self.field_types,
                    self.actor,
                    field_id,
                    {**primary.options, "type": primary.type},
                    self.filter_types,
                )

    async def fields(self, template: Template) -> None:
        every = [(t, f) for t in template.tables for f in t.fields if not f.primary]
        for table, f in every:
            if f.type not in (*COMPUTED, "link_row", "formula"):
                await self._create_field(table, f, {})
        for table, f in every:
            if f.type == "link_row" and not f.reverse:
                created = await self._create_field(
                    table,
                    f,
                    {
                        "link_row_table_id": self.table_ids[f.link_table or ""],
                        "has_related_field": f.related_name is not None,
                    },
                )
                related = created.get("link_row_related_field_id")
                if related and f.related_name:
                    await field_service.update_field(
                        self.conn,
                        self.field_types,
                        self.actor,
                        related,
                        {"name": f.related_name},
                        self.filter_types,
                    )
                    self.field_ids[(f.link_table or "", f.related_name)] = related
        # Lookups, rollups, counts and formulas in dependency order: a lookup of a lookup, a formula on a
        # rollup, a rollup of a formula... each is created once what it reads exists.
        pending = [(t, f) for t, f in every if f.type in (*COMPUTED, "formula")]
        while pending:
            ready = [(t, f) for t, f in pending if self._can_create(template, t, f)] or pending[:1]
            for t, f in ready:  # (when nothing is ready, a loop: the first one is created and reports its error)
                await self._create_computed(template, t, f)
            pending = [p for p in pending if p not in ready]

    def _reads(self, template: Template, table: TemplateTable, f: TemplateField) -> list[tuple[str, str]]:
        """The (table, field) pairs of the template a computed field needs before it can be created."""
        if f.type == "formula":
            own = {x.name for x in table.fields}
            return [(table.name, name) for name in _references(f.formula or "") if name in own]
        through = next(x for x in table.fields if x.name == f.through)
        needs = [(table.name, through.name)]
        if f.type != "count":
            needs.append((through.link_table or "", f.target or ""))
        return needs

    def _can_create(self, template: Template, table: TemplateTable, f: TemplateField) -> bool:
        return all(key in self.field_ids for key in self._reads(template, table, f))

    async def _create_computed(self, template: Template, table: TemplateTable, f: TemplateField) -> None:
        if f.type == "formula":
            await self._create_field(table, f, {"formula": f.formula})
            return
        through = next(x for x in table.fields if x.name == f.through)
        other = through.link_table or ""
        extra: dict[str, Any] = {"through_field_id": self.field_ids[(table.name, f.through or "")]}
        if isinstance(f.options.get("filters"), dict):
            # Filters on the linked rows name fields of the linked table: ids once they exist.
            extra["filters"] = map_filter_fields(
                f.options["filters"], lambda ref: self.field_ids.get((other, ref), ref)
            )
        if f.type != "count":
            extra["target_field_id"] = self.field_ids.get((other, f.target or ""))
        await self._create_field(table, f, extra)

    async def rows(self, template: Template) -> None:
        for table in template.tables:
            kinds = {f.name: f for f in table.fields}
            plain = []
            for row in table.rows:
                cells = {k: v for k, v in row.items() if k != "id" and kinds.get(k) and kinds[k].type != "link_row"}
                plain.append(cells)
            for start in range(0, len(plain), ROW_BATCH):
                chunk = plain[start : start + ROW_BATCH]
                try:
                    _, made = await row_service.create_rows(
                        self.conn,
                        self.field_types,
                        self.actor,
                        self.table_ids[table.name],
                        chunk,
                        user_field_names=True,
                        filter_types=self.filter_types,
                    )
                except errors.APIError as exc:
                    raise errors.TemplateInvalid({f"tables[{table.name}].rows[{start}:]": exc.detail}) from None
                for row, record in zip(table.rows[start : start + ROW_BATCH], made, strict=True):
                    if isinstance(row.get("id"), int):
                        self.row_ids[(table.name, row["id"])] = record.id
        for table in template.tables:
            links = [f for f in table.fields if f.type == "link_row" and not f.reverse]
            changes = []
            for row in table.rows:
                own = self.row_ids.get((table.name, row.get("id")))  # type: ignore[arg-type]
                cells = {}
                for f in links:
                    if f.name in row:
                        refs = row[f.name] if isinstance(row[f.name], list) else []
                        cells[f.name] = [
                            self.row_ids[(f.link_table or "", r)]
                            for r in refs
                            if (f.link_table or "", r) in self.row_ids
                        ]
                if own and cells:
                    changes.append({"id": own, **cells})
            for start in range(0, len(changes), ROW_BATCH):
                await row_service.update_rows(
                    self.conn,
                    self.field_types,
                    self.actor,
                    self.table_ids[table.name],
                    changes[start : start + ROW_BATCH],
                    user_field_names=True,
                    filter_types=self.filter_types,
                )

    async def views(self, template: Template) -> None:
        for table in template.tables:
            for view in table.views:
                await self._view(table, view)

    async def _view(self, table: TemplateTable, view: TemplateView) -> None:
        where = f"tables[{table.name}].views[{view.name}]"

        def fid(name: Any) -> int | None:
            return self.field_ids.get((table.name, name)) if isinstance(name, str) else None

        options = {
            k: (fid(v) if k in ("date_field", "single_select_field", "card_cover_image_field") else v)
            for k, v in view.options.items()
        }
        body = {
            **options,
            "name": view.name,
            "type": view.type,
            "filter_type": view.filter_type,
            "filters_disabled": view.filters_disabled,
        }
        try:
            made = await view_service.create_view(
                self.conn, self.field_types, self.filter_types, self.actor, self.table_ids[table.name], body
            )
            groups: dict[int, int] = {}
            for group in view.filter_groups:
                parent = groups.get(group.parent_group) if group.parent_group is not None else None
                g = await view_items.create_filter_group(
                    self.conn, self.actor, made["id"], {"filter_type": group.filter_type, "parent_group": parent}
                )
                groups[group.id] = g["id"]
            for item in view.filters:
                spec = {"field": fid(item.field), "type": item.type, "value": item.value}
                if item.group is not None:
                    spec["group"] = groups.get(item.group)
                await view_items.create_filter(
                    self.conn, self.field_types, self.filter_types, self.actor, made["id"], spec
                )
            for kind, items in (("sorts", view.sorts), ("group_bys", view.group_bys)):
                for sort in items:
                    await view_items.create_sort_item(
                        self.conn, self.actor, made["id"], kind, {"field": fid(sort.field), "order": sort.order}
                    )
            if view.field_options:
                patch = {}
                for name, value in view.field_options.items():
                    value = dict(value)
                    if value.get("conditions"):
                        value["conditions"] = [{**c, "field": fid(c.get("field"))} for c in value["conditions"]]
                    patch[str(fid(name))] = value
                await view_items.update_field_options(self.conn, self.actor, made["id"], {"field_options": patch})
        except errors.APIError as exc:
            raise errors.TemplateInvalid({where: exc.detail}) from None


def map_filter_fields(tree: Any, rename: Callable[[Any], Any]) -> Any:
    """A filter tree ({filter_type, filters: [{field, type, value}], groups: [...]}) with its field references
    passed through rename (names -> ids on install, ids -> names on export)."""
    if not isinstance(tree, dict):
        return tree
    out = dict(tree)
    if isinstance(tree.get("filters"), list):
        out["filters"] = [
            {**c, "field": rename(c["field"])} if isinstance(c, dict) and "field" in c else c for c in tree["filters"]
        ]
    if isinstance(tree.get("groups"), list):
        out["groups"] = [map_filter_fields(g, rename) for g in tree["groups"]]
    return out


def _references(text: str) -> set[str]:
    return {a or b for a, b in REFERENCE.findall(text)}


async def install_template(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    actor: Actor,
    workspace_id: int,
    raw: Any,
) -> dict[str, Any]:
    await workspace_role(conn, actor, workspace_id, "builder")
    template = parse_template(raw)
    check_references(template, field_types)
    database = await workspaces.create_database(conn, actor, workspace_id, template.name)
    installer = Installer(conn, field_types, filter_types, actor)
    await installer.tables(template, database["id"])
    await installer.fields(template)
    await installer.rows(template)
    await installer.views(template)
    found = await conn.execute(
        select(views_table.c.id).where(
            views_table.c.public.is_(True), views_table.c.table_id.in_(installer.table_ids.values())
        )
    )
    assert not found.first(), "a template never installs a public view"
    await audit.record(
        conn,
        "template.installed",
        user_id=actor.user_id,
        workspace_id=workspace_id,
        ip=actor.ip,
        database_id=database["id"],
        name=template.name,
        tables=len(installer.table_ids),
    )
    return {"database": {"id": database["id"], "name": template.name}, "tables": installer.table_ids}
