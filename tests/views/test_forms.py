"""Public forms and row edit links, end to end through the ASGI app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from nocodedb.db.schema import audit_log, edit_links
from tests.factories import Api

V = "/api/database/views"


async def _form(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    table = await api.table(
        "Inscriptions",
        [
            {"name": "Email", "type": "email"},
            {
                "name": "Rôle",
                "type": "single_select",
                "select_options": [
                    {"value": "Bénévole", "color": "green"},
                    {"value": "Salarié", "color": "blue"},
                    {"value": "Admin", "color": "red"},
                ],
            },
            {"name": "Heures", "type": "number"},
            {"name": "Interne", "type": "text"},
        ],
    )
    by = table["by_name"]
    form = await api.post(
        f"{V}/table/{table['id']}/",
        {
            "name": "Inscription",
            "type": "form",
            "title": "Rejoindre",
            "description": "Merci !",
            "submit_action": "REDIRECT",
            "submit_action_redirect_url": "https://example.org/merci?row={row_id}",
        },
    )
    roles = {o["value"]: o["id"] for o in by["Rôle"]["select_options"]}
    await api.patch(
        f"{V}/{form['id']}/field-options/",
        {
            "field_options": {
                str(by["Name"]["id"]): {"enabled": True, "required": True, "name": "Votre nom", "order": 1},
                str(by["Email"]["id"]): {"enabled": True, "order": 2, "description": "Pour vous écrire"},
                str(by["Rôle"]["id"]): {
                    "enabled": True,
                    "order": 3,
                    "include_all_select_options": False,
                    "allowed_select_options": [roles["Bénévole"], roles["Salarié"]],
                },
                str(by["Heures"]["id"]): {
                    "enabled": True,
                    "order": 4,
                    "required": True,
                    "show_when_matching_conditions": True,
                    "conditions": [
                        {
                            "field": by["Rôle"]["id"],
                            "type": "single_select_equal",
                            "value": str(roles["Bénévole"]),
                        }
                    ],
                },
            }
        },
    )
    form = await api.patch(f"{V}/{form['id']}/", {"public": True})
    table["roles"] = roles
    return table, form


async def test_public_form_metadata_and_submission(api: Api, client) -> None:
    table, form = await _form(api)
    by, roles = table["by_name"], table["roles"]
    url = f"{V}/form/{form['slug']}/submit/"
    meta = (await client.get(url, params={"prefill_Email": "a@b.fr", "hide_Email": ""})).json()
    assert meta["title"] == "Rejoindre"
    assert [e["name"] for e in meta["fields"]] == ["Votre nom", "Email", "Rôle", "Heures"]
    assert meta["fields"][1]["prefill"] == "a@b.fr" and meta["fields"][1]["hidden"] is True
    assert [o["value"] for o in meta["fields"][2]["field"]["select_options"]] == ["Bénévole", "Salarié"]
    assert "Interne" not in str(meta)
    # Required fields, a condition that makes Heures required only for volunteers.
    missing = await client.post(url, json={f"field_{by['Rôle']['id']}": roles["Bénévole"]})
    assert missing.status_code == 400
    assert set(missing.json()["detail"]) == {f"field_{by['Name']['id']}", f"field_{by['Heures']['id']}"}
    ok = await client.post(
        url,
        json={
            f"field_{by['Name']['id']}": "Zoé",
            f"field_{by['Rôle']['id']}": roles["Salarié"],
            f"field_{by['Heures']['id']}": "12",
        },
    )
    assert ok.status_code == 200, ok.text
    result = ok.json()
    assert result["submit_action_redirect_url"] == f"https://example.org/merci?row={result['row_id']}"
    row = await api.get(f"/api/database/rows/table/{table['id']}/{result['row_id']}/?user_field_names=true")
    assert row["Name"] == "Zoé" and row["Heures"] is None  # hidden by its condition: ignored
    # Values for fields not on the form, or options the form does not offer, are refused; nothing is written.
    before = (await api.rows(table["id"]))["count"]
    for body in (
        {f"field_{by['Name']['id']}": "X", f"field_{by['Interne']['id']}": "crafted"},
        {f"field_{by['Name']['id']}": "X", "id": 1},
        {f"field_{by['Name']['id']}": "X", f"field_{by['Rôle']['id']}": roles["Admin"]},
    ):
        refused = await client.post(url, json=body)
        assert refused.status_code == 400, body
    assert (await api.rows(table["id"]))["count"] == before


async def test_form_not_public_or_not_a_form(api: Api, client) -> None:
    table, form = await _form(api)
    await api.patch(f"{V}/{form['id']}/", {"public": False})
    assert (await client.get(f"{V}/form/{form['slug']}/submit/")).status_code == 404
    grid = (await api.get(f"{V}/table/{table['id']}/"))[0]
    grid = await api.patch(f"{V}/{grid['id']}/", {"public": True})
    assert (await client.post(f"{V}/form/{grid['slug']}/submit/", json={})).status_code == 404


async def test_edit_links(api: Api, client, engine) -> None:
    table, form = await _form(api)
    by = table["by_name"]
    t = table["id"]
    made = await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "Ana", "Email": "ana@x.fr", "Interne": "note"},
                {"Name": "Bob"},
                {"Name": "Cy"},
            ]
        },
    )
    ana, bob = made["items"][0]["id"], made["items"][1]["id"]
    links = await api.post(f"{V}/{form['id']}/edit-links/", {"row_ids": [ana], "expires_in_days": 7})
    token = links[0]["token"]
    opened = (await client.get(f"{V}/form/edit/{token}/")).json()
    assert opened["row_id"] == ana and opened["values"][f"field_{by['Email']['id']}"] == "ana@x.fr"
    assert "note" not in str(opened)  # a field not on the form is not shown
    answer = await client.post(f"{V}/form/edit/{token}/", json={f"field_{by['Email']['id']}": "new@x.fr"})
    assert answer.status_code == 200, answer.text
    row = await api.get(f"/api/database/rows/table/{t}/{ana}/?user_field_names=true")
    assert row["Email"] == "new@x.fr" and row["Name"] == "Ana" and row["Interne"] == "note"
    crafted = await client.post(f"{V}/form/edit/{token}/", json={f"field_{by['Interne']['id']}": "x"})
    assert crafted.status_code == 400
    assert (await client.post(f"{V}/form/edit/{token}/", json={"id": bob})).status_code == 400
    # Only hashes are stored, and each change is recorded with its link.
    async with engine.connect() as conn:
        stored = (
            await conn.execute(select(edit_links.c.secret_hash).where(edit_links.c.id == links[0]["id"]))
        ).scalar()
        entries = (
            await conn.execute(select(audit_log.c.detail).where(audit_log.c.action == "edit_link.update"))
        ).scalars()
        details = [d for d in entries if d.get("link_id") == links[0]["id"]]
    assert stored not in token and len(details) == 1 and details[0]["row_id"] == ana
    # Forged and revoked tokens.
    assert (await client.get(f"{V}/form/edit/{token[:-1]}x/")).status_code == 404
    await api.delete(f"{V}/edit-link/{links[0]['id']}/")
    assert (await client.get(f"{V}/form/edit/{token}/")).status_code == 404
    # Many at once, from a filtered view; then revoke them all.
    grid = (await api.get(f"{V}/table/{t}/"))[0]
    await api.post(f"{V}/{grid['id']}/filters/", {"field": by["Name"]["id"], "type": "contains", "value": "b"})
    many = await api.post(f"{V}/{form['id']}/edit-links/", {"source_view_id": grid["id"]})
    assert [m["row_id"] for m in many] == [bob]
    listed = await api.get(f"{V}/{form['id']}/edit-links/")
    assert len(listed) == 2 and all("token" not in x for x in listed)
    assert (await api.post(f"{V}/{form['id']}/edit-links/revoke-all/"))["revoked"] == 1
    assert (await client.get(f"{V}/form/edit/{many[0]['token']}/")).status_code == 404
    # Links come only from form views.
    await api.post(f"{V}/{grid['id']}/edit-links/", {"row_ids": [ana]}, expect=400)


async def test_form_link_field_offers_primary_values_only(api: Api, client) -> None:
    groups = await api.table("Groupes", [{"name": "Trésorerie", "type": "text"}])
    await api.post(
        f"/api/database/rows/table/{groups['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "Grenoble", "Trésorerie": "1200 €"},
                {"Name": "Besançon", "Trésorerie": "800 €"},
            ]
        },
    )
    people = await api.table("Personnes", [{"name": "Groupe", "type": "link_row", "link_row_table_id": groups["id"]}])
    link = people["by_name"]["Groupe"]
    form = await api.post(f"{V}/table/{people['id']}/", {"name": "F", "type": "form"})
    await api.patch(
        f"{V}/{form['id']}/field-options/",
        {
            "field_options": {
                str(people["by_name"]["Name"]["id"]): {"enabled": True},
                str(link["id"]): {"enabled": True},
            }
        },
    )
    form = await api.patch(f"{V}/{form['id']}/", {"public": True})
    url = f"{V}/form/{form['slug']}/link-row-field-lookup/{link['id']}/"
    answer = await client.get(url, params={"search": "besancon"})
    assert answer.status_code == 200, answer.text
    assert [r["value"] for r in answer.json()["results"]] == ["Besançon"]
    assert "800" not in answer.text
    chosen = answer.json()["results"][0]["id"]
    made = await client.post(
        f"{V}/form/{form['slug']}/submit/",
        json={
            f"field_{people['by_name']['Name']['id']}": "Zoé",
            f"field_{link['id']}": [chosen],
        },
    )
    assert made.status_code == 200, made.text
    row = await api.get(f"/api/database/rows/table/{people['id']}/{made.json()['row_id']}/?user_field_names=true")
    assert row["Groupe"] == [{"id": chosen, "value": "Besançon"}]
    # Not a link field on the form: nothing to look up.
    other = f"{V}/form/{form['slug']}/link-row-field-lookup/{people['by_name']['Name']['id']}/"
    assert (await client.get(other)).status_code == 404


async def test_password_protected_form(api: Api, client) -> None:
    table, form = await _form(api)
    await api.patch(f"{V}/{form['id']}/", {"public_view_password": "formulaire-secret"})
    url = f"{V}/form/{form['slug']}/submit/"
    assert (await client.get(url)).status_code == 401
    name = f"field_{table['by_name']['Name']['id']}"
    assert (await client.post(url, json={name: "X"})).status_code == 401
    auth = await client.post(f"{V}/{form['slug']}/public/auth/", json={"password": "formulaire-secret"})
    headers = {"Baserow-View-Authorization": f"JWT {auth.json()['access_token']}"}
    assert (await client.get(url, headers=headers)).status_code == 200
    assert (await client.post(url, json={name: "X"}, headers=headers)).status_code == 200
