"""Field types against a real PostgreSQL: reading, sorting, and text conversions in SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from field_samples import API_SAMPLES, TYPES, field_type, make_field
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    DateTime,
    Text,
    column,
    func,
    insert,
    literal,
    select,
    table,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from fields import SUPPORT_SQL, Field, FieldValueError, RowSource

rows = table(
    "ncdb_test_rows",
    column("id", BigInteger),
    column("data", JSONB),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
    column("created_by", BigInteger),
    column("updated_by", BigInteger),
)
ROW = RowSource(
    data=rows.c.data,
    id=rows.c.id,
    created_at=rows.c.created_at,
    updated_at=rows.c.updated_at,
    created_by=rows.c.created_by,
    updated_by=rows.c.updated_by,
)

AWKWARD_TEXTS = [
    "3,5",
    "31/12/2024",
    "2024-02-30",
    "99/99/9999",
    "",
    "   ",
    "yes",
    "Red",
    "red, Blue sky",
    "1:30",
    "abc",
    "1e400",
    "-",
    "9" * 60,
    "é ü 漢字",
    "'; DROP TABLE x; --",
    "2024-12-31T10:00:00+02:00",
    "12/31/2024 10:05 PM",
    "2d 3h",
    ".5",
    "24:00",
    "0/0/0",
    "9999-12-31T23:59:59-14:00",
    "00:99",
    "1:30:99.5",
]


@pytest.fixture(scope="session")
async def field_engine(engine: AsyncEngine) -> AsyncEngine:
    async with engine.begin() as conn:
        for statement in SUPPORT_SQL:
            await conn.exec_driver_sql(statement)
    return engine


@pytest.fixture
async def conn(field_engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with field_engine.connect() as connection:
        transaction = await connection.begin()
        await connection.exec_driver_sql(
            "CREATE TEMP TABLE ncdb_test_rows (id bigserial, data jsonb,"
            " created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(),"
            " created_by bigint, updated_by bigint) ON COMMIT DROP"
        )
        yield connection
        await transaction.rollback()


async def insert_data(conn: AsyncConnection, datas: list[dict[str, Any]]) -> None:
    await conn.execute(insert(rows), [{"data": d} for d in datas])


async def convert(conn: AsyncConnection, target: Field, texts: list[str | None]) -> list[Any]:
    """from_text_sql over literal texts, in one query, in order."""
    items = func.unnest(literal(texts, ARRAY(Text))).table_valued("t", with_ordinality="n").render_derived()
    converted = type_coerce(field_type(target.type).from_text_sql(target, items.c.t), JSONB)
    result = await conn.execute(select(converted).select_from(items).order_by(items.c.n))
    return list(result.scalars())


async def to_text(conn: AsyncConnection, source: Field, stored: list[Any]) -> list[Any]:
    await insert_data(conn, [{source.key: v} for v in stored])
    text_sql = field_type(source.type).text_sql(source, ROW)
    return list((await conn.execute(select(text_sql).select_from(rows).order_by(rows.c.id))).scalars())


# --- reading and sorting ---------------------------------------------------------------------------

SORT_CASES: list[tuple[str, dict[str, Any] | None, list[Any]]] = [
    ("text", None, ["apple", "banana", "cherry"]),
    ("number", None, ["-2.0", "3.5", "10.0"]),
    ("rating", None, [1, 3, 5]),
    ("boolean", None, [True]),
    ("date", None, ["1999-12-31", "2024-02-01", "2024-12-01"]),
    ("date", {"date_include_time": True}, ["2024-05-01T08:00:00Z", "2024-05-01T10:00:00Z", "2024-05-02"]),
    ("duration", None, [-10, 60, 3600, 86400]),
    ("single_select", None, [3, 2, 1]),
    ("multiple_select", None, [[3], [2, 1], [1]]),
    ("autonumber", None, [2, 10, 100]),
]


@pytest.mark.parametrize(("type_name", "options", "ordered"), SORT_CASES)
async def test_sql_sort_orders_values(
    conn: AsyncConnection, type_name: str, options: dict[str, Any] | None, ordered: list[Any]
) -> None:
    f = make_field(type_name, options=options)
    await insert_data(conn, [{f.key: v} for v in reversed(ordered)] + [{}])
    sort = field_type(type_name).sql_sort(f, ROW)
    result = await conn.execute(select(rows.c.data[f.key]).order_by(sort.asc().nulls_last()))
    # An empty rating is 0 and an empty boolean false, the lowest; other empty values are NULL, last here.
    expected = [None, *ordered] if type_name in ("rating", "boolean") else [*ordered, None]
    assert list(result.scalars()) == expected


async def test_single_select_sorts_by_option_order(conn: AsyncConnection) -> None:
    f = make_field("single_select")
    await insert_data(conn, [{f.key: 3}, {f.key: 1}, {f.key: 2}])
    sort = field_type("single_select").sql_sort_by_option_order(f, ROW)  # type: ignore[attr-defined]
    result = await conn.execute(select(rows.c.data[f.key]).order_by(sort))
    assert list(result.scalars()) == [1, 2, 3]


SQL_VALUE_CASES: list[tuple[str, dict[str, Any] | None, Any, Any]] = [
    ("number", None, "3.5", Decimal("3.5")),
    ("boolean", None, True, True),
    ("boolean", None, None, False),
    ("date", None, "2024-12-31", date(2024, 12, 31)),
    ("duration", None, 5400, Decimal(5400)),
    ("single_select", None, 3, "Blue sky"),
    ("multiple_select", None, [3, 99, 1], ["Blue sky", "Red"]),
    ("autonumber", None, 7, Decimal(7)),
]


@pytest.mark.parametrize(("type_name", "options", "stored", "expected"), SQL_VALUE_CASES)
async def test_sql_value_is_typed(
    conn: AsyncConnection, type_name: str, options: dict[str, Any] | None, stored: Any, expected: Any
) -> None:
    f = make_field(type_name, options=options)
    await insert_data(conn, [{f.key: stored}])
    query = select(field_type(type_name).sql_value(f, ROW)).select_from(rows)
    assert (await conn.execute(query)).scalar_one() == expected


async def test_datetime_sql_value_is_a_moment(conn: AsyncConnection) -> None:
    f = make_field("date", options={"date_include_time": True})
    await insert_data(conn, [{f.key: "2024-05-01T10:00:00Z"}])
    value = (await conn.execute(select(field_type("date").sql_value(f, ROW)))).scalar_one()
    assert isinstance(value, datetime)
    assert value.isoformat() == "2024-05-01T10:00:00+00:00"


async def test_created_on_and_created_by_read_row_columns(conn: AsyncConnection) -> None:
    user_id = (
        await conn.exec_driver_sql(
            "INSERT INTO users (email, name, password_hash, is_staff, language, created_at)"
            " VALUES ('ana@example.org', 'Ana', 'x', false, 'fr', now()) RETURNING id"
        )
    ).scalar_one()
    await conn.execute(
        insert(rows),
        [
            {
                "data": {},
                "created_by": user_id,
                "created_at": datetime.fromisoformat("2024-05-01T10:00:00+00:00"),
            },
            {"data": {}, "created_by": user_id + 1000, "created_at": datetime.now().astimezone()},
        ],
    )
    created_on = make_field("created_on", options={"date_include_time": True})
    created_by = make_field("created_by")
    on_type, by_type = field_type("created_on"), field_type("created_by")
    query = select(
        on_type.select_api_sql(created_on, ROW), by_type.select_api_sql(created_by, ROW), rows.c.id
    ).order_by(rows.c.id)
    first, second = (await conn.execute(query)).all()
    assert on_type.to_api(created_on, first[0]) == "2024-05-01T10:00:00Z"
    assert by_type.to_api(created_by, first[1]) == {"id": user_id, "name": "Ana"}
    assert by_type.to_api(created_by, second[1]) is None
    names = select(by_type.text_sql(created_by, ROW)).select_from(rows).order_by(rows.c.id)
    assert list((await conn.execute(names)).scalars()) == ["Ana", None]
    texts = select(on_type.text_sql(created_on, ROW)).order_by(rows.c.id).limit(1)
    assert (await conn.execute(texts)).scalar_one() == "01/05/2024 10:00"
    # Without time, the day is the one in the forced time zone.
    in_kiribati = make_field("created_on", options={"date_force_timezone": "Pacific/Kiritimati"})
    day = select(on_type.sql_value(in_kiribati, ROW)).order_by(rows.c.id).limit(1)
    assert (await conn.execute(day)).scalar_one() == date(2024, 5, 2)


# --- automatic values ------------------------------------------------------------------------------


async def test_autonumber_fills_existing_rows_in_order_then_numbers_new_ones(conn: AsyncConnection) -> None:
    f, ft = make_field("autonumber", field_id=4242), field_type("autonumber")
    await insert_data(conn, [{}, {}, {}])
    for statement in ft.ddl_on_create(f, table_id=1):
        await conn.exec_driver_sql(statement)
    fill = ft.fill_existing_sql(f, select(rows.c.id).order_by(rows.c.id.desc()))
    assert fill is not None
    filled = fill.subquery("filled")
    await conn.execute(
        update(rows)
        .values(data=rows.c.data.op("||")(func.jsonb_build_object(f.key, filled.c.value)))
        .where(rows.c.id == filled.c.id)
    )
    new_value = ft.new_row_value_sql(f)
    assert new_value is not None
    await conn.execute(insert(rows).values(data=func.jsonb_build_object(f.key, new_value)))
    result = await conn.execute(select(rows.c.data[f.key]).order_by(rows.c.id))
    assert list(result.scalars()) == [3, 2, 1, 4]
    for statement in ft.ddl_on_delete(f):
        await conn.exec_driver_sql(statement)


async def test_uuid_gives_each_row_a_uuid(conn: AsyncConnection) -> None:
    f, ft = make_field("uuid"), field_type("uuid")
    new_value = ft.new_row_value_sql(f)
    assert new_value is not None
    await conn.execute(insert(rows).values(data=func.jsonb_build_object(f.key, new_value)))
    await conn.execute(insert(rows).values(data=func.jsonb_build_object(f.key, new_value)))
    values = list((await conn.execute(select(rows.c.data[f.key]))).scalars())
    assert len(set(values)) == 2
    assert all(ft.prepare_value(f, v) == v for v in values)


# --- text conversions ------------------------------------------------------------------------------


def sample_rows() -> list[dict[str, Any]]:
    """Rows holding a value of every type at once, each type under its own field id."""
    count = max(len(AWKWARD_TEXTS), *(len(v) for v in API_SAMPLES.values())) + 1
    datas: list[dict[str, Any]] = [{} for _ in range(count)]
    for index, name in enumerate(TYPES):
        f, ft = make_field(name, field_id=index + 1), field_type(name)
        values = AWKWARD_TEXTS if name == "text" else [*API_SAMPLES[name], None]
        for row_number, data in enumerate(datas):
            data[f.key] = ft.prepare_value(f, values[row_number % len(values)])
    return datas


@pytest.mark.parametrize("target_name", TYPES)
async def test_every_type_converts_to_every_type_without_sql_errors(conn: AsyncConnection, target_name: str) -> None:
    await insert_data(conn, sample_rows())
    target, target_type = make_field(target_name, field_id=999), field_type(target_name)
    columns = [
        type_coerce(
            target_type.from_text_sql(target, field_type(name).text_sql(make_field(name, field_id=index + 1), ROW)),
            JSONB,
        )
        for index, name in enumerate(TYPES)
    ]
    for row in (await conn.execute(select(*columns).select_from(rows))).all():
        for converted in row:
            if converted is not None:
                # What SQL produced is a valid stored value of the target type.
                assert target_type.prepare_value(target, target_type.to_api(target, converted)) == converted


CONVERSIONS: list[tuple[str, dict[str, Any] | None, str | None, Any]] = [
    ("number", None, "3,5", "3.5"),
    ("number", None, " 12 ", "12.0"),
    ("number", None, "abc", None),
    ("number", {"number_negative": False}, "-3", None),
    ("single_select", None, "red", 1),
    ("single_select", None, " BLUE SKY ", 3),
    ("single_select", None, "Blue sky, Red", 3),
    ("single_select", None, "Purple", None),
    ("multiple_select", None, "red, Blue sky, RED, purple", [1, 3]),
    ("multiple_select", None, "purple", None),
    ("date", None, "31/12/2024", "2024-12-31"),
    ("date", {"date_format": "US"}, "12/31/2024", "2024-12-31"),
    ("date", None, "2024-12-31T23:30:00-05:00", "2024-12-31"),
    ("date", None, "2024-02-30", None),
    ("date", None, "99/99/9999", None),
    ("date", None, "31/12/2024 25:00", None),
    (
        "date",
        {"date_include_time": True, "date_force_timezone": "Europe/Paris"},
        "31/12/2024 10:05",
        "2024-12-31T09:05:00Z",
    ),
    ("date", {"date_include_time": True}, "2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z"),
    ("date", {"date_include_time": True}, "12/31/2024 10:05 PM", None),
    ("date", {"date_include_time": True, "date_format": "US"}, "12/31/2024 10:05 PM", "2024-12-31T22:05:00Z"),
    ("boolean", None, "oui", True),
    ("boolean", None, " Checked ", True),
    ("boolean", None, "non", False),
    ("boolean", None, "maybe", None),
    ("duration", None, "1:30", 5400),
    ("duration", None, "2d 3h", 183600),
    ("duration", None, "abc", None),
    ("duration", {"duration_format": "h:mm:ss.s"}, "0:00:01.25", 1.3),
    ("autonumber", None, "12", 12),
    ("autonumber", None, "-3", None),
    ("uuid", None, "9B2F8F8E2C394C579A7F0E4D1E0F6A11", "9b2f8f8e-2c39-4c57-9a7f-0e4d1e0f6a11"),
    ("text", None, "", None),
    ("email", None, " ana@example.org ", "ana@example.org"),
]


@pytest.mark.parametrize(("type_name", "options", "text", "expected"), CONVERSIONS)
async def test_text_converts_to_stored_values(
    conn: AsyncConnection, type_name: str, options: dict[str, Any] | None, text: str, expected: Any
) -> None:
    assert await convert(conn, make_field(type_name, options=options), [text]) == [expected]


TEXTS: list[tuple[str, dict[str, Any] | None, list[Any], list[Any]]] = [
    ("number", None, ["3.5", None], ["3.5", None]),
    ("single_select", None, [3, 99, None], ["Blue sky", None, None]),
    ("multiple_select", None, [[3, 1], [], None], ["Blue sky, Red", None, None]),
    ("date", None, ["2024-12-31"], ["31/12/2024"]),
    ("date", {"date_format": "US"}, ["2024-12-31"], ["12/31/2024"]),
    (
        "date",
        {"date_format": "ISO", "date_force_timezone": "America/New_York"},
        ["2024-12-31"],
        ["2024-12-31"],
    ),
    (
        "date",
        {"date_include_time": True, "date_force_timezone": "Europe/Paris"},
        ["2024-05-01T08:00:00Z"],
        ["01/05/2024 10:00"],
    ),
    (
        "date",
        {"date_include_time": True, "date_time_format": "12", "date_format": "US"},
        ["2024-05-01T22:05:00Z"],
        ["05/01/2024 10:05 PM"],
    ),
    ("boolean", None, [True, False, None], ["true", "false", "false"]),
    ("duration", {"duration_format": "h:mm:ss"}, [5415, -10], ["1:30:15", "-0:00:10"]),
    ("duration", {"duration_format": "d h:mm"}, [95400], ["1d 2:30"]),
    ("autonumber", None, [12], ["12"]),
]


@pytest.mark.parametrize(("type_name", "options", "stored", "expected"), TEXTS)
async def test_values_convert_to_text(
    conn: AsyncConnection,
    type_name: str,
    options: dict[str, Any] | None,
    stored: list[Any],
    expected: list[Any],
) -> None:
    assert await to_text(conn, make_field(type_name, options=options), stored) == expected


def python_stored(f: Field, text: str) -> Any:
    ft = field_type(f.type)
    try:
        return ft.prepare_value(f, ft.parse_text(f, text))
    except FieldValueError:
        return None


def collect(strategy: st.SearchStrategy[str], count: int) -> list[str]:
    """Texts drawn by hypothesis, run through SQL afterwards in one query (hypothesis cannot await)."""
    found: list[str] = []

    @settings(max_examples=count, deadline=None, database=None)
    @given(strategy)
    def draw(text: str) -> None:
        found.append(text.replace("\x00", ""))

    draw()
    return found


DATE_LIKE = r"\A ?[0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( ?[AaPp][Mm])?)?"
DATE_LIKE += r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)? ?\Z"
DURATION_LIKE = r"\A-?([0-9]{1,3}d )?[0-9]{1,3}(:[0-9]{1,2}(:[0-9]{1,2}(\.[0-9])?)?|h|m|s)?\Z"


async def test_random_text_never_raises_in_sql(conn: AsyncConnection) -> None:
    texts = collect(st.text(max_size=40), 300) + AWKWARD_TEXTS
    for name in TYPES:
        for options in ({}, {"date_include_time": True, "date_force_timezone": "Asia/Kolkata"}):
            await convert(conn, make_field(name, options=options or None), texts)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"date_format": "US", "date_include_time": True},
        {"date_include_time": True, "date_force_timezone": "Pacific/Kiritimati"},
    ],
)
async def test_dates_parse_alike_in_python_and_sql(conn: AsyncConnection, options: dict[str, Any]) -> None:
    f = make_field("date", options=options)
    texts = collect(st.from_regex(DATE_LIKE), 100) + AWKWARD_TEXTS
    in_sql = await convert(conn, f, texts)
    assert {t: v for t, v in zip(texts, in_sql, strict=True)} == {t: python_stored(f, t) for t in texts}


@pytest.mark.parametrize("fmt", ["h:mm", "h:mm:ss.s", "d h"])
async def test_durations_parse_and_format_alike_in_python_and_sql(conn: AsyncConnection, fmt: str) -> None:
    from fields.duration import format_duration

    f = make_field("duration", options={"duration_format": fmt})
    texts = collect(st.from_regex(DURATION_LIKE), 100) + AWKWARD_TEXTS
    stored = await convert(conn, f, texts)
    python = [python_stored(f, t) for t in texts]
    for text, in_sql, in_python in zip(texts, stored, python, strict=True):
        assert in_sql == pytest.approx(in_python), text
    values = [v for v in stored if v is not None]
    assert await to_text(conn, f, values) == [format_duration(v, fmt) for v in values]
