"""Footer totals ("aggregations") of a view's field: each a registered type compiling to one SQL aggregate
over the field type's SQL, so they run in the same query as the view's filters. Distribution (the ten most
frequent values) is the one that needs its own grouped query, built by distribution_query's caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Numeric, and_, case, cast, false, func, literal, true
from sqlalchemy.sql.elements import ColumnElement

from fields import Field, FieldType, Registry, RowSource
from views.filter_scalar import EmptyFilter
from views.filters import Compiling

Build = Callable[[FieldType, Field, RowSource], ColumnElement[Any]]


def is_empty(field_type: FieldType, f: Field, row: RowSource) -> ColumnElement[bool]:
    return EmptyFilter().compile(field_type, f, row, "", Compiling())


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.count().filter(condition)


def _percent(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    share = cast(_count_where(condition), Numeric) * 100 / func.nullif(func.count(), 0)
    return func.round(share, 2)


def _number(ft: FieldType, f: Field, row: RowSource) -> ColumnElement[Any]:
    return cast(ft.sql_value(f, row), Numeric)


def _checked(ft: FieldType, f: Field, row: RowSource) -> ColumnElement[bool]:
    return func.coalesce(ft.sql_value(f, row), false()) == true()


@dataclass(frozen=True)
class AggregationType:
    type: str
    build: Build
    # compare_as kinds it applies to; None: every field type.
    applies_to: frozenset[str] | None = None

    def compatible(self, field_type: FieldType) -> bool:
        return self.applies_to is None or field_type.compare_as in self.applies_to


NUMBERS = frozenset({"number"})
DATES = frozenset({"date"})
BOOLEANS = frozenset({"boolean"})
DISTRIBUTION = "distribution"

AGGREGATIONS = [
    AggregationType("count", lambda ft, f, row: func.count()),
    AggregationType("empty_count", lambda ft, f, row: _count_where(is_empty(ft, f, row))),
    AggregationType("not_empty_count", lambda ft, f, row: _count_where(is_empty(ft, f, row) == false())),
    AggregationType("empty_percentage", lambda ft, f, row: _percent(is_empty(ft, f, row))),
    AggregationType("not_empty_percentage", lambda ft, f, row: _percent(is_empty(ft, f, row) == false())),
    AggregationType("unique_count", lambda ft, f, row: func.count(func.distinct(ft.text_sql(f, row)))),
    AggregationType("min", lambda ft, f, row: func.min(_number(ft, f, row)), NUMBERS),
    AggregationType("max", lambda ft, f, row: func.max(_number(ft, f, row)), NUMBERS),
    AggregationType("sum", lambda ft, f, row: func.sum(_number(ft, f, row)), NUMBERS),
    AggregationType("average", lambda ft, f, row: func.avg(_number(ft, f, row)), NUMBERS),
    AggregationType("median", lambda ft, f, row: func.percentile_cont(0.5).within_group(_number(ft, f, row)), NUMBERS),
    AggregationType("std_dev", lambda ft, f, row: func.stddev_pop(_number(ft, f, row)), NUMBERS),
    AggregationType("variance", lambda ft, f, row: func.var_pop(_number(ft, f, row)), NUMBERS),
    AggregationType("earliest_date", lambda ft, f, row: func.min(ft.sql_value(f, row)), DATES),
    AggregationType("latest_date", lambda ft, f, row: func.max(ft.sql_value(f, row)), DATES),
    AggregationType("checked_count", lambda ft, f, row: _count_where(_checked(ft, f, row)), BOOLEANS),
    AggregationType("not_checked_count", lambda ft, f, row: _count_where(_checked(ft, f, row) == false()), BOOLEANS),
    AggregationType("checked_percentage", lambda ft, f, row: _percent(_checked(ft, f, row)), BOOLEANS),
    AggregationType(
        "not_checked_percentage", lambda ft, f, row: _percent(and_(_checked(ft, f, row) == false())), BOOLEANS
    ),
    # Computed by its own grouped query; registered so that it can be chosen and checked like the others.
    AggregationType(DISTRIBUTION, lambda ft, f, row: literal(None)),
]


def default_aggregation_types() -> Registry[AggregationType]:
    registry: Registry[AggregationType] = Registry("aggregation type")
    for aggregation in AGGREGATIONS:
        registry.register(aggregation.type, aggregation)
    return registry


def distribution_value(ft: FieldType, f: Field, row: RowSource) -> ColumnElement[Any]:
    """What distribution groups by: the displayed text (NULL for empty)."""
    return case((is_empty(ft, f, row), literal(None)), else_=ft.text_sql(f, row))
