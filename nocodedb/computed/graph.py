"""The dependency graph between fields of one database: which field's values are computed from which.

An edge says: `dependent` is computed from `source`, reached through the link field `via` when the
source lives in another table (None when both are in the same table). Edges are stored in
field_dependencies when a field is saved; writes read them to know what to recompute, in topological
order. Pure functions here; loading and storing are in nocodedb/computed/store.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fields import Field


@dataclass(frozen=True)
class Edge:
    dependent: int
    source: int | None
    via: int | None = None
    source_name: str | None = None


class CycleError(ValueError):
    def __init__(self, names: list[str]) -> None:
        super().__init__("This would make a loop between fields: " + " → ".join(names) + ".")
        self.names = names


def primary_of(table_id: int, fields_by_id: Mapping[int, Field]) -> Field | None:
    for f in fields_by_id.values():
        if f.table_id == table_id and f.primary:
            return f
    return None


def link_target_table(f: Field) -> int:
    return int(f.options["link_row_table_id"])


def filter_refs(tree: object) -> list[object]:
    """The field references (ids or names) of a filter tree, at any depth."""
    if not isinstance(tree, dict):
        return []
    found: list[object] = []
    for condition in tree.get("filters") or []:
        if isinstance(condition, dict) and "field" in condition:
            found.append(condition["field"])
    for group in tree.get("groups") or []:
        found += filter_refs(group)
    return found


def _filter_edges(f: Field, through: int, fields_by_id: Mapping[int, Field]) -> list[Edge]:
    """A filter on linked rows makes the field depend on the fields the filter reads."""
    link = fields_by_id.get(through)
    if link is None:
        return []
    other_table = link_target_table(link)
    by_name = {x.name: x.id for x in fields_by_id.values() if x.table_id == other_table}
    edges = []
    for ref in filter_refs(f.options.get("filters")):
        if isinstance(ref, str) and (ref.removeprefix("field_").isascii() and ref.removeprefix("field_").isdigit()):
            ref = int(ref.removeprefix("field_"))
        source = ref if isinstance(ref, int) else by_name.get(str(ref))
        if isinstance(source, int) and source in fields_by_id:
            edges.append(Edge(f.id, source, through))
    return edges


def edges_for(
    f: Field, fields_by_id: Mapping[int, Field], formula_refs: Iterable[tuple[int | None, str]] = ()
) -> list[Edge]:
    """The edges a field has, given every field of its database. formula_refs: (id or None, name)."""
    if f.type == "link_row":
        primary = primary_of(link_target_table(f), fields_by_id)
        return [Edge(f.id, primary.id if primary else None, f.id)]
    if f.type in ("lookup", "rollup"):
        through = int(f.options["through_field_id"])
        target = int(f.options["target_field_id"])
        return [Edge(f.id, through, None), Edge(f.id, target, through), *_filter_edges(f, through, fields_by_id)]
    if f.type == "count":
        through = int(f.options["through_field_id"])
        return [Edge(f.id, through, None), *_filter_edges(f, through, fields_by_id)]
    if f.type == "formula":
        return [Edge(f.id, ref_id, None, name) for ref_id, name in formula_refs]
    return []


def topological_order(field_ids: Iterable[int], edges: Iterable[Edge]) -> list[int]:
    """Every field id, each after all the fields it depends on. Raises CycleError on a loop."""
    ids = list(field_ids)
    known = set(ids)
    sources_of: dict[int, list[int]] = {i: [] for i in ids}
    for e in edges:
        if e.source is not None and e.source in known and e.dependent in known and e.source != e.dependent:
            sources_of[e.dependent].append(e.source)
    order: list[int] = []
    state: dict[int, int] = {}  # 1 = visiting, 2 = done

    def visit(node: int, path: list[int]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise CycleError([str(n) for n in [*path[path.index(node) :], node]])
        state[node] = 1
        for source in sources_of[node]:
            visit(source, [*path, node])
        state[node] = 2
        order.append(node)

    for node in ids:
        visit(node, [])
    return order


def check_no_cycle(fields_by_id: Mapping[int, Field], edges: Iterable[Edge]) -> None:
    """Raise CycleError naming the fields on the loop, if the edges make one."""
    try:
        topological_order(fields_by_id.keys(), edges)
    except CycleError as exc:
        names = [fields_by_id[int(i)].name if int(i) in fields_by_id else i for i in exc.names]
        raise CycleError([str(n) for n in names]) from None


def dependents_index(edges: Iterable[Edge]) -> dict[int, list[Edge]]:
    index: dict[int, list[Edge]] = {}
    for e in edges:
        if e.source is not None:
            index.setdefault(e.source, []).append(e)
    return index
