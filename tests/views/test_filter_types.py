"""Every filter type against real PostgreSQL, on a table with one field of each kind (see conftest.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from fields import default_field_types
from nocodedb.services.metadata import row_source
from tests.views.conftest import Sample, matching
from views.filters import FilterContext, FilterError, compile_tree, default_filter_types

ALL = {"A", "B", "C", "D"}
CASES: list[tuple[str, str, str, set[str]]] = [
    ("Texte", "equal", "Lyon", {"B"}),
    ("Texte", "not_equal", "Lyon", {"A", "C", "D"}),
    ("Texte", "contains", "besancon", {"A"}),
    ("Texte", "contains", "LYON", {"B", "D"}),
    ("Texte", "contains", "100%_", set()),
    ("Texte", "contains_not", "lyon", {"A", "C"}),
    ("Texte", "contains_word", "centre", {"A"}),
    ("Texte", "contains_word", "cent", set()),
    ("Texte", "doesnt_contain_word", "lyon", {"A", "C"}),
    ("Texte", "length_is_lower_than", "5", {"B", "C"}),
    ("Texte", "empty", "", {"C"}),
    ("Texte", "not_empty", "", {"A", "B", "D"}),
    ("Texte", "equal", "", ALL),  # an empty value is no condition
    ("Nombre", "equal", "12", {"A"}),
    ("Nombre", "not_equal", "12", {"B", "C", "D"}),
    ("Nombre", "higher_than", "7.5", {"A"}),
    ("Nombre", "higher_than_or_equal", "7.5", {"A", "B"}),
    ("Nombre", "lower_than", "0", {"D"}),
    ("Nombre", "lower_than_or_equal", "7,5", {"B", "D"}),
    ("Nombre", "higher_than", "abc", ALL),
    ("Nombre", "is_even_and_whole", "", {"A", "D"}),
    ("Nombre", "contains", "7", {"B"}),
    ("Coche", "boolean", "1", {"A"}),
    ("Coche", "boolean", "0", {"B", "C", "D"}),
    ("Coche", "empty", "", {"B", "C", "D"}),
    ("Statut", "single_select_equal", "@Actif", {"A"}),
    ("Statut", "single_select_not_equal", "@Actif", {"B", "C", "D"}),
    ("Statut", "single_select_is_any_of", "@Actif,@Dormant", {"A", "B"}),
    ("Statut", "single_select_is_none_of", "@Actif", {"B", "C", "D"}),
    ("Statut", "contains", "dorm", {"B"}),
    ("Statut", "empty", "", {"C", "D"}),
    ("Tags", "multiple_select_has", "@x", {"A", "D"}),
    ("Tags", "multiple_select_has", "@x,@y", {"A", "B", "D"}),
    ("Tags", "multiple_select_has_not", "@x", {"B", "C"}),
    ("Tags", "contains", "y", {"A", "B"}),
    ("Tags", "empty", "", {"C"}),
    ("Jour", "date_is", "UTC??today", {"A"}),
    ("Jour", "date_is", "UTC??yesterday", {"B"}),
    ("Jour", "date_is", "UTC??tomorrow", set()),
    ("Jour", "date_is", "UTC?2024-04-01?exact_date", {"C"}),
    ("Jour", "date_is", "UTC??this_week", {"A", "B"}),
    ("Jour", "date_is", "UTC??one_week_ago", set()),
    ("Jour", "date_is", "UTC??next_week", set()),
    ("Jour", "date_is", "UTC??this_month", {"A", "B"}),
    ("Jour", "date_is", "UTC??one_month_ago", {"C"}),
    ("Jour", "date_is", "UTC??next_month", set()),
    ("Jour", "date_is", "UTC??this_year", {"A", "B", "C"}),
    ("Jour", "date_is", "UTC??one_year_ago", {"D"}),
    ("Jour", "date_is", "UTC??next_year", set()),
    ("Jour", "date_is", "UTC?1?nr_days_ago", {"B"}),
    ("Jour", "date_is", "UTC?0?nr_days_from_now", {"A"}),
    ("Jour", "date_is", "UTC?1?nr_months_ago", {"C"}),
    ("Jour", "date_is", "UTC?1?nr_years_ago", {"D"}),
    ("Jour", "date_is", "UTC?0?nr_weeks_ago", {"A", "B"}),
    ("Jour", "date_is_not", "UTC??today", {"B", "C", "D"}),
    ("Jour", "date_is_before", "UTC??today", {"B", "C", "D"}),
    ("Jour", "date_is_on_or_before", "UTC??yesterday", {"B", "C", "D"}),
    ("Jour", "date_is_after", "UTC?2024-04-01?exact_date", {"A", "B"}),
    ("Jour", "date_is_on_or_after", "UTC?2024-04-01?exact_date", {"A", "B", "C"}),
    ("Jour", "date_is_within", "UTC?7?nr_days_from_now", {"A"}),
    ("Jour", "date_is_within", "UTC?60?nr_days_ago", {"A", "B", "C"}),
    ("Jour", "date_is", "UTC?garbage?exact_date", ALL),
    ("Jour", "date_is", "Mars/Olympus?2024-04-01?exact_date", ALL),
    ("Jour", "date_equal", "2024-05-14", {"B"}),
    ("Jour", "date_equal", "Europe/Paris?2024-05-14", {"B"}),
    ("Jour", "date_not_equal", "2024-05-14", {"A", "C", "D"}),
    ("Jour", "date_before", "2024-05-14", {"C", "D"}),
    ("Jour", "date_before_or_equal", "2024-05-14", {"B", "C", "D"}),
    ("Jour", "date_after", "2024-05-14", {"A"}),
    ("Jour", "date_after_or_equal", "2024-05-14", {"A", "B"}),
    ("Moment", "date_is", "UTC??today", {"B"}),
    ("Moment", "date_is", "Europe/Paris??today", {"A", "B"}),
    ("Moment", "date_is", "UTC?2024-05-14?exact_date", {"A"}),
    ("Moment", "date_is", "Europe/Paris?2024-05-14?exact_date", set()),
    ("Moment", "empty", "", {"C", "D"}),
    ("Liens", "link_row_has", "1", {"A"}),
    ("Liens", "link_row_has_not", "1", {"B", "C", "D"}),
    ("Liens", "link_row_contains", "gren", {"A"}),
    ("Liens", "link_row_not_contains", "lyon", {"A", "C", "D"}),
    ("Liens", "empty", "", {"C", "D"}),
    ("Liens", "not_empty", "", {"A", "B"}),
    ("Recherche", "has_value_equal", "Alpha", {"A"}),
    ("Recherche", "has_not_value_equal", "Alpha", {"B", "C", "D"}),
    ("Recherche", "has_value_containing", "rou", {"B"}),
    ("Recherche", "has_not_value_containing", "rou", {"A", "C", "D"}),
    ("Recherche", "has_value_containing_word", "alpha", {"A"}),
    ("Recherche", "has_not_value_containing_word", "alpha", {"B", "C", "D"}),
    ("Recherche", "has_value_length_is_lower_than", "3", {"A"}),
    ("Recherche", "has_empty_value", "", {"A"}),
    ("Recherche", "has_not_empty_value", "", {"B", "C", "D"}),
    ("Recherche", "has_all_values_equal", "Rouge", {"B"}),
    ("Recherche", "has_any_select_option_equal", "11", {"B"}),
    ("Recherche", "has_none_select_option_equal", "11", {"A", "C", "D"}),
    ("Recherche", "empty", "", {"C", "D"}),
]


def _value(sample: Sample, field_name: str, value: str) -> str:
    """'@Actif' names a select option of the field; the filter takes its id."""
    if "@" not in value:
        return value
    options = sample.options[field_name]
    return ",".join(str(options[part.lstrip("@")]) for part in value.split(","))


async def test_every_filter_type_on_postgresql(sample: Sample, engine) -> None:
    failures = []
    for field_name, filter_type, value, expected in CASES:
        tree = {
            "filters": [
                {
                    "field": sample.field(field_name).id,
                    "type": filter_type,
                    "value": _value(sample, field_name, value),
                }
            ]
        }
        got = await matching(engine, sample, tree)
        if got != expected:
            failures.append((field_name, filter_type, value, sorted(expected), sorted(got)))
    assert not failures


def test_every_registered_filter_type_has_a_case() -> None:
    assert set(default_filter_types().names()) <= {c[1] for c in CASES}


def test_every_filter_type_names_field_types_that_exist() -> None:
    field_types = default_field_types()
    kinds = {t.compare_as for _, t in field_types.items()}
    for name, filter_type in default_filter_types().items():
        assert filter_type.applies_to is None or filter_type.applies_to & kinds, name
        assert any(filter_type.compatible(t) for _, t in field_types.items()), name


async def test_nested_groups(sample: Sample, engine) -> None:
    f = sample.fields
    tree = {
        "filter_type": "OR",
        "filters": [{"field": f["Texte"].id, "type": "contains", "value": "lyon"}],
        "groups": [
            {
                "filter_type": "AND",
                "filters": [
                    {"field": f["Nombre"].id, "type": "higher_than", "value": "10"},
                    {"field": f["Coche"].id, "type": "boolean", "value": "1"},
                ],
                "groups": [
                    {
                        "filter_type": "OR",
                        "filters": [
                            {"field": f["Jour"].id, "type": "date_is", "value": "UTC??today"},
                        ],
                    }
                ],
            }
        ],
    }
    assert await matching(engine, sample, tree) == {"A", "B", "D"}


def test_compile_errors_and_bound_values() -> None:
    from fields import Field

    text_field = Field(id=1, table_id=1, name="T", type="text")
    number_field = Field(id=2, table_id=1, name="N", type="number")
    by_id = {1: text_field, 2: number_field}
    ctx = FilterContext(default_field_types(), default_filter_types(), lambda ref: by_id.get(ref), row_source())
    for tree, kind in (
        ({"filters": [{"field": 9, "type": "equal", "value": "x"}]}, "field_not_found"),
        ({"filters": [{"field": 1, "type": "nope", "value": "x"}]}, "type_unknown"),
        ({"filters": [{"field": 1, "type": "boolean", "value": "1"}]}, "not_compatible"),
        ({"filter_type": "XOR", "filters": []}, "invalid"),
        ({"filters": [{"field": 1, "type": "equal", "value": "x"}] * 201}, "invalid"),
    ):
        with pytest.raises(FilterError) as caught:
            compile_tree(tree, ctx)
        assert caught.value.kind == kind
    evil = "x'; DROP TABLE rows; --"
    sql = str(
        compile_tree({"filters": [{"field": 1, "type": "equal", "value": evil}]}, ctx).compile(
            dialect=postgresql.dialect()
        )
    )
    assert "DROP" not in sql
    # A stored view skips a filter that no longer fits instead of failing.
    lenient = FilterContext(
        default_field_types(),
        default_filter_types(),
        lambda ref: by_id.get(ref),
        row_source(),
        skip_unusable=True,
    )
    assert str(compile_tree({"filters": [{"field": 1, "type": "boolean", "value": "1"}]}, lenient)) == "true"
