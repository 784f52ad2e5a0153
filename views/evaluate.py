"""Evaluating a filter tree in Python, on one row's stored values (the JSON of rows.data).

Used where there is no SQL to run: form conditions ("show this field when an earlier answer matches")
are checked on the submitted values; and the tests compare it with the SQL of compile_tree on random
trees and rows. It follows the SQL semantics of views/filter_*.py; filter types it does not know
evaluate as True (no condition), like an inactive filter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from fields import Field, FieldType, Registry
from fields.base import for_field
from views.filter_dates import day_range, has_time, parse_value
from views.filter_scalar import TRUE_WORDS
from views.filter_select import option_ids
from views.filters import MAX_DEPTH, FilterType, fold_text, parse_number

Values = dict[str, Any]


def _options(f: Field) -> dict[int, str]:
    return {int(o["id"]): str(o["value"]) for o in f.options.get("select_options", []) or []}


class Unsupported(ValueError):
    """A value this evaluator does not read (links, lookups...): the condition is left out, as in SQL."""


def display_text(field_type: FieldType, f: Field, stored: Any) -> str | None:
    """The text SQL's text_sql gives for the stored value; raises Unsupported for other types."""
    kind = field_type.compare_as
    if stored is None:
        return None if kind != "boolean" else "false"
    if kind in ("text", "number"):
        return str(stored)
    if kind == "boolean":
        return "true" if stored is True else "false"
    if kind == "select":
        return _options(f).get(stored) if isinstance(stored, int) else None
    if kind == "multiple":
        names = [_options(f)[i] for i in stored if isinstance(i, int) and i in _options(f)]
        return ", ".join(names) if names else None
    raise Unsupported(kind)


def _decimal(stored: Any) -> Decimal | None:
    try:
        return Decimal(str(stored)) if stored is not None else None
    except InvalidOperation:
        return None


def _moment(field_type: FieldType, f: Field, stored: Any) -> dt.date | dt.datetime | None:
    if not isinstance(stored, str) or not stored:
        return None
    if has_time(field_type, f):
        text = stored if "T" in stored else f"{stored}T00:00:00Z"
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt.date.fromisoformat(stored[:10])


Check = Callable[[FieldType, Field, Any, str, dt.datetime], bool]


def _equal(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    if ft.compare_as == "number":
        number = parse_number(value)
        return True if number is None else _decimal(stored) == number
    return display_text(ft, f, stored) == value


def _not_equal(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    if ft.compare_as == "number" and parse_number(value) is None:
        return True
    return not _equal(ft, f, stored, value, now)


def _contains(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    text = display_text(ft, f, stored)
    return text is not None and fold_text(value) in fold_text(text)


def _contains_word(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    text = display_text(ft, f, stored)
    if not value.strip():
        return True
    return text is not None and re.search(rf"\b{re.escape(fold_text(value.strip()))}\b", fold_text(text)) is not None


def _empty(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    if ft.compare_as == "boolean":
        return stored is not True
    if ft.compare_as in ("array", "link", "date"):
        return not stored
    return display_text(ft, f, stored) in (None, "")


def _number(op: Callable[[Decimal, Decimal], bool]) -> Check:
    def check(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
        number = parse_number(value)
        if number is None:
            return True
        current = _decimal(stored)
        return current is not None and op(current, number)

    return check


def _boolean(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    return (stored is True) == (value.strip().lower() in TRUE_WORDS)


def _select_any(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    ids = option_ids(value)
    return True if not ids else stored in ids


def _select_equal(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    ids = option_ids(value)[:1]
    return True if not ids else stored == ids[0]


def _multiple_has(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
    ids = option_ids(value)
    return True if not ids else isinstance(stored, list) and any(i in stored for i in ids)


def _negate(check: Check, needs_value: Callable[[str], bool] = lambda v: True) -> Check:
    def negated(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
        if not needs_value(value):
            return True
        return not check(ft, f, stored, value, now)

    return negated


def _date(kind: str, *, legacy: bool = False, negate: bool = False) -> Check:
    def check(ft: FieldType, f: Field, stored: Any, value: str, now: dt.datetime) -> bool:
        parsed = parse_value(value, legacy=legacy)
        days = day_range(parsed, now) if parsed else None
        if parsed is None or days is None:
            return True
        moment = _moment(ft, f, stored)
        today = now.astimezone(parsed.zone).date()
        moment_day = moment.astimezone(parsed.zone).date() if isinstance(moment, dt.datetime) else moment
        if moment_day is None:
            return negate
        start, end = days
        result = {
            "is": start <= moment_day < end,
            "before": moment_day < start,
            "on_or_before": moment_day < end,
            "after": moment_day >= end,
            "on_or_after": moment_day >= start,
            "within": (today <= moment_day < end) if end > today else (start <= moment_day < today + dt.timedelta(1)),
        }[kind]
        return not result if negate else result

    return check


CHECKS: dict[str, Check] = {
    "equal": _equal,
    "not_equal": _not_equal,
    "contains": _contains,
    "contains_not": _negate(_contains),
    "contains_word": _contains_word,
    "doesnt_contain_word": _negate(_contains_word, lambda v: bool(v.strip())),
    "length_is_lower_than": lambda ft, f, s, v, n: (
        True
        if not (v.strip().isascii() and v.strip().isdigit())
        else len(display_text(ft, f, s) or "") < int(v.strip())
    ),
    "higher_than": _number(lambda a, b: a > b),
    "higher_than_or_equal": _number(lambda a, b: a >= b),
    "lower_than": _number(lambda a, b: a < b),
    "lower_than_or_equal": _number(lambda a, b: a <= b),
    "is_even_and_whole": lambda ft, f, s, v, n: _decimal(s) is not None and _decimal(s) % 2 == 0,  # type: ignore[operator]
    "empty": _empty,
    "not_empty": _negate(_empty),
    "boolean": _boolean,
    "single_select_equal": _select_equal,
    "single_select_not_equal": _negate(_select_equal, lambda v: bool(option_ids(v))),
    "single_select_is_any_of": _select_any,
    "single_select_is_none_of": _negate(_select_any, lambda v: bool(option_ids(v))),
    "multiple_select_has": _multiple_has,
    "multiple_select_has_not": _negate(_multiple_has, lambda v: bool(option_ids(v))),
    "date_is": _date("is"),
    "date_is_not": _date("is", negate=True),
    "date_is_before": _date("before"),
    "date_is_on_or_before": _date("on_or_before"),
    "date_is_after": _date("after"),
    "date_is_on_or_after": _date("on_or_after"),
    "date_is_within": _date("within"),
    "date_equal": _date("is", legacy=True),
    "date_not_equal": _date("is", legacy=True, negate=True),
}


def evaluate_tree(
    tree: dict[str, Any],
    values: Values,
    resolve: Callable[[Any], Field | None],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    now: dt.datetime,
    depth: int = 0,
) -> bool:
    """Does the row (stored values by field key) match the tree? Unknown or unusable conditions pass."""
    if depth > MAX_DEPTH:
        return True
    results: list[bool] = []
    for condition in tree.get("filters", []) or []:
        outcome = _evaluate_condition(condition, values, resolve, field_types, filter_types, now)
        if outcome is not None:
            results.append(outcome)
    for group in tree.get("groups", []) or []:
        results.append(evaluate_tree(group, values, resolve, field_types, filter_types, now, depth + 1))
    if not results:
        return True
    return all(results) if str(tree.get("filter_type", "AND")).upper() == "AND" else any(results)


def _evaluate_condition(
    condition: dict[str, Any],
    values: Values,
    resolve: Callable[[Any], Field | None],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    now: dt.datetime,
) -> bool | None:
    f = resolve(condition.get("field"))
    type_name = condition.get("type")
    if f is None or type_name not in filter_types or f.type not in field_types:
        return None
    filter_type, field_type = filter_types.get(type_name), for_field(field_types.get(f.type), f)
    if not filter_type.compatible(field_type) or type_name not in CHECKS:
        return None
    value = "" if condition.get("value") is None else str(condition.get("value"))
    if value == "" and filter_type.empty_value_is_inactive:
        return None
    try:
        return CHECKS[type_name](field_type, f, values.get(f.key), value, now)
    except Unsupported:
        return None
