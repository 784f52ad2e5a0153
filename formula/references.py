"""Field references in storage: ids in the stored form, current names on display.

The stored form is formula text whose references carry the field id and the last known name:
``@12{Price} * 2``. So a rename needs no rewrite (display looks names up by id), a deleted field
still displays by its last name and fails type check with "field 'Price' does not exist", and when a
field of that name appears again, ``refresh_storage`` binds the reference to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from .ast import Binary, Call, FieldRef, Formula, Negate, Node, walk
from .parser import parse
from .printer import to_text
from .types import ResolvedField

NameToId = Callable[[str], int | None]
IdToName = Callable[[int], str | None]


def references(parsed: Formula) -> frozenset[int]:
    """The field ids a (stored) formula uses: the edges of the dependency graph."""
    return frozenset(n.id for n in walk(parsed.root) if isinstance(n, FieldRef) and n.id is not None)


def unbound_names(parsed: Formula) -> frozenset[str]:
    """Names referenced without an id (unknown when stored): broken edges, kept by name."""
    return frozenset(n.name for n in walk(parsed.root) if isinstance(n, FieldRef) and n.id is None)


def map_refs(node: Node, fn: Callable[[FieldRef], FieldRef]) -> Node:
    """The tree with every reference replaced by fn(reference). Depth is bounded by the parser."""
    if isinstance(node, FieldRef):
        return fn(node)
    if isinstance(node, Call):
        return replace(node, args=tuple(map_refs(a, fn) for a in node.args))
    if isinstance(node, Negate):
        return replace(node, operand=map_refs(node.operand, fn))
    if isinstance(node, Binary):
        return replace(node, left=map_refs(node.left, fn), right=map_refs(node.right, fn))
    return node


def to_storage(text: str, lookup_id: NameToId) -> str:
    """User text -> stored form. Unknown names are kept without an id (type check reports them)."""
    parsed = parse(text)

    def bind(ref: FieldRef) -> FieldRef:
        return replace(ref, id=lookup_id(ref.name))

    return to_text(map_refs(parsed.root, bind), with_ids=True)


def to_display(stored: str, lookup_name: IdToName) -> str:
    """Stored form -> text for the user, with current names (the last known name for a deleted field)."""
    parsed = parse(stored, stored=True)

    def show(ref: FieldRef) -> FieldRef:
        name = lookup_name(ref.id) if ref.id is not None else None
        return replace(ref, id=None, name=name if name is not None else ref.name)

    return to_text(map_refs(parsed.root, show))


def refresh_storage(stored: str, lookup_name: IdToName, lookup_id: NameToId) -> str:
    """Update the remembered names of known ids, and re-bind by name references whose field is gone."""
    parsed = parse(stored, stored=True)

    def fix(ref: FieldRef) -> FieldRef:
        if ref.id is not None:
            name = lookup_name(ref.id)
            if name is not None:
                return replace(ref, name=name)
        return replace(ref, id=lookup_id(ref.name))

    return to_text(map_refs(parsed.root, fix), with_ids=True)


def parse_stored(stored: str) -> Formula:
    return parse(stored, stored=True)


def make_resolver(fields: Iterable[ResolvedField]) -> Callable[[FieldRef], ResolvedField | None]:
    """A resolver over a list of fields: by id for stored references, else by name."""
    by_id = {f.id: f for f in fields}
    by_name = {f.name: f for f in by_id.values()}

    def resolve(ref: FieldRef) -> ResolvedField | None:
        if ref.id is not None:
            return by_id.get(ref.id)
        return by_name.get(ref.name)

    return resolve
