"""A table with one field of each filterable kind and four rows, shared by the filter tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import JSONB

from fields import Field, default_field_types
from nocodedb.db.schema import rows
from nocodedb.services.metadata import load_fields, row_source
from tests.factories import Api
from views.filters import Compiling, FilterContext, compile_tree, default_filter_types

NOW = dt.datetime(2024, 5, 15, 10, 0, tzinfo=dt.UTC)  # a Wednesday
LINK_ID, LOOKUP_ID = 990_001, 990_002


@dataclass
class Sample:
    table_id: int
    fields: dict[str, Field]
    names: dict[int, str]  # row id -> Name
    options: dict[str, dict[str, int]]  # field name -> option value -> id

    def field(self, name: str) -> Field:
        return self.fields[name]


FIELD_SPECS = [
    {"name": "Texte", "type": "text"},
    {"name": "Nombre", "type": "number", "number_decimal_places": 1, "number_negative": True},
    {"name": "Coche", "type": "boolean"},
    {
        "name": "Statut",
        "type": "single_select",
        "select_options": [{"value": "Actif", "color": "green"}, {"value": "Dormant", "color": "red"}],
    },
    {
        "name": "Tags",
        "type": "multiple_select",
        "select_options": [{"value": "x", "color": "blue"}, {"value": "y", "color": "red"}],
    },
    {"name": "Jour", "type": "date"},
    {"name": "Moment", "type": "date", "date_include_time": True},
]


async def make_sample(api: Api, engine: Any) -> Sample:
    table = await api.table("Filtres", FIELD_SPECS)
    t = table["id"]
    opts = {
        name: {o["value"]: o["id"] for o in table["by_name"][name]["select_options"]} for name in ("Statut", "Tags")
    }
    items = [
        {
            "Name": "A",
            "Texte": "Besançon centre",
            "Nombre": "12",
            "Coche": True,
            "Statut": opts["Statut"]["Actif"],
            "Tags": [opts["Tags"]["x"], opts["Tags"]["y"]],
            "Jour": "2024-05-15",
            "Moment": "2024-05-14T23:30:00Z",
        },
        {
            "Name": "B",
            "Texte": "Lyon",
            "Nombre": "7.5",
            "Coche": False,
            "Statut": opts["Statut"]["Dormant"],
            "Tags": [opts["Tags"]["y"]],
            "Jour": "2024-05-14",
            "Moment": "2024-05-15T08:00:00Z",
        },
        {"Name": "C", "Jour": "2024-04-01"},
        {
            "Name": "D",
            "Texte": "grand lyon",
            "Nombre": "-4",
            "Tags": [opts["Tags"]["x"]],
            "Jour": "2023-12-31",
        },
    ]
    created = await api.post(f"/api/database/rows/table/{t}/batch/?user_field_names=true", {"items": items})
    names = {r["id"]: r["Name"] for r in created["items"]}
    by_name = {v: k for k, v in names.items()}
    raw_lists = {
        "A": ([{"id": 1, "value": "Grenoble"}], [{"id": 1, "value": "Alpha"}, {"id": 2, "value": ""}]),
        "B": (
            [{"id": 2, "value": "Lyon"}],
            [{"id": 3, "value": {"id": 11, "value": "Rouge", "color": "red"}}],
        ),
        "D": ([], []),
    }
    async with engine.begin() as conn:
        for name, (link, lookup) in raw_lists.items():
            patch = {str(LINK_ID): link, str(LOOKUP_ID): lookup}
            await conn.execute(
                update(rows)
                .where(rows.c.table_id == t, rows.c.id == by_name[name])
                .values(data=rows.c.data.op("||")(bindparam("p", patch, JSONB)))
            )
        fields = {f.name: f for f in await load_fields(conn, t)}
    fields["Liens"] = Field(id=LINK_ID, table_id=t, name="Liens", type="link_row")
    fields["Recherche"] = Field(id=LOOKUP_ID, table_id=t, name="Recherche", type="lookup")
    return Sample(t, fields, names, opts)


@pytest.fixture
async def sample(api: Api, engine: Any) -> Sample:
    return await make_sample(api, engine)


async def matching(engine: Any, sample: Sample, tree: dict[str, Any], now: dt.datetime = NOW) -> set[str]:
    by_id = {f.id: f for f in sample.fields.values()}
    ctx = FilterContext(
        default_field_types(),
        default_filter_types(),
        lambda ref: by_id.get(ref),
        row_source(),
        env=Compiling(now),
    )
    stmt = select(rows.c.id).where(rows.c.table_id == sample.table_id, compile_tree(tree, ctx))
    async with engine.connect() as conn:
        return {sample.names[i] for i in (await conn.execute(stmt)).scalars()}
