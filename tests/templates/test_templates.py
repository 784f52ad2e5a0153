"""Templates through the real app: round trip, refusals of untrusted documents, the schema."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import Api


async def _database(api: Api) -> None:
    regions = await api.table("Régions")
    groups = await api.table(
        "Groupes",
        [
            {"name": "Membres", "type": "number"},
            {
                "name": "Statut",
                "type": "single_select",
                "select_options": [{"value": "Actif", "color": "green"}, {"value": "En sommeil", "color": "red"}],
            },
            {"name": "Mis à jour", "type": "date"},
        ],
    )
    link = await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {"name": "Région", "type": "link_row", "link_row_table_id": regions["id"]},
    )
    related = link["link_row_related_field_id"]
    await api.post(
        f"/api/database/fields/table/{regions['id']}/",
        {
            "name": "Membres total",
            "type": "rollup",
            "through_field_id": related,
            "target_field_id": groups["by_name"]["Membres"]["id"],
            "rollup_function": "sum",
        },
    )
    await api.post(
        f"/api/database/fields/table/{regions['id']}/",
        {"name": "Nombre de groupes", "type": "count", "through_field_id": related},
    )
    await api.post(
        f"/api/database/fields/table/{groups['id']}/", {"name": "Double", "type": "formula", "formula": "{Membres} * 2"}
    )
    await api.post(
        f"/api/database/rows/table/{regions['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "Bretagne"}, {"Name": "Occitanie"}]},
    )
    await api.post(
        f"/api/database/rows/table/{groups['id']}/batch/?user_field_names=true",
        {
            "items": [
                {
                    "Name": "Rennes",
                    "Membres": 30,
                    "Statut": "Actif",
                    "Région": ["Bretagne"],
                    "Mis à jour": "2024-03-01",
                },
                {"Name": "Brest", "Membres": 4, "Statut": "En sommeil", "Région": ["Bretagne"]},
                {"Name": "Toulouse", "Membres": 12, "Région": ["Occitanie"]},
            ]
        },
    )
    view = await api.post(f"/api/database/views/table/{groups['id']}/", {"name": "Actifs", "type": "grid"})
    fields = {f["name"]: f for f in await api.get(f"/api/database/fields/table/{groups['id']}/")}
    await api.post(
        f"/api/database/views/{view['id']}/filters/",
        {"field": fields["Membres"]["id"], "type": "higher_than", "value": "5"},
    )
    await api.post(f"/api/database/views/{view['id']}/sortings/", {"field": fields["Name"]["id"], "order": "DESC"})
    await api.post(
        f"/api/database/views/table/{groups['id']}/",
        {"name": "Par statut", "type": "kanban", "single_select_field": fields["Statut"]["id"]},
    )


def _without_name(template: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(template)
    out.pop("name")
    return out


async def test_round_trip(api: Api) -> None:
    await _database(api)
    exported = await api.get(f"/api/templates/export/database/{api.database_id}/", params={"rows": "true"})
    installed = await api.post(f"/api/templates/install/workspace/{api.workspace_id}/", exported)
    again = await api.get(f"/api/templates/export/database/{installed['database']['id']}/", params={"rows": "true"})
    assert _without_name(again) == _without_name(exported)
    regions = installed["tables"]["Régions"]
    rows = (await api.rows(regions, user_field_names="true"))["results"]
    assert [(r["Name"], r["Membres total"], r["Nombre de groupes"]) for r in rows] == [
        ("Bretagne", "34", "2"),
        ("Occitanie", "12", "1"),
    ]
    views = await api.get(f"/api/database/views/table/{installed['tables']['Groupes']}/")
    assert [v["name"] for v in views] == ["Grid", "Actifs", "Par statut"] and not any(v["public"] for v in views)


async def test_untrusted_templates_are_refused_with_the_place(api: Api) -> None:
    url = f"/api/templates/install/workspace/{api.workspace_id}/"
    base = {
        "format": "nocodedb-template",
        "version": 1,
        "name": "T",
        "tables": [{"name": "A", "fields": [{"name": "Nom", "type": "text", "primary": True}]}],
    }
    bad = copy.deepcopy(base)
    bad["webhooks"] = [{"url": "http://evil.example"}]
    answer = await api.post(url, bad, expect=400)
    assert answer["error"] == "ERROR_TEMPLATE_INVALID" and "webhooks" in answer["detail"]
    bad = copy.deepcopy(base)
    bad["tables"][0]["fields"].append({"name": "L", "type": "link_row", "link_table": "Nowhere"})
    answer = await api.post(url, bad, expect=400)
    assert "tables[A].fields[L]" in answer["detail"]
    bad = copy.deepcopy(base)
    bad["tables"][0]["fields"].append({"name": "X", "type": "shell_command"})
    answer = await api.post(url, bad, expect=400)
    assert "unknown field type" in str(answer["detail"])
    bad = copy.deepcopy(base)
    bad["tables"][0]["fields"].append({"name": "N", "type": "number"})
    bad["tables"][0]["rows"] = [{"id": 1, "Nom": "x", "N": "abc"}]
    answer = await api.post(url, bad, expect=400)
    assert "tables[A].rows" in str(answer["detail"])
    bad = copy.deepcopy(base)
    bad["tables"][0]["views"] = [{"name": "V", "type": "grid", "public": True, "sorts": [{"field": "Nope"}]}]
    answer = await api.post(url, bad, expect=400)
    assert "tables[A].views[V]" in answer["detail"]
    before = await api.get(f"/api/applications/workspace/{api.workspace_id}/")
    assert [d["name"] for d in before] == ["Suivi"]  # nothing was half installed
    schema = (await api.client.get("/api/templates/schema.json")).json()
    assert schema["title"] == "Template" and "tables" in schema["properties"]
