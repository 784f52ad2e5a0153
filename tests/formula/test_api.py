"""The public surface, the registry's documentation, the generated docs, layering and SQL safety."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import column
from sqlalchemy.dialects import postgresql

import formula
from formula import FUNCTIONS, SUPPORT_SQL, TEXT, ResolvedField, compile_formula, make_resolver, parse, typecheck
from formula.docs import render

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "formula"


def test_public_surface() -> None:
    for name in formula.__all__:
        assert hasattr(formula, name), name
    required = {
        "parse", "to_text", "typecheck", "compile_formula", "to_stored_json", "references", "to_storage",
        "to_display", "FormulaError", "FormulaType", "ResolvedField", "RowColumns", "SUPPORT_SQL", "FUNCTIONS",
    }  # fmt: skip
    assert required <= set(formula.__all__)


def test_every_function_is_documented_with_an_example() -> None:
    for fn in FUNCTIONS:
        assert fn.doc.strip(), fn.key
        assert fn.examples, fn.key
        assert fn.signature().startswith(fn.name + "("), fn.key
        for example, _ in fn.examples:
            parse(example)  # every example is a valid formula


def test_generated_docs_are_up_to_date() -> None:
    committed = (ROOT / "docs" / "formulas.md").read_text()
    assert committed == render(), "run: python -m formula.docs > docs/formulas.md"
    for fn in FUNCTIONS:
        assert f"### {fn.name}" in committed


def test_docs_module_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "formula.docs"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout == render()


def test_formula_imports_nothing_of_ours() -> None:
    allowed_roots = {"lark", "sqlalchemy", "formula"}
    ours = {"nocodedb", "fields", "views"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & ours, f"{path} imports {roots}"
            for r in roots:
                assert r in allowed_roots or r in sys.stdlib_module_names, f"{path} imports {r}"


def test_support_sql_is_one_ncdb_f_function_per_statement() -> None:
    for statement in SUPPORT_SQL:
        assert statement.startswith("CREATE OR REPLACE FUNCTION ncdb_f_")
        assert len(re.findall(r"CREATE OR REPLACE FUNCTION", statement)) == 1


def test_literals_are_bound_parameters() -> None:
    resolver = make_resolver([ResolvedField(1, "Name", TEXT, column("name"))])
    nasty = "x'); DROP TABLE rows; --"
    texts = [
        f'{{Name}} & "{nasty}"',
        f'REGEX_REPLACE({{Name}}, "{nasty}", "y")',
        "DATEADD(NOW(), 1, {Name})",
        "DATETIME_FORMAT(NOW(), {Name})",
        "IS_SAME(NOW(), NOW(), {Name})",
    ]
    for text in texts:
        sql = str(compile_formula(typecheck(parse(text), resolver)).compile(dialect=postgresql.dialect()))
        assert "DROP" not in sql
        assert "'" not in sql, sql  # not even a constant: every value is a parameter


def test_computed_units_compile_to_a_case_over_the_allowlist() -> None:
    resolver = make_resolver([ResolvedField(1, "Unit", TEXT, column("unit"))])
    sql = str(compile_formula(typecheck(parse("DATEADD(NOW(), 1, {Unit})"), resolver)).compile())
    assert "CASE WHEN" in sql


def test_no_helper_claims_to_be_parallel_safe() -> None:
    for statement in SUPPORT_SQL:
        assert "PARALLEL SAFE" not in statement.upper()
