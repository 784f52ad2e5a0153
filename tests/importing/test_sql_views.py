"""Readable SQL views for BI tools: typed columns, safe names, refresh, and a reader role that reads only them.

The reader is checked over a real connection as that role. Roles are cluster-wide, so each test run uses its
own role and schema names (through the settings' environment variables) and drops the role afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb import cli
from nocodedb.db.schema import users
from tests.factories import Api, signed_up

URL = "/api/admin/sql-views/"


@pytest.fixture
async def names(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[dict[str, str]]:
    suffix = secrets.token_hex(4)
    chosen = {"schema": f"readable_{suffix}", "role": f"ncdb_reader_test_{suffix}"}
    monkeypatch.setenv("NOCODEDB_SQL_VIEWS_SCHEMA", chosen["schema"])
    monkeypatch.setenv("NOCODEDB_SQL_VIEWS_ROLE", chosen["role"])
    monkeypatch.delenv("NOCODEDB_SQL_VIEWS_PASSWORD", raising=False)
    yield chosen
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{chosen["schema"]}" CASCADE'))
        exists = (await conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": chosen["role"]})).first()
        if exists:
            await conn.execute(text(f'DROP OWNED BY "{chosen["role"]}"'))
            await conn.execute(text(f'DROP ROLE "{chosen["role"]}"'))


async def _staff(client: Any, engine: AsyncEngine, database: str = "Suivi") -> Api:
    api = await signed_up(client)
    async with engine.begin() as conn:
        await conn.execute(update(users).where(users.c.id == api.user["id"]).values(is_staff=True))
    if database != "Suivi":
        await api.patch(f"/api/applications/{api.database_id}/", {"name": database})
    return api


async def _reader(database_url: str, role: str) -> asyncpg.Connection:
    # pg_hba on the test server may trust local connections; the password is checked where it is not.
    return await asyncpg.connect(database_url, user=role)


def _view(result: dict[str, Any], table_id: int) -> dict[str, Any]:
    return next(v for v in result["views"] if v["table_id"] == table_id)


async def _groups_table(api: Api) -> dict[str, Any]:
    towns = await api.table("Villes")
    table = await api.table(
        "Groupes locaux",
        [
            {"name": "Budget (€)", "type": "number", "number_decimal_places": 2},
            {"name": "Actif ?", "type": "boolean"},
            {"name": "Créé le", "type": "date"},
            {"name": "Réunion", "type": "date", "date_include_time": True},
            {
                "name": "Région",
                "type": "single_select",
                "select_options": [{"value": "Bretagne", "color": "blue"}, {"value": "Rhône d'Alpes", "color": "red"}],
            },
            {
                "name": "Thèmes",
                "type": "multiple_select",
                "select_options": [{"value": "climat", "color": "green"}, {"value": "vélo", "color": "blue"}],
            },
            {"name": "Courriel", "type": "email"},
            {"name": "Ville", "type": "link_row", "link_row_table_id": towns["id"], "has_related_field": False},
        ],
    )
    by_name = table["by_name"]
    link = by_name["Ville"]["id"]
    url = f"/api/database/fields/table/{table['id']}/"
    town_name = towns["by_name"]["Name"]["id"]
    await api.post(
        url, {"name": "Villes (noms)", "type": "lookup", "through_field_id": link, "target_field_id": town_name}
    )
    await api.post(url, {"name": "Nb villes", "type": "count", "through_field_id": link})
    await api.post(url, {"name": "Double budget", "type": "formula", "formula": "field('Budget (€)') * 2"})
    await api.post(url, {"name": "Étiquette", "type": "formula", "formula": "CONCATENATE(field('Name'), '!')"})
    grenoble = await api.post(f"/api/database/rows/table/{towns['id']}/?user_field_names=true", {"Name": "Grenoble"})
    lyon = await api.post(f"/api/database/rows/table/{towns['id']}/?user_field_names=true", {"Name": "Lyon"})
    row = await api.post(
        f"/api/database/rows/table/{table['id']}/?user_field_names=true",
        {
            "Name": "Alternatiba Grenoble",
            "Budget (€)": "1234.50",
            "Actif ?": True,
            "Créé le": "2024-02-03",
            "Réunion": "2024-03-04T18:30:00Z",
            "Région": "Rhône d'Alpes",
            "Thèmes": ["vélo", "climat"],
            "Courriel": "grenoble@example.org",
            "Ville": [lyon["id"], grenoble["id"]],
        },
    )
    empty = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "Vide"})
    table["fields"] = await api.get(url)
    return {
        **table,
        "towns": towns["id"],
        "row": row["id"],
        "empty": empty["id"],
        "cities": [lyon["id"], grenoble["id"]],
    }


async def test_views_have_readable_typed_columns_and_the_reader_reads_only_them(
    client: Any, engine: AsyncEngine, database_url: str, names: dict[str, str]
) -> None:
    api = await _staff(client, engine, "Alternatiba")
    table = await _groups_table(api)
    result = await api.post(URL)
    assert result["schema"] == names["schema"] and result["role"] == names["role"] and result["role_created"]
    password = result["password"]
    assert len(password) >= 24
    view = _view(result, table["id"])
    assert view["name"] == "alternatiba__groupes_locaux"
    assert [c["name"] for c in view["columns"]] == [
        "id",
        "name",
        "budget",
        "actif",
        "cree_le",
        "reunion",
        "region",
        "themes",
        "courriel",
        "ville",
        "ville_values",
        "villes_noms",
        "nb_villes",
        "double_budget",
        "etiquette",
        "created_on",
        "updated_on",
    ]
    async with engine.connect() as conn:  # PostgreSQL keeps a hash of the generated password, not nothing
        stored = (
            await conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": names["role"]})
        ).scalar_one()
        assert stored and password not in stored

    reader = await _reader(database_url, names["role"])
    try:
        # search_path is set for the role: the views are found without the schema's name.
        rows = await reader.fetch("SELECT * FROM alternatiba__groupes_locaux ORDER BY id")
        full = next(r for r in rows if r["id"] == table["row"])
        assert full["name"] == "Alternatiba Grenoble"
        assert full["budget"] == Decimal("1234.50")
        assert full["actif"] is True
        assert full["cree_le"] == dt.date(2024, 2, 3)
        assert full["reunion"] == dt.datetime(2024, 3, 4, 18, 30, tzinfo=dt.UTC)
        assert full["region"] == "Rhône d'Alpes"
        assert full["themes"] == ["vélo", "climat"]
        assert full["courriel"] == "grenoble@example.org"
        assert full["ville"] == table["cities"] and full["ville_values"] == ["Lyon", "Grenoble"]
        assert full["villes_noms"] == ["Lyon", "Grenoble"]
        assert full["nb_villes"] == 2
        assert full["double_budget"] == Decimal("2469")
        assert full["etiquette"] == "Alternatiba Grenoble!"
        assert isinstance(full["created_on"], dt.datetime) and full["updated_on"] >= full["created_on"]
        empty = next(r for r in rows if r["id"] == table["empty"])
        assert empty["actif"] is False and empty["themes"] is None and empty["ville"] is None
        assert empty["nb_villes"] == 0 and empty["budget"] is None
        # The column types a BI tool sees.
        types = dict(
            await reader.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = $1 AND table_name = 'alternatiba__groupes_locaux'",
                names["schema"],
            )
        )
        assert types["budget"] == "numeric" and types["actif"] == "boolean" and types["cree_le"] == "date"
        assert types["reunion"] == "timestamp with time zone" and types["themes"] == "ARRAY"
        assert types["ville"] == "ARRAY" and types["region"] == "text" and types["id"] == "bigint"
        other = await reader.fetchval(f"SELECT count(*) FROM {_view(result, table['towns'])['name']}")
        assert other == 2

        for forbidden in (
            "SELECT * FROM public.rows",
            "SELECT * FROM public.users",
            "SELECT * FROM public.api_tokens",
            "SELECT * FROM public.refresh_tokens",
            "SELECT * FROM public.links",
            "SELECT * FROM public.instance_settings",
            f"SELECT * FROM public.rows_{table['id']}",
            f"INSERT INTO alternatiba__groupes_locaux (id) VALUES ({table['row'] + 1000})",
            f"UPDATE alternatiba__groupes_locaux SET id = 1 WHERE id = {table['row']}",
            f"DELETE FROM alternatiba__groupes_locaux WHERE id = {table['row']}",
            f'CREATE TABLE "{names["schema"]}".mine (x int)',
            f'CREATE VIEW "{names["schema"]}".mine AS SELECT 1',
            f'DROP VIEW "{names["schema"]}".alternatiba__groupes_locaux',
            f'ALTER ROLE "{names["role"]}" SUPERUSER',
        ):
            with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
                await reader.execute(forbidden)
    finally:
        await reader.close()
    async with engine.connect() as conn:  # the reader owns nothing and is no one's member
        owner = (
            await conn.execute(
                text(
                    "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = :s"
                ),
                {"s": names["schema"]},
            )
        ).scalars()
        assert names["role"] not in list(owner)
    assert (await api.get(f"/api/database/rows/table/{table['id']}/"))["count"] == 2  # nothing changed


async def test_hostile_names_stay_quoted_unique_and_readable(
    client: Any, engine: AsyncEngine, database_url: str, names: dict[str, str]
) -> None:
    api = await _staff(client, engine, 'Base"; DROP TABLE users; --')
    hostile = "x\"; DROP TABLE users; -- 'quoted' $$ ; \\"
    long_name = "Très long nom " + "é" * 100 + "x" * 86  # 200 characters
    first = await api.table(
        hostile,
        [
            {"name": "Nom!", "type": "text"},
            {"name": "Nom?", "type": "text"},
            {"name": "ID #", "type": "text"},
            {"name": "Created on", "type": "text"},
            {"name": "日本語", "type": "text"},
            {"name": "42 ans", "type": "number"},
            {"name": long_name, "type": "boolean"},
            {"name": "select", "type": "single_select", "select_options": [{"value": "a'); DROP TABLE rows; --"}]},
        ],
    )
    second = await api.table('x"; DROP TABLE users; -- quoted', [])  # the same slug as the first table
    third = await api.table("日本語のテーブル", [])
    fields = first["by_name"]
    option = next(f for f in first["fields"] if f["name"] == "select")["select_options"][0]["id"]
    await api.post(
        f"/api/database/rows/table/{first['id']}/",
        {
            f"field_{fields['Nom!']['id']}": "a",
            f"field_{fields['Nom?']['id']}": "b",
            f"field_{fields['ID #']['id']}": "not the row id",
            f"field_{fields[long_name]['id']}": True,
            f"field_{fields['select']['id']}": option,
        },
    )
    result = await api.post(URL)
    views = {v["table_id"]: v for v in result["views"]}
    assert views[first["id"]]["name"] == "base_drop_table_users__x_drop_table_users_quoted"
    assert views[second["id"]]["name"] == f"base_drop_table_users__x_drop_table_users_quoted_{second['id']}"
    assert views[third["id"]]["name"] == f"base_drop_table_users__table_{third['id']}"
    all_names = [v["name"] for v in result["views"]]
    assert len(all_names) == len(set(all_names))
    columns = [c["name"] for c in views[first["id"]]["columns"]]
    assert len(columns) == len(set(columns)) and all(len(c) <= 63 for c in columns)
    by_field = {c["field_id"]: c["name"] for c in views[first["id"]]["columns"]}
    assert by_field[fields["Nom!"]["id"]] == "nom"
    assert by_field[fields["Nom?"]["id"]] == f"nom_{fields['Nom?']['id']}"
    assert by_field[fields["ID #"]["id"]] == f"id_{fields['ID #']['id']}"
    assert by_field[fields["Created on"]["id"]] == f"created_on_{fields['Created on']['id']}"
    assert by_field[fields["日本語"]["id"]] == f"field_{fields['日本語']['id']}"
    assert by_field[fields["42 ans"]["id"]] == "n42_ans"
    assert by_field[fields[long_name]["id"]].startswith("tres_long_nom_eeee")

    # The original names are kept as comments, quotes and all.
    listed = await api.get(URL)
    assert listed["role"] == names["role"] and listed["role_exists"] is True
    described = next(v for v in listed["views"] if v["name"] == views[first["id"]]["name"])
    assert described["description"] == f'Base"; DROP TABLE users; -- / {hostile} (nocodedb table {first["id"]})'
    comments = {c["name"]: c["description"] for c in described["columns"]}
    assert comments[by_field[fields[long_name]["id"]]].startswith(long_name)
    assert comments["id"] == "The row's id"

    reader = await _reader(database_url, names["role"])
    try:
        row = await reader.fetchrow(f'SELECT * FROM "{views[first["id"]]["name"]}"')
        assert row is not None
        assert row["nom"] == "a" and row[f"nom_{fields['Nom?']['id']}"] == "b"
        assert row[f"id_{fields['ID #']['id']}"] == "not the row id" and isinstance(row["id"], int)
        assert row["select"] == "a'); DROP TABLE rows; --"
        assert row[by_field[fields[long_name]["id"]]] is True
    finally:
        await reader.close()
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM users"))).scalar_one() >= 1


async def test_refresh_follows_renames_and_deletions(
    client: Any, engine: AsyncEngine, database_url: str, names: dict[str, str]
) -> None:
    api = await _staff(client, engine, "Réseau local")
    table = await api.table("Actions", [{"name": "Heures", "type": "number"}])
    gone = await api.table("Brouillon", [])
    first = await api.post(URL)
    assert _view(first, table["id"])["name"] == "reseau_local__actions"
    old_view = _view(first, gone["id"])["name"]

    # Deleting a table and a field works while views exist: views read `rows`, not the table's partition.
    await api.delete(f"/api/database/tables/{gone['id']}/")
    await api.patch(f"/api/database/tables/{table['id']}/", {"name": "Actions menées"})
    await api.patch(f"/api/database/fields/{table['by_name']['Heures']['id']}/", {"name": "Durée"})
    second = await api.post(URL)
    assert not second["role_created"] and "password" not in second
    assert _view(second, table["id"])["name"] == "reseau_local__actions_menees"
    assert "reseau_local__actions" in second["dropped"] and old_view in second["dropped"]
    assert all(v["table_id"] != gone["id"] for v in second["views"])
    assert "duree" in [c["name"] for c in _view(second, table["id"])["columns"]]
    await api.delete(f"/api/database/fields/{table['by_name']['Heures']['id']}/", expect=200)
    third = await api.post(URL)
    assert [c["name"] for c in _view(third, table["id"])["columns"]] == ["id", "name", "created_on", "updated_on"]

    reader = await _reader(database_url, names["role"])
    try:
        assert await reader.fetchval("SELECT count(*) FROM reseau_local__actions_menees") == 0
        with pytest.raises(asyncpg.exceptions.UndefinedTableError):
            await reader.fetchval("SELECT count(*) FROM reseau_local__actions")
    finally:
        await reader.close()
    listed = await api.get(URL)
    assert "reseau_local__actions_menees" in [v["name"] for v in listed["views"]]


async def test_only_staff_and_no_dangerous_settings(
    client: Any, engine: AsyncEngine, names: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = await _staff(client, engine)
    someone = await signed_up(client)
    for method in ("GET", "POST"):
        response = await client.request(method, URL, headers=someone.headers)
        assert response.status_code == 403 and response.json()["error"] == "ERROR_PERMISSION_DENIED"
        assert (await client.request(method, URL)).status_code == 401

    for variable, value in (
        ("NOCODEDB_SQL_VIEWS_SCHEMA", "public"),
        ("NOCODEDB_SQL_VIEWS_SCHEMA", "pg_catalog"),
        ("NOCODEDB_SQL_VIEWS_SCHEMA", "x" * 64),
        ("NOCODEDB_SQL_VIEWS_ROLE", "postgres"),
        ("NOCODEDB_SQL_VIEWS_ROLE", "pg_read_all_data"),
    ):
        with monkeypatch.context() as patch:
            patch.setenv(variable, value)
            response = await client.post(URL, headers=staff.headers)
            assert response.status_code == 400, (variable, value, response.text)
            assert response.json()["error"] == "ERROR_SQL_VIEWS_REFUSED"
    # The application's own user (a superuser here) is never made the reader.
    async with engine.connect() as conn:
        me = (await conn.execute(text("SELECT current_user"))).scalar_one()
    with monkeypatch.context() as patch:
        patch.setenv("NOCODEDB_SQL_VIEWS_ROLE", me)
        response = await client.post(URL, headers=staff.headers)
        assert response.status_code == 400 and response.json()["error"] == "ERROR_SQL_VIEWS_REFUSED"
    async with engine.connect() as conn:  # nothing was half made
        made = await conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": names["schema"]})
        assert made.first() is None


async def test_cli_prints_the_password_once_and_drops(
    client: Any,
    engine: AsyncEngine,
    database_url: str,
    names: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NOCODEDB_DATA_DIR", str(tmp_path / "data"))
    api = await _staff(client, engine, "Cli")
    await api.table("Contacts", [])

    async def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(cli.main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = await run("sql-views")
    assert code == 0 and f"{names['schema']}.cli__contacts" in out
    assert f"made the read-only role '{names['role']}', password: " in out
    code, out, _ = await run("sql-views")
    assert code == 0 and "password" not in out and f"the read-only role is '{names['role']}'" in out
    code, out, _ = await run("sql-views", "--drop")
    assert code == 0 and "dropped" in out
    assert (await api.get(URL))["views"] == []
    monkeypatch.setenv("NOCODEDB_SQL_VIEWS_SCHEMA", "public")
    code, _, err = await run("sql-views")
    assert code == 1 and "ERROR_SQL_VIEWS_REFUSED" in err
