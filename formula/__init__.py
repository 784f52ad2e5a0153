"""The formula language: parse -> type check -> compile to a SQLAlchemy expression (PostgreSQL).

Pure: imports only the standard library, lark and SQLAlchemy.
"""

from __future__ import annotations

from .ast import Formula
from .checker import Resolver, TypedFormula, typecheck
from .compiler import compile_formula, from_stored_json, to_stored_json
from .errors import FormulaError
from .functions import FUNCTIONS, builtin_registry
from .parser import MAX_DEPTH, MAX_LENGTH, parse
from .printer import to_text
from .references import (
    make_resolver,
    parse_stored,
    references,
    refresh_storage,
    to_display,
    to_storage,
    unbound_names,
)
from .registry import FunctionDef, Registry
from .sqlx import sql_type
from .support_sql import SUPPORT_SQL
from .types import (
    BOOLEAN,
    DATE,
    DATETIME,
    FILE,
    NUMBER,
    SINGLE_SELECT,
    TEXT,
    FormulaType,
    ResolvedField,
    RowColumns,
    array_of,
)

__all__ = [
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "FILE",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NUMBER",
    "SINGLE_SELECT",
    "SUPPORT_SQL",
    "TEXT",
    "Formula",
    "FormulaError",
    "FormulaType",
    "FunctionDef",
    "Registry",
    "ResolvedField",
    "Resolver",
    "RowColumns",
    "TypedFormula",
    "array_of",
    "builtin_registry",
    "compile_formula",
    "from_stored_json",
    "make_resolver",
    "parse",
    "parse_stored",
    "references",
    "refresh_storage",
    "sql_type",
    "to_display",
    "to_storage",
    "to_stored_json",
    "to_text",
    "typecheck",
    "unbound_names",
]
