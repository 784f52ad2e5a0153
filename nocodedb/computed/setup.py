"""Saving computed fields: checking their options against the database, storing their graph edges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from fields.lookup import rollup_result_type
from nocodedb import errors
from nocodedb.computed.engine import DatabaseGraph
from nocodedb.computed.graph import CycleError, Edge, check_no_cycle, edges_for
from nocodedb.db.schema import field_dependencies


def _bad(key: str, message: str) -> errors.APIError:
    return errors.RequestBodyInvalid({key: [{"error": message, "code": "invalid"}]})


def _formula_type_of(field_types: Registry[FieldType], f: Field) -> str:
    field_type = field_types.get(f.type)
    per_field = getattr(field_type, "field_formula_type", None)
    return str(per_field(f)) if per_field else field_type.formula_type


def enrich_options(
    graph: DatabaseGraph, field_types: Registry[FieldType], table_id: int, type_name: str, options: dict[str, Any]
) -> dict[str, Any]:
    """Check references of link/lookup/rollup/count options; add what reading needs (target snapshot)."""
    fields_by_id = graph.fields_by_id
    if type_name == "link_row":
        target_table = options.get("link_row_table_id")
        same_database = {f.table_id for f in fields_by_id.values()} | {table_id}
        if target_table not in same_database:
            raise _bad("link_row_table_id", "The table to link to must be in the same database.")
        return options
    if type_name not in ("lookup", "rollup", "count"):
        return options
    through = fields_by_id.get(int(options.get("through_field_id") or 0))
    if through is None or through.table_id != table_id or through.type != "link_row":
        raise _bad("through_field_id", "Choose a link field of this table.")
    if type_name == "count":
        return options
    target = fields_by_id.get(int(options.get("target_field_id") or 0))
    if target is None or target.table_id != int(through.options["link_row_table_id"]):
        raise _bad("target_field_id", "Choose a field of the linked table.")
    options = {**options, "target_type": target.type, "target_options": target.options}
    if type_name == "rollup":
        options["result_type"] = rollup_result_type(
            str(options.get("rollup_function", "sum")), _formula_type_of(field_types, target)
        )
    return options


async def store_edges(conn: AsyncConnection, graph: DatabaseGraph, f: Field, edges: list[Edge]) -> None:
    """Replace the stored edges of f, refusing a change that would make a loop."""
    others = [e for e in graph.edges if e.dependent != f.id]
    fields_by_id = {**graph.fields_by_id, f.id: f}
    try:
        check_no_cycle(fields_by_id, [*others, *edges])
    except CycleError as exc:
        raise errors.APIError({"error": str(exc), "fields": exc.names}) from None
    await conn.execute(delete(field_dependencies).where(field_dependencies.c.dependent_id == f.id))
    if edges:
        await conn.execute(
            insert(field_dependencies),
            [
                {
                    "database_id": graph.database_id,
                    "dependent_id": e.dependent,
                    "source_id": e.source,
                    "source_name": e.source_name,
                    "via_field_id": e.via,
                }
                for e in edges
            ],
        )
    graph.edges = [*others, *edges]
    graph.fields_by_id[f.id] = f
    graph.__post_init__()


def default_edges(f: Field, graph: DatabaseGraph) -> list[Edge]:
    return edges_for(f, {**graph.fields_by_id, f.id: f})
