"""Random filter trees on random rows: the SQL of compile_tree selects exactly the rows that the plain
Python evaluation (views/evaluate.py) accepts. Hypothesis drives the examples from a worker thread and
runs each check on the test's event loop, so it shrinks failures as usual."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select

from fields import default_field_types
from nocodedb.db.schema import rows
from nocodedb.db.schema import tables as tables_table
from nocodedb.services.metadata import load_fields, row_source
from tests.factories import Api
from tests.views.conftest import FIELD_SPECS, NOW
from views.evaluate import evaluate_tree
from views.filters import Compiling, FilterContext, compile_tree, default_filter_types

ALPHABET = "abéEç lyo"
texts = st.text(alphabet=ALPHABET, max_size=6)
numbers = st.integers(-20, 20).map(lambda n: f"{n / 2:.1f}")
days = st.dates(dt.date(2023, 12, 1), dt.date(2024, 6, 30)).map(dt.date.isoformat)
DATE_OPERATORS = [
    "today",
    "yesterday",
    "tomorrow",
    "one_week_ago",
    "this_week",
    "next_week",
    "this_month",
    "one_month_ago",
    "this_year",
    "one_year_ago",
    "nr_days_ago",
    "nr_days_from_now",
    "exact_date",
]
DATE_FILTERS = [
    "date_is",
    "date_is_not",
    "date_is_before",
    "date_is_on_or_before",
    "date_is_after",
    "date_is_on_or_after",
    "date_is_within",
]


@st.composite
def date_value(draw: Any) -> str:
    operator = draw(st.sampled_from(DATE_OPERATORS))
    zone = draw(st.sampled_from(["UTC", "Europe/Paris", "Pacific/Auckland"]))
    if operator == "exact_date":
        argument = draw(days)
    elif operator.startswith("nr_"):
        argument = str(draw(st.integers(0, 40)))
    else:
        argument = ""
    return f"{zone}?{argument}?{operator}"


def strategies(fields: dict[str, Any]) -> tuple[Any, Any]:
    statut = [o["id"] for o in fields["Statut"].options["select_options"]]
    tags = [o["id"] for o in fields["Tags"].options["select_options"]]
    ids = st.sampled_from(statut) | st.sampled_from(tags)
    id_lists = st.lists(ids, min_size=1, max_size=2).map(lambda xs: ",".join(map(str, xs)))
    per_field: dict[str, tuple[Any, dict[str, Any]]] = {
        "Texte": (
            texts,
            {t: texts for t in ("equal", "not_equal", "contains", "contains_not")}
            | {
                "empty": st.just(""),
                "not_empty": st.just(""),
                "length_is_lower_than": st.integers(0, 6).map(str),
            },
        ),
        "Nombre": (
            numbers,
            {
                t: numbers
                for t in (
                    "equal",
                    "not_equal",
                    "higher_than",
                    "higher_than_or_equal",
                    "lower_than",
                    "lower_than_or_equal",
                    "contains",
                )
            }
            | {"empty": st.just(""), "is_even_and_whole": st.just("")},
        ),
        "Coche": (st.booleans(), {"boolean": st.sampled_from(["0", "1"]), "empty": st.just("")}),
        "Statut": (
            st.sampled_from(statut),
            {
                t: id_lists
                for t in (
                    "single_select_equal",
                    "single_select_not_equal",
                    "single_select_is_any_of",
                    "single_select_is_none_of",
                )
            }
            | {"contains": texts, "empty": st.just("")},
        ),
        "Tags": (
            st.lists(st.sampled_from(tags), unique=True, max_size=2),
            {
                "multiple_select_has": id_lists,
                "multiple_select_has_not": id_lists,
                "contains": texts,
                "not_empty": st.just(""),
            },
        ),
        "Jour": (days, {t: date_value() for t in DATE_FILTERS} | {"empty": st.just("")}),
    }
    row = st.fixed_dictionaries({str(fields[name].id): st.none() | values for name, (values, _) in per_field.items()})

    @st.composite
    def condition(draw: Any) -> dict[str, Any]:
        name = draw(st.sampled_from(sorted(per_field)))
        filter_type = draw(st.sampled_from(sorted(per_field[name][1])))
        return {"field": fields[name].id, "type": filter_type, "value": draw(per_field[name][1][filter_type])}

    def group(depth: int) -> Any:
        children = st.lists(group(depth - 1), max_size=2) if depth > 0 else st.just([])
        return st.fixed_dictionaries(
            {
                "filter_type": st.sampled_from(["AND", "OR"]),
                "filters": st.lists(condition(), max_size=3),
                "groups": children,
            }
        )

    return st.lists(row, min_size=1, max_size=6), group(2)


async def test_sql_agrees_with_python(api: Api, engine: Any) -> None:
    table = await api.table("Hypothese", FIELD_SPECS[:6])
    t = table["id"]
    async with engine.connect() as conn:
        database_id = (
            await conn.execute(select(tables_table.c.database_id).where(tables_table.c.id == t))
        ).scalar_one()
        fields = {f.name: f for f in await load_fields(conn, t)}
    by_id = {f.id: f for f in fields.values()}
    field_types, filter_types = default_field_types(), default_filter_types()
    ctx = FilterContext(field_types, filter_types, lambda ref: by_id.get(ref), row_source(), env=Compiling(NOW))
    row_lists, trees = strategies(fields)
    loop = asyncio.get_running_loop()

    async def compare(data: list[dict[str, Any]], tree: dict[str, Any]) -> None:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(delete(rows).where(rows.c.table_id == t))
            stored = [{k: v for k, v in d.items() if v is not None} for d in data]
            values = [
                {
                    "id": func.nextval("row_id_seq"),
                    "database_id": database_id,
                    "table_id": t,
                    "order": i + 1,
                    "data": d,
                }
                for i, d in enumerate(stored)
            ]
            inserted = (await conn.execute(insert(rows).values(values).returning(rows.c.id))).scalars().all()
            got = set(
                (await conn.execute(select(rows.c.id).where(rows.c.table_id == t, compile_tree(tree, ctx)))).scalars()
            )
            await transaction.rollback()
        expected = {
            row_id
            for row_id, d in zip(inserted, stored, strict=True)
            if evaluate_tree(tree, d, lambda ref: by_id.get(ref), field_types, filter_types, NOW)
        }
        assert got == expected, (tree, stored)

    def run() -> None:
        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=row_lists, tree=trees)
        def check(data: list[dict[str, Any]], tree: dict[str, Any]) -> None:
            asyncio.run_coroutine_threadsafe(compare(data, tree), loop).result()

        check()

    await asyncio.to_thread(run)
