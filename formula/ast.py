"""Our own frozen AST. Lark's tree is converted into these at once, so nothing else sees lark.

Positions (``pos``, a character offset into the text) are left out of equality, so a formula printed
and parsed again compares equal to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Dialect = Literal["airtable", "baserow"]
RefStyle = Literal["braces", "bare", "field"]


@dataclass(frozen=True)
class Number:
    value: Decimal
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class String:
    value: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Boolean:
    """The bare words TRUE and FALSE (``TRUE()`` is a Call)."""

    value: bool
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FieldRef:
    """A reference to a field: ``{Name}``, ``Name`` or ``field('Name')``.

    ``id`` is set in the stored form; ``name`` is then the last known name, kept so that a formula
    whose field was deleted still displays and can be repaired by name.
    """

    name: str
    style: RefStyle = "braces"
    id: int | None = None
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str  # as written; function names are case-insensitive
    args: tuple[Node, ...] = ()
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Negate:
    operand: Node
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # one of + - * / & = != <> < > <= >=
    left: Node
    right: Node
    pos: int = field(default=0, compare=False)


Node = Number | String | Boolean | FieldRef | Call | Negate | Binary


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its root node and the dialect it is read in."""

    root: Node
    dialect: Dialect = "airtable"
    text: str = field(default="", compare=False)


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes, parents first; iterative, so it is safe on any tree."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(children(n)))
    return out


def depth(node: Node) -> int:
    best = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in children(n))
    return best
