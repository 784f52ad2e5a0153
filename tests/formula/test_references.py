"""References by id: storage, display with current names, deleted fields, repair by name."""

from __future__ import annotations

import pytest
from sqlalchemy import column

from formula import (
    NUMBER,
    TEXT,
    FormulaError,
    ResolvedField,
    make_resolver,
    parse_stored,
    references,
    refresh_storage,
    to_display,
    to_storage,
    typecheck,
    unbound_names,
)

NAMES = {"Price": 1, "Qty": 2, "Unit name": 3}


def ids(name: str) -> int | None:
    return NAMES.get(name)


def test_storage_uses_ids_and_keeps_the_style() -> None:
    stored = to_storage("{Price} * Qty & field('Unit name')", ids)
    assert stored == "@1{Price} * @2Qty & @3field('Unit name')"
    assert references(parse_stored(stored)) == {1, 2, 3}
    assert parse_stored(stored).dialect == "baserow"


def test_display_shows_current_names_after_a_rename() -> None:
    stored = to_storage("{Price} * Qty", ids)
    renamed = {1: "Unit price", 2: "Qty"}
    assert to_display(stored, renamed.get) == "{Unit price} * Qty"


def test_a_rename_to_a_name_that_is_not_one_word_uses_braces() -> None:
    stored = to_storage("Qty + 1", ids)
    assert to_display(stored, {2: "How many"}.get) == "{How many} + 1"


def test_a_deleted_field_keeps_its_last_name_and_fails_type_check() -> None:
    stored = to_storage("{Price} * 2", ids)
    assert to_display(stored, {}.get) == "{Price} * 2"
    resolver = make_resolver([ResolvedField(2, "Qty", NUMBER, column("q"))])
    with pytest.raises(FormulaError, match="field 'Price' does not exist") as info:
        typecheck(parse_stored(stored), resolver)
    assert info.value.position == 0


def test_a_field_with_the_name_again_repairs_the_formula() -> None:
    stored = to_storage("{Price} * 2", ids)
    # Field 1 was deleted; a new "Price" has id 7.
    repaired = refresh_storage(stored, {2: "Qty"}.get, {"Price": 7}.get)
    assert repaired == "@7{Price} * 2"
    assert references(parse_stored(repaired)) == {7}


def test_refresh_remembers_new_names() -> None:
    stored = to_storage("{Price} * 2", ids)
    assert refresh_storage(stored, {1: "Cost"}.get, {}.get) == "@1{Cost} * 2"


def test_unknown_names_are_stored_unbound() -> None:
    stored = to_storage("{Nope} + {Price}", ids)
    assert stored == "{Nope} + @1{Price}"
    assert unbound_names(parse_stored(stored)) == {"Nope"}
    assert references(parse_stored(stored)) == {1}


def test_resolver_binds_by_id_before_name() -> None:
    fields = [ResolvedField(1, "Cost", NUMBER, column("a")), ResolvedField(9, "Price", TEXT, column("b"))]
    resolve = make_resolver(fields)
    typed = typecheck(parse_stored(to_storage("{Price} * 2", ids)), resolve)
    assert typed.type == NUMBER  # id 1 ("Cost" now), not the text field that took the name
