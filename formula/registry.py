"""The function registry: one entry per function, with arity, argument kinds, typing rule and compile."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.sql.elements import ColumnElement

from .ast import Dialect, Node
from .errors import Problem
from .types import FormulaType, ResolvedField, RowColumns

# What an argument accepts. The compiler converts the argument to that kind before the function sees it:
#   text      any scalar, converted to text (numbers without trailing zeros, dates as ISO)
#   number    number, boolean (1/0) or blank
#   boolean   any scalar, read as true/false (non-zero, non-empty)
#   datetime  date, datetime or text (parsed; bad text is empty), as TIMESTAMPTZ
#   date      the same, as DATE (UTC)
#   any       any value, unconverted (the function decides)
#   scalar    any non-array value, unconverted
#   array     an array, unconverted (JSONB)
#   file      one attachment (JSONB object) or an array of them
Accepts = Literal["text", "number", "boolean", "datetime", "date", "any", "scalar", "array", "file"]
Availability = Literal["both", "airtable", "baserow"]


@dataclass(frozen=True)
class Param:
    name: str
    accepts: Accepts
    optional: bool = False
    # An allowlist (lower-cased alias -> canonical value). A literal argument is checked against it at
    # type check; any other argument is compiled to a CASE over it. Aliases in ``exact`` match case
    # sensitively (moment.js "M" is months, "m" is minutes).
    choices: Mapping[str, str] | None = None
    exact: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Typed:
    """A type-checked node: its type, typed arguments, and what it stands for."""

    node: Node
    type: FormulaType
    args: tuple[Typed, ...] = ()
    func: FunctionDef | None = None
    field: ResolvedField | None = None
    literal: Any = None  # the Python value of a literal argument (str, Decimal, bool), else None
    is_literal: bool = False
    is_item: bool = False  # inside filter(): stands for the current item of the first argument


@dataclass(frozen=True)
class CompileContext:
    dialect: Dialect
    row: RowColumns | None
    item: ColumnElement | None = None  # the current item inside filter()


ReturnRule = FormulaType | Callable[[list[Typed]], FormulaType]
# Extra checks after the argument types: a Problem (or a plain message) reported at the call, or raise
# FormulaError with the position of the argument at fault.
CheckRule = Callable[[list[Typed]], Problem | str | None]
CompileRule = Callable[[CompileContext, list[ColumnElement], list[Typed]], ColumnElement]


@dataclass(frozen=True)
class FunctionDef:
    """One formula function.

    ``examples`` are (formula, expected stored JSON value) pairs: they appear in the docs and run as
    tests on PostgreSQL against the sample row described in docs/formulas.md.
    """

    name: str
    params: tuple[Param, ...]
    returns: ReturnRule
    compile: CompileRule
    doc: str
    examples: tuple[tuple[str, Any], ...]
    category: str
    variadic: bool = False  # the last parameter repeats
    available: Availability = "both"
    check: CheckRule | None = None
    needs_row: bool = False
    volatile: bool = False  # NOW(), TODAY(): the value is the time of the write
    # The arguments after the first see its items: a copy of the first argument stands for one item
    # (Baserow's filter(field('Tags'), field('Tags') != 'red')). Such a function compiles them itself.
    scoped: bool = False

    @property
    def key(self) -> str:
        return self.name if self.available == "both" else f"{self.name}@{self.available}"

    @property
    def min_args(self) -> int:
        return sum(1 for p in self.params if not p.optional)

    @property
    def max_args(self) -> int | None:
        return None if self.variadic else len(self.params)

    def param_at(self, i: int) -> Param:
        return self.params[min(i, len(self.params) - 1)]

    def signature(self) -> str:
        parts: list[str] = []
        for i, p in enumerate(self.params):
            text = p.name
            if self.variadic and i == len(self.params) - 1:
                text += ", ..."
            parts.append(f"[{text}]" if p.optional else text)
        return f"{self.name}({', '.join(parts)})"

    def result_type(self, args: list[Typed]) -> FormulaType:
        return self.returns(args) if callable(self.returns) else self.returns


@dataclass
class Registry:
    """Functions by upper-cased name; a name may have one entry per dialect (SEARCH, LOG, EVEN, ...)."""

    _by_name: dict[str, dict[Availability, FunctionDef]] = field(default_factory=dict)

    def register(self, fn: FunctionDef) -> FunctionDef:
        slot = self._by_name.setdefault(fn.name.upper(), {})
        if fn.available in slot:
            raise ValueError(f"function {fn.name} ({fn.available}) is registered twice")
        slot[fn.available] = fn
        return fn

    def get(self, name: str, dialect: Dialect) -> FunctionDef | None:
        slot = self._by_name.get(name.upper())
        if not slot:
            return None
        return slot.get(dialect) or slot.get("both")

    def __iter__(self) -> Iterator[FunctionDef]:
        for name in sorted(self._by_name):
            yield from self._by_name[name].values()

    def __len__(self) -> int:
        return sum(len(s) for s in self._by_name.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self._by_name
