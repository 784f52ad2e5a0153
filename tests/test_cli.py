"""The `nocodedb` command in-process against the test database: template install/export, serve --demo."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from nocodedb import cli
from nocodedb.demo import DEMO_EMAIL, load_tracker
from tests.factories import Api


@pytest.fixture
def command(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run `nocodedb ...` in a thread (it runs its own event loop); return (exit code, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NOCODEDB_DATA_DIR", str(tmp_path / "data"))

    async def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(cli.main, list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _small_tracker() -> dict[str, Any]:
    """The tracker with its first rows only: every field, view and link kind, installed quicker."""
    template = copy.deepcopy(load_tracker())  # the function of the module, before any monkeypatch
    for table in template["tables"]:
        table["rows"] = table["rows"][:12]
    return template


def _tiny() -> dict[str, Any]:
    """Two linked tables with a filtered rollup, a lookup, a formula, views and rows."""
    status = {
        "select_options": [
            {"id": 1, "value": "confirmé", "color": "green"},
            {"id": 2, "value": "annulé", "color": "red"},
        ]
    }
    confirmed = {"filter_type": "AND", "filters": [{"field": "Statut", "type": "single_select_equal", "value": "1"}]}
    return {
        "format": "nocodedb-template",
        "version": 1,
        "name": "Petit suivi",
        "language": "fr",
        "tables": [
            {
                "name": "Groupes",
                "fields": [
                    {"name": "Nom", "type": "text", "primary": True},
                    {
                        "name": "Participations",
                        "type": "link_row",
                        "link_table": "Participations",
                        "related_name": "Groupe",
                        "reverse": True,
                    },
                    {
                        "name": "Confirmées",
                        "type": "count",
                        "through": "Participations",
                        "options": {"filters": confirmed},
                    },
                    {
                        "name": "Participants",
                        "type": "rollup",
                        "through": "Participations",
                        "target": "Nombre",
                        "options": {"rollup_function": "sum", "filters": confirmed},
                    },
                    {"name": "Résumé", "type": "formula", "formula": "{Nom} & ' : ' & {Confirmées}"},
                ],
                "views": [{"name": "Grille", "type": "grid", "sorts": [{"field": "Nom"}]}],
                "rows": [{"id": 1, "Nom": "Rennes"}, {"id": 2, "Nom": "Brest"}],
            },
            {
                "name": "Participations",
                "fields": [
                    {"name": "Intitulé", "type": "text", "primary": True},
                    {"name": "Groupe", "type": "link_row", "link_table": "Groupes", "related_name": "Participations"},
                    {"name": "Statut", "type": "single_select", "options": status},
                    {"name": "Nombre", "type": "number"},
                    {"name": "Ville", "type": "lookup", "through": "Groupe", "target": "Nom"},
                ],
                "views": [
                    {"name": "Par statut", "type": "kanban", "options": {"single_select_field": "Statut"}},
                    {
                        "name": "Confirmées",
                        "type": "grid",
                        "filters": [{"field": "Statut", "type": "single_select_equal", "value": "1"}],
                    },
                ],
                "rows": [
                    {"id": 1, "Intitulé": "a", "Groupe": [1], "Statut": "confirmé", "Nombre": 12},
                    {"id": 2, "Intitulé": "b", "Groupe": [1], "Statut": "annulé", "Nombre": 5},
                    {"id": 3, "Intitulé": "c", "Groupe": [2], "Statut": "confirmé", "Nombre": 3},
                ],
            },
        ],
    }


def _without_name(template: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in template.items() if k != "name"}


async def test_template_install_and_export_round_trip(api: Api, command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "tracker.json"
    source.write_text(json.dumps(_tiny(), ensure_ascii=False), encoding="utf-8")
    code, out, _ = await command("template", "install", str(source), "--workspace", "Réseau CLI", "--email", api.email)
    assert code == 0, out
    assert "created the workspace 'Réseau CLI'" in out and "2 tables, 5 rows" in out
    database_id = int(out.strip().splitlines()[-1])
    workspaces = {w["name"]: w["id"] for w in await api.get("/api/workspaces/")}
    databases = await api.get(f"/api/applications/workspace/{workspaces['Réseau CLI']}/")
    assert [d["id"] for d in databases] == [database_id]

    exported = tmp_path / "exported.json"
    code, out, _ = await command("template", "export", str(database_id), str(exported), "--rows")
    assert code == 0 and "2 tables, 5 rows" in out
    first = json.loads(exported.read_text(encoding="utf-8"))
    assert first == await api.get(f"/api/templates/export/database/{database_id}/", params={"rows": "true"})
    groups = {f["name"]: f for f in first["tables"][0]["fields"]}
    assert groups["Confirmées"]["options"]["filters"] == _tiny()["tables"][0]["fields"][2]["options"]["filters"]
    table_id = (await api.get(f"/api/database/tables/database/{database_id}/"))[0]["id"]
    rows = (await api.rows(table_id, user_field_names="true"))["results"]
    assert [(r["Nom"], r["Confirmées"], r["Participants"], r["Résumé"]) for r in rows] == [
        ("Rennes", "1", "12", "Rennes : 1"),
        ("Brest", "1", "3", "Brest : 1"),
    ]

    # The export installs again (into the same workspace, not a new one) and exports the same.
    code, out, _ = await command(
        "template", "install", str(exported), "--workspace", "Réseau CLI", "--email", api.email
    )
    assert code == 0 and "created the workspace" not in out
    again = int(out.strip().splitlines()[-1])
    code, _, _ = await command("template", "export", str(again), str(tmp_path / "again.json"), "--rows")
    assert code == 0
    second = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert _without_name(second) == _without_name(first)
    assert len(await api.get(f"/api/applications/workspace/{workspaces['Réseau CLI']}/")) == 2

    code, out, _ = await command("template", "export", str(database_id), str(tmp_path / "schema.json"))
    assert code == 0 and all(not t["rows"] for t in json.loads((tmp_path / "schema.json").read_text())["tables"])


async def test_template_commands_refuse_clearly(api: Api, command, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "nocodedb-template",
                "version": 1,
                "name": "T",
                "webhooks": [],
                "tables": [{"name": "A", "fields": [{"name": "N", "type": "text", "primary": True}]}],
            }
        )
    )
    code, _, err = await command("template", "install", str(bad), "--workspace", "X", "--email", api.email)
    assert code == 1 and "ERROR_TEMPLATE_INVALID" in err and "webhooks" in err
    code, _, err = await command("template", "install", str(bad), "--workspace", "X", "--email", "nobody@example.org")
    assert code == 1 and "no account nobody@example.org" in err
    assert "X" not in {w["name"] for w in await api.get("/api/workspaces/")}
    code, _, err = await command("template", "export", "999999999", str(tmp_path / "x.json"))
    assert code == 1 and "no database" in err


async def test_serve_demo_sets_up_once(api: Api, command, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    import nocodedb.demo

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: started.append(kw))
    # The whole tracker is installed in tests/templates/test_alternatiba.py; here a smaller one is quicker.
    monkeypatch.setattr(nocodedb.demo, "load_tracker", _small_tracker)
    code, out, _ = await command("serve", "--demo", "--port", "8123")
    assert code == 0 and len(started) == 1
    line = next(x for x in out.splitlines() if "sign in as" in x)
    password = line.rsplit(" ", 1)[-1]
    assert DEMO_EMAIL in line and "http://127.0.0.1:8123" in line

    signed_in = await api.client.post("/api/user/token-auth/", json={"email": DEMO_EMAIL, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    demo = Api(api.client, signed_in.json()["access_token"], signed_in.json()["user"], DEMO_EMAIL, password)
    workspaces = await demo.get("/api/workspaces/")
    assert [w["name"] for w in workspaces] == ["Démo"]
    databases = await demo.get(f"/api/applications/workspace/{workspaces[0]['id']}/")
    assert [d["name"] for d in databases] == [load_tracker()["name"]]

    code, out, _ = await command("serve", "--demo", "--port", "8123")
    assert code == 0 and len(started) == 2 and "already exists" in out and password not in out
    assert len(await demo.get("/api/workspaces/")) == 1
    assert len(await demo.get(f"/api/applications/workspace/{workspaces[0]['id']}/")) == 1

    # Without --demo, serve does what it always did.
    code, out, _ = await command("serve")
    assert code == 0 and len(started) == 3 and "demo" not in out
    assert started[-1]["factory"] is True and started[-1]["port"] == 8000
