"""Sample fields and values for every built-in field type, shared by the pure and the SQL tests."""

from __future__ import annotations

from typing import Any

from fields import Field, FieldType, default_field_types

REGISTRY = default_field_types()

# Computed types need other fields to exist (their options name them); their own tests cover them.
COMPUTED_ELSEWHERE = {"link_row", "lookup", "rollup", "count", "formula"}

SELECT_OPTIONS: dict[str, Any] = {
    "select_options": [
        {"id": 1, "value": "Red", "color": "red"},
        {"id": 2, "value": "green", "color": "green"},
        {"id": 3, "value": "Blue sky", "color": "blue"},
    ]
}

OPTIONS: dict[str, dict[str, Any]] = {
    "number": {"number_decimal_places": 1},
    "single_select": SELECT_OPTIONS,
    "multiple_select": SELECT_OPTIONS,
    "duration": {"duration_format": "h:mm:ss"},
}

# API values each type must round-trip: prepare_value -> to_api -> prepare_value.
API_SAMPLES: dict[str, list[Any]] = {
    "text": ["Grenoble", "3,5", "a ' quote"],
    "long_text": ["two\nlines"],
    "number": ["3.5", "-2.0", "10.0"],
    "rating": [0, 3, 5],
    "boolean": [True, False],
    "date": ["2024-05-01", "1999-12-31"],
    "duration": [5400, 0, 90061],
    "single_select": [1, 3],
    "multiple_select": [[3, 1], [2]],
    "url": ["https://example.org/a?b=c"],
    "email": ["ana@example.org"],
    "phone_number": ["+33 6 12 34 56 78"],
    "autonumber": [1, 42],
    "uuid": ["9b2f8f8e-2c39-4c57-9a7f-0e4d1e0f6a11"],
    "created_on": ["2024-05-01"],
    "last_modified": ["2024-05-01"],
    "created_by": [{"id": 1, "name": "Ana"}],
    "last_modified_by": [{"id": 2, "name": None}],
}

# Text cells each type must parse (parse_text -> prepare_value), as in a CSV import.
TEXT_SAMPLES: dict[str, list[str]] = {
    "text": ["Grenoble", ""],
    "long_text": ["a\nb"],
    "number": ["3,5", "1 234,5", "-7", ""],
    "rating": ["3", "★★", ""],
    "boolean": ["oui", "checked", "0", "", "FAUX"],
    "date": ["31/12/2024", "2024-12-31", "1/2/24", ""],
    "duration": ["1:30", "1:30:15", "2d 3h", "90", ""],
    "single_select": ["red", " Blue sky ", ""],
    "multiple_select": ["red, green", "Blue sky", ""],
    "url": ["example.org"],
    "email": [" ana@example.org "],
    "phone_number": ["06 12 34 56 78"],
    "autonumber": ["12"],
    "uuid": ["9B2F8F8E-2C39-4C57-9A7F-0E4D1E0F6A11"],
    "created_on": ["01/05/2024"],
    "last_modified": ["2024-05-01"],
    "created_by": ["Ana"],
    "last_modified_by": [""],
}

# Values each type must refuse with a FieldValueError.
BAD_VALUES: dict[str, list[Any]] = {
    "text": [["list"], {"a": 1}, True, "x" * 10_001, "nul\x00"],
    "long_text": [{"a": 1}],
    "number": ["abc", True, "1.25", "nan", "1e999", [1]],
    "rating": [6, -1, "x", 2.5, True],
    "boolean": ["maybe", 2, [True], {}],
    "date": ["2024-02-30", "99/99/9999", "tomorrow", 20240101, "2024-13-01", ["2024-01-01"]],
    "duration": ["abc", True, float("inf"), "1:30:xx", {"s": 1}, 10**13],
    "single_select": [99, "Purple", True, [1], 1.5],
    "multiple_select": [[99], ["Purple"], 1, {"id": 1}, [True]],
    "url": ["not a url"],
    "email": ["nope"],
    "phone_number": ["call me"],
    "autonumber": [-1, "x", 1.5, True],
    "uuid": ["1234", 5],
    "created_on": ["yesterday", 3],
    "last_modified": [[]],
    "created_by": ["Ana", {"id": "x"}, True],
    "last_modified_by": [{"name": "no id"}],
}


def make_field(type_name: str, field_id: int = 7, options: dict[str, Any] | None = None) -> Field:
    field_type = REGISTRY.get(type_name)
    raw = OPTIONS.get(type_name, {}) if options is None else options
    return Field(
        id=field_id,
        table_id=1,
        name=type_name,
        type=type_name,
        options=field_type.validate_options(raw),
    )


def field_type(type_name: str) -> FieldType:
    return REGISTRY.get(type_name)


# The types these tests cover: every registered type but the computed ones.
TYPES = [name for name in REGISTRY.names() if name not in COMPUTED_ELSEWHERE]
