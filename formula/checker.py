"""Type checking: a parsed formula and a field resolver -> a typed tree, or a FormulaError with a position."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .ast import Binary, Boolean, Call, FieldRef, Formula, Negate, Node, Number, String
from .errors import FormulaError, Problem
from .registry import Param, Registry, Typed
from .types import BOOLEAN, NUMBER, TEXT, FormulaType, ResolvedField

Resolver = Callable[[FieldRef], ResolvedField | None]

COMPARISONS = ("=", "!=", "<>", "<", ">", "<=", ">=")
# Where `expect` is called for an operator rather than a function (unary "-" included).
_OPERATORS = frozenset({"&", "+", "-", "*", "/", *COMPARISONS})


@dataclass(frozen=True)
class TypedFormula:
    """The result of type checking: what compile_formula takes."""

    formula: Formula
    root: Typed

    @property
    def type(self) -> FormulaType:
        return self.root.type


def typecheck(formula: Formula, resolver: Resolver, registry: Registry | None = None) -> TypedFormula:
    """Check a parsed formula against the fields ``resolver`` knows. Raises FormulaError."""
    if registry is None:
        from .functions import FUNCTIONS

        registry = FUNCTIONS
    checker = _Checker(formula, resolver, registry)
    try:
        return TypedFormula(formula, checker.check(formula.root))
    except FormulaError as exc:
        raise exc.with_text(formula.text) if formula.text else exc from None


def accepts(param: Param, t: FormulaType) -> bool:
    kind = t.kind
    if kind in ("blank", "error"):
        return True
    a = param.accepts
    if a == "any":
        return True
    if a == "array":
        return t.is_array
    if a == "file":
        return kind == "file" or (t.is_array and t.element is not None and t.element.kind == "file")
    if t.is_array or kind == "file":
        # Arrays read as text (joined with ", ") where text is wanted, as Airtable shows lookups.
        return a == "text" or (a == "boolean")
    if a in ("text", "boolean", "scalar"):
        return True
    if a == "number":
        return kind in ("number", "boolean")
    if a in ("datetime", "date"):
        return kind in ("date", "datetime", "text", "single_select")
    return False  # pragma: no cover


_EXPECTED = {
    "text": "a text",
    "number": "a number",
    "boolean": "a true/false value",
    "datetime": "a date",
    "date": "a date",
    "any": "a value",
    "scalar": "a single value (not an array)",
    "array": "an array (a lookup or link field)",
    "file": "a file",
}


class _Checker:
    def __init__(self, formula: Formula, resolver: Resolver, registry: Registry) -> None:
        self.formula = formula
        self.resolver = resolver
        self.registry = registry
        self.scope: tuple[Node, FormulaType] | None = None  # filter()'s array and its item type

    def check(self, node: Node) -> Typed:
        if self.scope is not None and node == self.scope[0]:
            return Typed(node, self.scope[1], is_item=True)
        if isinstance(node, Number):
            return Typed(node, NUMBER, literal=node.value, is_literal=True)
        if isinstance(node, String):
            return Typed(node, TEXT, literal=node.value, is_literal=True)
        if isinstance(node, Boolean):
            return Typed(node, BOOLEAN, literal=node.value, is_literal=True)
        if isinstance(node, FieldRef):
            return self.ref(node)
        if isinstance(node, Negate):
            inner = self.check(node.operand)
            self.expect(inner, Param("value", "number"), "-")
            lit = -inner.literal if inner.is_literal and isinstance(node.operand, Number) else None
            return Typed(node, NUMBER, (inner,), literal=lit, is_literal=lit is not None)
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def ref(self, node: FieldRef) -> Typed:
        resolved = self.resolver(node)
        if resolved is None:
            raise FormulaError(
                f"field '{node.name}' does not exist", node.pos, code="unknown_field", params={"field": node.name}
            )
        return Typed(node, resolved.type, field=resolved)

    def expect(self, arg: Typed, param: Param, where: str) -> None:
        if not accepts(param, arg.type):
            # `where` is an operator or a function name; the page words the two differently.
            operator = where in _OPERATORS
            raise FormulaError(
                f"{where} expects {_EXPECTED[param.accepts]} for {param.name}, got {arg.type}",
                arg.node.pos,
                code="wrong_type_operator" if operator else "wrong_type_function",
                params={"operator" if operator else "function": where, "expected": param.accepts, "got": arg.type.kind},
            )

    def binary(self, node: Binary) -> Typed:
        left, right = self.check(node.left), self.check(node.right)
        op = node.op
        if op == "&":
            for side in (left, right):
                self.expect(side, Param("operand", "text"), "&")
            return Typed(node, TEXT, (left, right))
        if op in COMPARISONS:
            for side in (left, right):
                if side.type.is_array and op not in ("=", "!=", "<>"):
                    raise FormulaError(
                        f"{op} expects a single value, got {side.type}",
                        side.node.pos,
                        code="comparison_of_list",
                        params={"operator": op},
                    )
            return Typed(node, BOOLEAN, (left, right))
        if op == "+" and any(s.type.kind in ("text", "single_select") for s in (left, right)):
            # "a" + "b" joins text, as in Airtable.
            return Typed(node, TEXT, (left, right))
        for side in (left, right):
            self.expect(side, Param("operand", "number"), op)
        return Typed(node, NUMBER, (left, right))

    def call(self, node: Call) -> Typed:
        fn = self.registry.get(node.name, self.formula.dialect)
        if fn is None:
            other = "baserow" if self.formula.dialect == "airtable" else "airtable"
            if self.registry.get(node.name, other) is not None:
                raise FormulaError(
                    f"unknown function {node.name} in {self.formula.dialect} formulas (it is a {other} function)",
                    node.pos,
                    code="function_of_other_dialect",
                    params={"function": node.name, "dialect": other},
                )
            raise FormulaError(
                f"unknown function {node.name}", node.pos, code="unknown_function", params={"function": node.name}
            )
        n = len(node.args)
        if n < fn.min_args or (fn.max_args is not None and n > fn.max_args):
            params: dict[str, str | int] = {"function": fn.name, "got": n}
            if fn.max_args is None:
                want, code = f"at least {fn.min_args}", "arguments_at_least"
                params["count"] = fn.min_args
            elif fn.min_args == fn.max_args:
                want, code = str(fn.min_args), "arguments_exactly"
                params["count"] = fn.min_args
            else:
                want, code = f"{fn.min_args} to {fn.max_args}", "arguments_between"
                params.update(min=fn.min_args, max=fn.max_args)
            plural = "" if want == "1" else "s"
            raise FormulaError(
                f"{fn.name} expects {want} argument{plural}, got {n}: {fn.signature()}",
                node.pos,
                code=code,
                params=params,
            )
        args = [self.check(a) for a in node.args[:1]]
        if fn.scoped and args and args[0].type.is_array:
            outer, self.scope = self.scope, (node.args[0], args[0].type.element or TEXT)
            try:
                args += [self.check(a) for a in node.args[1:]]
            finally:
                self.scope = outer
        else:
            args += [self.check(a) for a in node.args[1:]]
        for i, arg in enumerate(args):
            param = fn.param_at(i)
            self.expect(arg, param, fn.name)
            if param.choices is not None and arg.is_literal:
                self.check_choice(fn.name, param, arg)
        if fn.check is not None:
            problem = fn.check(args)
            if isinstance(problem, Problem):
                raise FormulaError(
                    f"{fn.name}: {problem.message}",
                    node.pos,
                    code=problem.code,
                    params={"function": fn.name, **problem.params},
                )
            if problem:
                raise FormulaError(
                    f"{fn.name}: {problem}",
                    node.pos,
                    code="function_problem",
                    params={"function": fn.name, "detail": problem},
                )
        return Typed(node, fn.result_type(args), tuple(args), func=fn)

    def check_choice(self, fname: str, param: Param, arg: Typed) -> None:
        value = str(arg.literal)
        choices = param.choices or {}
        if value in (param.exact or {}) or value.lower() in choices:
            return
        allowed = sorted({*(param.exact or {}), *choices})
        shown = ", ".join(repr(a) for a in allowed[:20]) + (", ..." if len(allowed) > 20 else "")
        raise FormulaError(
            f"{fname} does not know {param.name} {value!r}; expected one of {shown}",
            arg.node.pos,
            code="unknown_choice",
            params={"function": fname, "value": value, "choices": shown},
        )


def canonical_choice(param: Param, value: str) -> str:
    if param.exact and value in param.exact:
        return param.exact[value]
    return (param.choices or {})[value.lower()]


__all__ = ["Resolver", "TypedFormula", "accepts", "canonical_choice", "typecheck"]
