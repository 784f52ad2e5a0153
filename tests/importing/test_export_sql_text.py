"""The CSV written by PostgreSQL (exporting/csv_sql.py) is byte for byte the one the Python writer makes."""

from __future__ import annotations

from typing import Any

from fields import default_field_types
from nocodedb.exporting.csv_sql import csv_export, csv_line_sql
from nocodedb.exporting.formats import csv_chunks
from nocodedb.exporting.service import pages, plan_export
from nocodedb.services.actor import Actor
from tests.factories import Api
from views.filters import default_filter_types

HOSTILE = ["=cmd|' /C calc'!A0", "+33 6", "-3.5", "-3\n", "@SUM(A1)", "\tx", "\rx", "-1+1", "'quoted"]
TEXTS = ['a "quoted", word', "line\nbreak", "semi;colon", "crlf\r\nend", "", None, "Besançon ✓", *HOSTILE]


async def _both(app: Any, engine: Any, user_id: int, table_id: int, view_id: int | None) -> tuple[bytes, bytes]:
    field_types, filter_types = default_field_types(), default_filter_types()
    async with engine.connect() as conn:
        plan = await plan_export(conn, field_types, filter_types, Actor(user_id=user_id), table_id, view_id)
    assert csv_line_sql(plan, field_types) is not None, "every column should have SQL text"
    python = b"".join([c async for c in csv_chunks(plan.header, pages(engine, plan, field_types))])
    sql = b"".join([c async for c in csv_export(engine, plan, field_types)])
    return python, sql


async def _every_type(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    other = await api.table(
        "Projets",
        [
            {"name": "Montant", "type": "number", "number_decimal_places": 2},
            {"name": "Quand", "type": "date", "date_include_time": True, "date_force_timezone": "Europe/Paris"},
            {
                "name": "Tags",
                "type": "multiple_select",
                "select_options": [{"value": "x", "color": "red"}, {"value": "y, z", "color": "blue"}],
            },
        ],
    )
    o = other["id"]
    by = other["by_name"]
    tags = {opt["value"]: opt["id"] for opt in by["Tags"]["select_options"]}
    linked = await api.post(
        f"/api/database/rows/table/{o}/batch/?user_field_names=true",
        {
            "items": [
                {
                    "Name": "=evil",
                    "Montant": "-2.50",
                    "Quand": "2024-03-31T01:30:00Z",
                    "Tags": [tags["x"], tags["y, z"]],
                },
                {"Name": 'P "2"', "Montant": "10", "Quand": None, "Tags": []},
                {"Name": None, "Montant": None, "Quand": "2024-01-01T00:00:00Z", "Tags": [tags["y, z"]]},
            ]
        },
    )
    linked_ids = [r["id"] for r in linked["items"]]
    options = [
        {"value": "Un", "color": "blue"},
        {"value": "=deux", "color": "red"},
        {"value": "trois, 3", "color": "green"},
    ]
    table = await api.table(
        "Tout",
        [
            {"name": "Long", "type": "long_text"},
            {"name": "Nombre", "type": "number", "number_decimal_places": 3},
            {"name": "Entier", "type": "number", "number_negative": True},
            {"name": "Note", "type": "rating", "max_value": 5},
            {"name": "Vrai", "type": "boolean"},
            {"name": "Jour", "type": "date"},
            {"name": "Moment", "type": "date", "date_include_time": True, "date_force_timezone": "America/New_York"},
            {"name": "Durée", "type": "duration", "duration_format": "h:mm:ss.s"},
            {"name": "Choix", "type": "single_select", "select_options": options},
            {"name": "Choix multiples", "type": "multiple_select", "select_options": options},
            {"name": "Site", "type": "url"},
            {"name": "Courriel", "type": "email"},
            {"name": "Tél", "type": "phone_number"},
            {"name": "Numéro", "type": "autonumber"},
            {"name": "Uuid", "type": "uuid"},
            {"name": "Créé le", "type": "created_on", "date_include_time": True},
            {"name": "Modifié le", "type": "last_modified", "date_force_timezone": "Pacific/Auckland"},
            {"name": "Créé par", "type": "created_by"},
            {"name": "Modifié par", "type": "last_modified_by"},
            {"name": "Projets", "type": "link_row", "link_row_table_id": o},
        ],
    )
    t = table["id"]
    by = table["by_name"]
    link = by["Projets"]["id"]
    for spec in [
        {"name": "Montants", "type": "lookup", "through_field_id": link, "target_field_id": by_other(other, "Montant")},
        {"name": "Quands", "type": "lookup", "through_field_id": link, "target_field_id": by_other(other, "Quand")},
        {"name": "Tous tags", "type": "lookup", "through_field_id": link, "target_field_id": by_other(other, "Tags")},
        {"name": "Noms", "type": "lookup", "through_field_id": link, "target_field_id": by_other(other, "Name")},
        {
            "name": "Somme",
            "type": "rollup",
            "through_field_id": link,
            "target_field_id": by_other(other, "Montant"),
            "rollup_function": "sum",
        },
        {
            "name": "Dernier",
            "type": "rollup",
            "through_field_id": link,
            "target_field_id": by_other(other, "Quand"),
            "rollup_function": "max",
        },
        {"name": "Combien", "type": "count", "through_field_id": link},
        {"name": "F texte", "type": "formula", "formula": "concat('=', field('Name'))"},
        {"name": "F nombre", "type": "formula", "formula": "field('Nombre') * 2"},
        {"name": "F bool", "type": "formula", "formula": "field('Vrai')"},
        {"name": "F date", "type": "formula", "formula": "field('Jour')"},
        {"name": "F liste", "type": "formula", "formula": "field('Projets')"},
    ]:
        await api.post(f"/api/database/fields/table/{t}/", spec)
    choice = {opt["value"]: opt["id"] for opt in by["Choix"]["select_options"]}
    many = {opt["value"]: opt["id"] for opt in by["Choix multiples"]["select_options"]}
    items: list[dict[str, Any]] = []
    for i, text in enumerate(TEXTS):
        items.append(
            {
                "Name": text,
                "Long": None if text is None else f"{text}\n{text}",
                "Nombre": [None, "1.500", "-0.125", "123456789.001", "0"][i % 5],
                "Entier": [None, "-7", "42"][i % 3],
                "Note": i % 6,
                "Vrai": i % 2 == 0,
                "Jour": [None, "2024-02-29", "1999-12-31"][i % 3],
                "Moment": [None, "2024-03-10T06:59:59Z", "2023-11-05T05:30:00Z"][i % 3],
                "Durée": [None, 5.5, 3600, 0.1, 86399.9][i % 5],
                "Choix": [None, choice["Un"], choice["=deux"], choice["trois, 3"]][i % 4],
                "Choix multiples": [[], [many["trois, 3"], many["Un"]], [many["=deux"]]][i % 3],
                "Site": [None, "https://example.org/?a=1,b=2"][i % 2],
                "Courriel": [None, "=x@example.org"][i % 2],
                "Tél": [None, "+33 6 12 34 56 78"][i % 2],
                "Projets": [[], linked_ids, [linked_ids[1]], [linked_ids[2], linked_ids[0]]][i % 4],
            }
        )
    await api.post(f"/api/database/rows/table/{t}/batch/?user_field_names=true", {"items": items})
    return table, other


def by_other(other: dict[str, Any], name: str) -> int:
    return int(other["by_name"][name]["id"])


async def test_every_field_type_gives_the_same_bytes(api: Api, app: Any, engine: Any) -> None:
    table, other = await _every_type(api)
    for table_id in (table["id"], other["id"]):
        python, sql = await _both(app, engine, api.user["id"], table_id, None)
        assert python.count(b"\r\n") >= 4
        if table_id == table["id"]:
            # The table really holds what the comparison is about: computed cells, hostile and quoted texts.
            for expected in ['"\'=evil, P ""2"", "', "2024-03-31T01:30:00Z, , 2024-01-01T00:00:00Z", "x, y, z, , y, z"]:
                assert expected.encode() in python
            for expected in ["'=cmd|' /C calc'!A0", '"a ""quoted"", word"', "86399.9", ",-0.125,", "Camille"]:
                assert expected.encode() in python
        assert sql.split(b"\r\n") == python.split(b"\r\n")


async def test_a_view_gives_the_same_bytes(api: Api, app: Any, engine: Any) -> None:
    table, _ = await _every_type(api)
    t, by = table["id"], table["by_name"]
    view = await api.post(f"/api/database/views/table/{t}/", {"name": "Vue", "type": "grid"})
    await api.post(
        f"/api/database/views/{view['id']}/filters/", {"field": by["Vrai"]["id"], "type": "boolean", "value": "1"}
    )
    await api.post(f"/api/database/views/{view['id']}/sortings/", {"field": by["Name"]["id"], "order": "DESC"})
    await api.patch(
        f"/api/database/views/{view['id']}/field-options/", {"field_options": {str(by["Long"]["id"]): {"hidden": True}}}
    )
    python, sql = await _both(app, engine, api.user["id"], t, view["id"])
    assert b"Long" not in python.splitlines()[0]
    assert sql.split(b"\r\n") == python.split(b"\r\n")
    response = await api.client.get(
        f"/api/database/export/table/{t}/", params={"format": "csv", "view_id": view["id"]}, headers=api.headers
    )
    assert response.content == python


async def test_one_column_table_with_an_empty_cell(api: Api, app: Any, engine: Any) -> None:
    table = await api.table("Seule")
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/?user_field_names=true",
        {"items": [{"Name": ""}, {"Name": "\\."}, {"Name": "a,b"}]},
    )
    python, sql = await _both(app, engine, api.user["id"], table["id"], None)
    assert sql.split(b"\r\n") == python.split(b"\r\n")


async def test_single_select_cells_written_before_the_query(api: Api, app: Any, engine: Any) -> None:
    """A single select's CSV cells are made in Python from its options: neutralized and quoted as the
    writer does, and "" when it is the only column and empty."""
    table = await api.table("Choix seul")
    primary = table["by_name"]["Name"]
    values = ["=x", 'a "b", c', "-1", "-x", "@y,z", "\tz", "Plain", "line\nbreak"]
    options = [{"value": v, "color": "blue"} for v in values]
    changed = await api.patch(
        f"/api/database/fields/{primary['id']}/", {"type": "single_select", "select_options": options}
    )
    ids = [o["id"] for o in changed["select_options"]]
    await api.post(
        f"/api/database/rows/table/{table['id']}/batch/",
        {"items": [{f"field_{primary['id']}": i} for i in [*ids, None, ids[0]]]},
    )
    python, sql = await _both(app, engine, api.user["id"], table["id"], None)
    assert b'\r\n""\r\n' in python and b'"\'@y,z"' in python and b"\r\n-1\r\n" in python
    assert sql.split(b"\r\n") == python.split(b"\r\n")
    await api.post(f"/api/database/fields/table/{table['id']}/", {"name": "Vrai", "type": "boolean"})
    python, sql = await _both(app, engine, api.user["id"], table["id"], None)
    assert b"\r\n,false\r\n" in python
    assert sql == python
