"""The bundled network tracker (examples/alternatiba_schema.json) installs and works through the real API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.factories import Api, signed_up

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACKER = EXAMPLES / "alternatiba_schema.json"
COMPUTED = ("formula", "lookup", "rollup", "count")


def _load() -> dict[str, Any]:
    return json.loads(TRACKER.read_text(encoding="utf-8"))


class Tracker:
    def __init__(self, api: Api, installed: dict[str, Any]) -> None:
        self.api, self.installed = api, installed
        self.tables: dict[str, int] = installed["tables"]
        self.fields: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}

    async def load(self) -> None:
        for name, table_id in self.tables.items():
            self.fields[name] = await self.api.get(f"/api/database/fields/table/{table_id}/")
            rows: list[dict[str, Any]] = []
            page = 1
            while True:
                answer = await self.api.rows(table_id, user_field_names="true", size=200, page=page)
                rows += answer["results"]
                if not answer["next"]:
                    break
                page += 1
            self.rows[name] = rows


@pytest.fixture(scope="module")
async def tracker(app) -> AsyncIterator[Tracker]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=120) as client:
        api = await signed_up(client)
        installed = await api.post(f"/api/templates/install/workspace/{api.workspace_id}/", _load())
        found = Tracker(api, installed)
        await found.load()
        yield found


def test_the_file_is_what_the_script_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_alternatiba", EXAMPLES / "make_alternatiba.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.render()
    assert text == TRACKER.read_text(encoding="utf-8"), "run python examples/make_alternatiba.py"
    assert len(text.encode()) < 1_500_000


async def test_installs_every_table_with_its_rows(tracker: Tracker) -> None:
    template = _load()
    assert list(tracker.tables) == [t["name"] for t in template["tables"]]
    for table in template["tables"]:
        assert len(tracker.rows[table["name"]]) == len(table["rows"]), table["name"]
    sizes = {name: len(rows) for name, rows in tracker.rows.items()}
    assert 110 <= sizes["Groupes locaux"] <= 120 and 130 <= sizes["Référent·es"] <= 170
    assert sizes["Mobilisations"] == 6 and 180 <= sizes["Participations"] <= 220
    assert sizes["Étapes du tour"] == 100 and sizes["Formations"] == 40
    regions = next(f for f in tracker.fields["Groupes locaux"] if f["name"] == "Région")
    assert len(regions["select_options"]) == 13
    for table_id in tracker.tables.values():
        views = await tracker.api.get(f"/api/database/views/table/{table_id}/")
        assert views and not any(v["public"] for v in views)


async def test_computed_fields_have_no_error_and_values_where_inputs_exist(tracker: Tracker) -> None:
    for table, fields in tracker.fields.items():
        by_name = {f["name"]: f for f in fields}
        for f in fields:
            if f["type"] not in COMPUTED:
                continue
            assert not f.get("error"), (table, f["name"], f.get("error"))
            if f["type"] == "formula":
                continue
            through = by_name[next(x["name"] for x in fields if x["id"] == f["through_field_id"])]
            for row in tracker.rows[table]:
                linked = row[through["name"]]
                value = row[f["name"]]
                if f["type"] == "count" and not f.get("filters"):
                    assert value == str(len(linked)), (table, f["name"], row["id"])
                elif linked and f["type"] == "lookup":
                    assert len(value) == len(linked) and all(v["value"] not in (None, "", []) for v in value), (
                        table,
                        f["name"],
                        row["id"],
                        value,
                    )
                elif linked and f["type"] == "rollup" and f["rollup_function"] != "sum":
                    assert value not in (None, ""), (table, f["name"], row["id"])
    # Filtered counts and sums agree with the rows they summarize.
    participations = tracker.rows["Participations"]
    for group in tracker.rows["Groupes locaux"]:
        mine = [p for p in participations if p["Groupe"] and p["Groupe"][0]["id"] == group["id"]]
        confirmed = [p for p in mine if p["Statut"]["value"] == "confirmé"]
        assert group["Participations confirmées"] == str(len(confirmed))
        assert float(group["Participants aux mobilisations"] or 0) == sum(int(p["Participants"]) for p in confirmed)
        assert len(group["Mobilisations"]) == len(mine)
        if group["Dernière mise à jour"]:
            days = (dt.date.today() - dt.date.fromisoformat(group["Dernière mise à jour"])).days
            assert int(group["Jours depuis la mise à jour"]) == days
            assert group["À relancer"] is (days > 30)
        else:
            assert group["Jours depuis la mise à jour"] is None and group["À relancer"] is True
    for mobilization in tracker.rows["Mobilisations"]:
        mine = [p for p in participations if p["Mobilisation"][0]["id"] == mobilization["id"]]
        assert mobilization["Groupes confirmés"] == str(sum(p["Statut"]["value"] == "confirmé" for p in mine))
        assert mobilization["Groupes intéressés"] == str(sum(p["Statut"]["value"] == "intéressé" for p in mine))
        assert int(mobilization["Durée (jours)"]) >= 1
    tour = next(m for m in tracker.rows["Mobilisations"] if m["Nom"] == "Tour Alternatiba à vélo")
    assert 115 <= int(tour["Durée (jours)"]) <= 125  # four months
    for person in tracker.rows["Référent·es"]:
        assert person["Nombre de formations données"] == str(len(person["Formations données"]))
    assert any(int(p["Personnes formées"] or 0) > 0 for p in tracker.rows["Référent·es"])
    for stage in tracker.rows["Étapes du tour"]:
        assert stage["Sans accueil"] is (not stage["Groupe d'accueil"])
    for volunteer in tracker.rows["Bénévoles du camp climat"]:
        assert int(volunteer["Nombre de jours"]) == len(volunteer["Jours de présence"]) > 0


async def _view_rows(api: Api, table_id: int, view: dict[str, Any]) -> int:
    """How many rows the view lists, through the route each view type is read by."""
    kind, view_id = view["type"], view["id"]
    if kind == "grid":
        answer = await api.get(f"/api/database/views/grid/{view_id}/", params={"size": 200, "user_field_names": 1})
        return int(answer["count"])
    if kind == "kanban":
        answer = await api.get(f"/api/database/views/kanban/{view_id}/", params={"limit": 200})
        return sum(int(column["count"]) for column in answer["rows"].values())
    if kind == "calendar":
        answer = await api.get(
            f"/api/database/views/calendar/{view_id}/",
            params={"from_timestamp": "2026-01-01", "to_timestamp": "2026-12-31"},
        )
        return sum(int(d["count"]) for d in answer["rows"].values())
    answer = await api.rows(table_id, view_id=str(view_id), size=200)
    return int(answer["count"])


async def test_every_view_lists_its_rows(tracker: Tracker) -> None:
    api = tracker.api
    counts: dict[tuple[str, str], int] = {}
    kinds = set()
    for table, table_id in tracker.tables.items():
        views = await api.get(f"/api/database/views/table/{table_id}/", params={"include": "filters"})
        assert views, table
        for view in views:
            assert all(f["active"] for f in view["filters"]), (table, view["name"], view["filters"])
            counts[(table, view["name"])] = await _view_rows(api, table_id, view)
            assert counts[(table, view["name"])] > 0, (table, view["name"])
            kinds.add(view["type"])
    assert kinds == {"grid", "form", "gallery", "kanban", "calendar"}
    groups = tracker.rows["Groupes locaux"]
    assert counts[("Groupes locaux", "Groupes actifs par région")] == sum(
        g["Statut"]["value"] == "Actif" for g in groups
    )
    # The view's filter counts days in Paris, the formula's TODAY() in UTC: between 23:00 and midnight UTC
    # they are a day apart, so the view is checked against its own rule, in Paris time.
    stale = dt.datetime.now(ZoneInfo("Europe/Paris")).date() - dt.timedelta(days=30)
    assert counts[("Groupes locaux", "À relancer")] == sum(
        not g["Dernière mise à jour"] or dt.date.fromisoformat(g["Dernière mise à jour"]) < stale for g in groups
    )
    assert counts[("Groupes locaux", "Par statut")] == len(groups)
    assert counts[("Étapes du tour", "Calendrier du tour")] == 100
    # The active groups view is grouped by region: rows come region by region.
    view = next(
        v
        for v in await api.get(f"/api/database/views/table/{tracker.tables['Groupes locaux']}/")
        if v["name"] == "Groupes actifs par région"
    )
    listed = await api.get(f"/api/database/views/grid/{view['id']}/", params={"size": 200, "user_field_names": 1})
    regions = [r["Région"]["value"] for r in listed["results"]]
    assert regions == sorted(regions)


async def test_the_monthly_update_form_serves_row_edit_links(tracker: Tracker) -> None:
    api = tracker.api
    table_id = tracker.tables["Groupes locaux"]
    views = await api.get(f"/api/database/views/table/{table_id}/")
    form = next(v for v in views if v["name"] == "Mise à jour mensuelle")
    options = await api.get(f"/api/database/views/{form['id']}/field-options/")
    names = {f["id"]: f["name"] for f in tracker.fields["Groupes locaux"]}
    enabled = {names[int(k)] for k, v in options["field_options"].items() if v["enabled"]}
    assert enabled == {
        "Statut",
        "Membres actifs",
        "Mouvements",
        "E-mail du groupe",
        "Site web",
        "Dernière mise à jour",
        "Notes",
    }
    assert not form["public"]


async def test_exports_back_to_the_same_schema(tracker: Tracker) -> None:
    """Exported again, the tracker names the same fields, links, filters and views as the file."""
    exported = await tracker.api.get(f"/api/templates/export/database/{tracker.installed['database']['id']}/")
    source = {t["name"]: t for t in _load()["tables"]}
    for table in exported["tables"]:
        original = {f["name"]: f for f in source[table["name"]]["fields"]}
        assert [f["name"] for f in table["fields"]] == list(original), table["name"]
        for f in table["fields"]:
            want = original[f["name"]]
            assert f["type"] == want["type"]
            for key in ("link_table", "related_name", "through", "target", "formula"):
                if want.get(key):
                    assert f.get(key) == want[key], (table["name"], f["name"], key)
            if "filters" in want.get("options", {}):
                assert f["options"]["filters"] == want["options"]["filters"], (table["name"], f["name"])
        assert [v["name"] for v in table["views"]] == [v["name"] for v in source[table["name"]]["views"]]
