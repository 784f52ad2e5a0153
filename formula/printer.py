"""AST -> formula text. The parser accepts whatever this prints (a property test checks it)."""

from __future__ import annotations

import re

from .ast import Binary, Boolean, Call, FieldRef, Formula, Negate, Node, Number, String

_PRECEDENCE = {
    "=": 1,
    "!=": 1,
    "<>": 1,
    "<": 1,
    ">": 1,
    "<=": 1,
    ">=": 1,
    "&": 2,
    "+": 3,
    "-": 3,
    "*": 4,
    "/": 4,
}
_NEGATE = 5
_ATOM = 6
_BARE = re.compile(r"[^\W\d]\w*")


def to_text(tree: Formula | Node, *, with_ids: bool = False) -> str:
    """Print a formula. ``with_ids=True`` writes the stored form (``@12{Price}``)."""
    node = tree.root if isinstance(tree, Formula) else tree
    return _Printer(with_ids).text(node)


def quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{escaped}"'


def _single_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    escaped = escaped.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f"'{escaped}'"


def format_number(value: object) -> str:
    text = format(value, "f")
    return text


def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, Negate):
        return _NEGATE
    return _ATOM


class _Printer:
    def __init__(self, with_ids: bool) -> None:
        self.with_ids = with_ids

    def text(self, node: Node) -> str:
        if isinstance(node, Number):
            return format_number(node.value)
        if isinstance(node, String):
            return quote(node.value)
        if isinstance(node, Boolean):
            return "TRUE" if node.value else "FALSE"
        if isinstance(node, FieldRef):
            return self.ref(node)
        if isinstance(node, Call):
            return f"{node.name}({', '.join(self.text(a) for a in node.args)})"
        if isinstance(node, Negate):
            inner = self.text(node.operand)
            if _precedence(node.operand) < _NEGATE:
                inner = f"({inner})"
            return f"-{inner}"
        prec = _PRECEDENCE[node.op]
        left = self.text(node.left)
        if _precedence(node.left) < prec:
            left = f"({left})"
        right = self.text(node.right)
        if _precedence(node.right) <= prec:
            right = f"({right})"
        return f"{left} {node.op} {right}"

    def ref(self, ref: FieldRef) -> str:
        prefix = f"@{ref.id}" if self.with_ids and ref.id is not None else ""
        if ref.style == "field":
            return f"{prefix}field({_single_quote(ref.name)})"
        if ref.style == "bare" and _is_bare_name(ref.name):
            return f"{prefix}{ref.name}"
        body = ref.name.replace("\\", "\\\\").replace("}", "\\}")
        return f"{prefix}{{{body}}}"


def _is_bare_name(name: str) -> bool:
    return bool(_BARE.fullmatch(name)) and name.upper() not in ("TRUE", "FALSE", "FIELD")
