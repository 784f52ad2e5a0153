"""Registry-wide and per-type tests of value conversion in Python (no database)."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import pytest
from field_samples import (
    API_SAMPLES,
    BAD_VALUES,
    COMPUTED_ELSEWHERE,
    REGISTRY,
    TEXT_SAMPLES,
    TYPES,
    field_type,
    make_field,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from fields import FieldValueError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=8,
)


def test_every_type_has_samples() -> None:
    # A new type fails here until it has samples (or is a computed type tested on its own).
    assert set(REGISTRY.names()) == set(TYPES) | COMPUTED_ELSEWHERE
    for samples in (API_SAMPLES, TEXT_SAMPLES, BAD_VALUES):
        assert set(samples) == set(TYPES)


@pytest.mark.parametrize("type_name", TYPES)
def test_options_model_validates_its_defaults(type_name: str) -> None:
    ft = field_type(type_name)
    defaults = ft.options_model().model_dump(mode="json")
    assert ft.validate_options(defaults) == ft.validate_options({})


@pytest.mark.parametrize("type_name", TYPES)
def test_api_value_round_trips(type_name: str) -> None:
    ft, f = field_type(type_name), make_field(type_name)
    for value in API_SAMPLES[type_name]:
        stored = ft.prepare_value(f, value)
        api = ft.to_api(f, stored)
        assert ft.prepare_value(f, api) == stored
        assert ft.to_api(f, ft.prepare_value(f, api)) == api


@pytest.mark.parametrize("type_name", TYPES)
def test_text_cell_parses(type_name: str) -> None:
    ft, f = field_type(type_name), make_field(type_name)
    for text in TEXT_SAMPLES[type_name]:
        stored = ft.prepare_value(f, ft.parse_text(f, text))
        # Whatever is stored reads back and is accepted again.
        assert ft.prepare_value(f, ft.to_api(f, stored)) == stored


@pytest.mark.parametrize("type_name", TYPES)
def test_bad_values_give_field_value_errors(type_name: str) -> None:
    ft, f = field_type(type_name), make_field(type_name)
    for value in BAD_VALUES[type_name]:
        with pytest.raises(FieldValueError) as caught:
            ft.prepare_value(f, value)
        assert caught.value.message and caught.value.code


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=60, deadline=None)
@given(value=json_values)
def test_arbitrary_json_gives_only_field_value_errors(type_name: str, value: Any) -> None:
    ft, f = field_type(type_name), make_field(type_name)
    try:
        stored = ft.prepare_value(f, value)
    except FieldValueError:
        return
    ft.to_api(f, stored)


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=30))
def test_arbitrary_text_cells_give_only_field_value_errors(type_name: str, text: str) -> None:
    ft, f = field_type(type_name), make_field(type_name)
    with contextlib.suppress(FieldValueError):
        ft.prepare_value(f, ft.parse_text(f, text))


def test_automatic_types_are_read_only_and_primary_capable() -> None:
    for name in ("autonumber", "uuid", "created_on", "last_modified", "created_by", "last_modified_by"):
        assert field_type(name).read_only
        assert field_type(name).can_be_primary
    assert not field_type("created_on").stored_in_data
    assert field_type("autonumber").stored_in_data


# --- boolean ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["1", "true", "T", "y", "yes", "on", "checked", "oui", "VRAI", " yes "])
def test_boolean_true_words(word: str) -> None:
    assert field_type("boolean").prepare_value(make_field("boolean"), word) is True


@pytest.mark.parametrize("word", ["0", "false", "f", "n", "no", "off", "non", "faux", ""])
def test_boolean_false_words(word: str) -> None:
    assert field_type("boolean").prepare_value(make_field("boolean"), word) is False


def test_boolean_reads_false_when_empty() -> None:
    assert field_type("boolean").to_api(make_field("boolean"), None) is False


# --- date ------------------------------------------------------------------------------------------


def date_field(**options: Any) -> Any:
    return make_field("date", options=options)


def test_date_options_check_the_time_zone() -> None:
    ft = field_type("date")
    assert ft.validate_options({"date_force_timezone": "Europe/Paris"})["date_force_timezone"] == "Europe/Paris"
    with pytest.raises(ValueError):
        ft.validate_options({"date_force_timezone": "Mars/Olympus"})
    with pytest.raises(ValueError):
        ft.validate_options({"date_format": "FR"})


@pytest.mark.parametrize(
    ("options", "value", "stored"),
    [
        ({}, "2024-05-01", "2024-05-01"),
        ({}, "2024-05-01T23:30:00+02:00", "2024-05-01"),
        ({"date_include_time": True}, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
        ({"date_include_time": True}, "2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z"),
        ({"date_include_time": True}, "2024-05-01T10:00:00.123456Z", "2024-05-01T10:00:00Z"),
        ({"date_include_time": True}, "2024-05-01T10:00", "2024-05-01T10:00:00Z"),
        (
            {"date_include_time": True, "date_force_timezone": "Europe/Paris"},
            "2024-05-01T10:00",
            "2024-05-01T08:00:00Z",
        ),
        (
            {"date_include_time": True, "date_force_timezone": "Europe/Paris"},
            "2024-01-01",
            "2023-12-31T23:00:00Z",
        ),
    ],
)
def test_date_api_values(options: dict[str, Any], value: str, stored: str) -> None:
    assert field_type("date").prepare_value(date_field(**options), value) == stored


def test_date_reads_fit_the_options() -> None:
    ft = field_type("date")
    assert ft.to_api(date_field(date_include_time=True), "2024-05-01") == "2024-05-01T00:00:00Z"
    assert ft.to_api(date_field(), "2024-05-01T10:00:00Z") == "2024-05-01"


@pytest.mark.parametrize(
    ("options", "text", "stored"),
    [
        ({}, "31/12/2024", "2024-12-31"),
        ({"date_format": "US"}, "12/31/2024", "2024-12-31"),
        ({"date_format": "ISO"}, "2024-12-31", "2024-12-31"),
        ({"date_include_time": True}, "31/12/2024 10:05", "2024-12-31T10:05:00Z"),
        ({"date_include_time": True, "date_format": "US"}, "12/31/2024 10:05 PM", "2024-12-31T22:05:00Z"),
        ({"date_include_time": True}, "31.12.24", "2024-12-31T00:00:00Z"),
    ],
)
def test_date_text_cells(options: dict[str, Any], text: str, stored: str) -> None:
    ft, f = field_type("date"), date_field(**options)
    assert ft.prepare_value(f, ft.parse_text(f, text)) == stored


def test_date_formula_type_follows_the_time_option() -> None:
    ft = field_type("date")
    assert ft.field_formula_type(date_field()) == "date"  # type: ignore[attr-defined]
    assert ft.field_formula_type(date_field(date_include_time=True)) == "datetime"  # type: ignore[attr-defined]


# --- duration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "value", "stored"),
    [
        ("h:mm", 5430, 5460),
        ("h:mm", "1:30", 5400),
        ("h:mm:ss", "1:30:15", 5415),
        ("h:mm:ss.s", 1.25, 1.3),
        ("d h", "2d 3h", 183600),
        ("d h:mm", "1d 2:30", 95400),
        ("h:mm:ss", "-0:00:10", -10),
    ],
)
def test_duration_values(fmt: str, value: Any, stored: Any) -> None:
    f = make_field("duration", options={"duration_format": fmt})
    result = field_type("duration").prepare_value(f, value)
    assert math.isclose(result, stored)


# --- selects ---------------------------------------------------------------------------------------


def test_select_writes_ids_or_values_and_reads_objects() -> None:
    ft, f = field_type("single_select"), make_field("single_select")
    assert ft.prepare_value(f, "RED") == 1
    assert ft.prepare_value(f, 2) == 2
    assert ft.to_api(f, 3) == {"id": 3, "value": "Blue sky", "color": "blue"}
    assert ft.to_api(f, 99) is None
    with pytest.raises(FieldValueError, match="Purple"):
        ft.prepare_value(f, "Purple")


def test_multiple_select_deduplicates_and_keeps_order() -> None:
    ft, f = field_type("multiple_select"), make_field("multiple_select")
    assert ft.prepare_value(f, [3, "red", "Blue sky", 1]) == [3, 1]
    assert [o["id"] for o in ft.to_api(f, [3, 99, 1])] == [3, 1]
    assert ft.prepare_value(f, []) is None
    assert ft.to_api(f, None) == []


def test_select_options_keep_existing_ids_and_number_new_ones() -> None:
    ft = field_type("single_select")
    old = make_field("single_select")
    new = ft.validate_options(
        {"select_options": [{"id": 3, "value": "Blue"}, {"value": "Pink"}, {"id": 50, "value": "Stale id"}]},
        old,
    )
    assert [(o["id"], o["value"]) for o in new["select_options"]] == [
        (3, "Blue"),
        (4, "Pink"),
        (5, "Stale id"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        {"select_options": [{"id": 1, "value": "a"}, {"id": 1, "value": "b"}]},
        {"select_options": [{"value": "x" * 256}]},
        {"select_options": [{"value": str(i)} for i in range(1001)]},
        {"select_options": "nope"},
    ],
)
def test_bad_select_options_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        field_type("single_select").validate_options(raw, make_field("single_select"))


def test_options_with_values_adds_missing_texts_once() -> None:
    from fields.select_options import options_with_values

    options = options_with_values(make_field("single_select").options, ["red", "Pink", None, " pink ", "", "Grey"])
    assert [(o["id"], o["value"]) for o in options["select_options"][3:]] == [(4, "Pink"), (5, "Grey")]


def test_select_options_keep_given_ids_on_creation() -> None:
    new = field_type("multiple_select").validate_options({"select_options": [{"id": 9, "value": "a"}, {"value": "b"}]})
    assert [o["id"] for o in new["select_options"]] == [9, 10]


def test_autonumber_sequence_ddl_names_only_the_integer_id() -> None:
    ft, f = field_type("autonumber"), make_field("autonumber", field_id=12)
    assert ft.ddl_on_create(f, table_id=3) == ["CREATE SEQUENCE IF NOT EXISTS ncdb_autonumber_12 AS bigint MINVALUE 1"]
    assert ft.ddl_on_delete(f) == ["DROP SEQUENCE IF EXISTS ncdb_autonumber_12"]
    assert field_type("text").ddl_on_create(make_field("text"), table_id=3) == []
    assert field_type("text").new_row_value_sql(make_field("text")) is None


def test_fields_never_import_nocodedb() -> None:
    import ast
    from pathlib import Path

    import fields

    for path in Path(fields.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "nocodedb" for n in names), path


def test_select_types_offer_options_with_values_to_the_service() -> None:
    ft, f = field_type("multiple_select"), make_field("multiple_select")
    options = ft.options_with_values(f.options, ["Pink", "red"])  # type: ignore[attr-defined]
    assert [o["value"] for o in options["select_options"]] == ["Red", "green", "Blue sky", "Pink"]


def _outcome(ft: Any, f: Any, value: Any) -> tuple[str, str]:
    try:
        return ("value", ft.prepare_value(f, value))
    except FieldValueError as exc:
        return ("error", exc.code)


@settings(max_examples=300)
@given(
    st.integers(min_value=-(10**55), max_value=10**55) | st.sampled_from([0, -1, 10**49, 10**50, -(10**40)]),
    st.integers(min_value=0, max_value=10),
    st.booleans(),
)
def test_whole_numbers_take_the_decimal_path_s_answer(value: int, places: int, negative: bool) -> None:
    """Integers skip the Decimal checks; they must give what the same number written as text gives."""
    ft = field_type("number")
    f = make_field("number", options={"number_decimal_places": places, "number_negative": negative})
    assert _outcome(ft, f, value) == _outcome(ft, f, str(value))


@pytest.mark.parametrize(
    ("places", "value", "stored"),
    [(7, "0.0000001", "0.0000001"), (7, 0, "0.0000000"), (3, "-0.000", "0.000"), (2, 1e-2, "0.01"), (0, "1e3", "1000")],
)
def test_numbers_are_stored_in_fixed_point(places: int, value: Any, stored: str) -> None:
    f = make_field("number", options={"number_decimal_places": places})
    assert field_type("number").prepare_value(f, value) == stored
