"""A compact way for function modules to declare registry entries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from ..registry import (
    Availability,
    CheckRule,
    CompileContext,
    CompileRule,
    FunctionDef,
    Param,
    ReturnRule,
    Typed,
)

P = Param
Simple = Callable[..., ColumnElement]


def define(
    out: list[FunctionDef],
    name: str,
    params: Sequence[Param],
    returns: ReturnRule,
    compile: CompileRule,
    doc: str,
    examples: Sequence[tuple[str, Any]],
    *,
    category: str,
    variadic: bool = False,
    available: Availability = "both",
    check: CheckRule | None = None,
    needs_row: bool = False,
    volatile: bool = False,
    scoped: bool = False,
) -> FunctionDef:
    fn = FunctionDef(
        name=name,
        params=tuple(params),
        returns=returns,
        compile=compile,
        doc=doc,
        examples=tuple(examples),
        category=category,
        variadic=variadic,
        available=available,
        check=check,
        needs_row=needs_row,
        volatile=volatile,
        scoped=scoped,
    )
    out.append(fn)
    return fn


def simple(build: Simple) -> CompileRule:
    """A compile rule that needs only the converted SQL arguments."""

    def rule(ctx: CompileContext, args: list[ColumnElement], typed: list[Typed]) -> ColumnElement:
        return build(*args)

    return rule


def same_as(index: int) -> Callable[[list[Typed]], Any]:
    return lambda args: args[index].type if len(args) > index else None
