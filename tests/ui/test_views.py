"""Views: tabs, kanban, calendar, form builder, the public form on a phone, the row edit link."""

from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import SHOTS, open_table

PHONE = {"width": 390, "height": 844}


def views_api(api, table_id):
    response = api.client.get(f"/api/database/views/table/{table_id}/", headers={"Authorization": f"JWT {api.token}"})
    assert response.status_code == 200, response.text
    return response.json()


def make_table(api):
    table = api.table(
        "Actions",
        [
            {
                "name": "État",
                "type": "single_select",
                "select_options": [
                    {"value": "À faire", "color": "red"},
                    {"value": "En cours", "color": "orange"},
                    {"value": "Fait", "color": "green"},
                ],
            },
            {"name": "Jour", "type": "date"},
            {"name": "Courriel", "type": "email"},
        ],
    )
    f = table["by_name"]
    todo = f["État"]["select_options"][0]["id"]
    api.add_rows(
        table["id"],
        [
            {
                f"field_{f['Nom']['id']}": "Tractage marché",
                f"field_{f['État']['id']}": todo,
                f"field_{f['Jour']['id']}": "2025-03-08",
            },
            {f"field_{f['Nom']['id']}": "Réunion publique", f"field_{f['Jour']['id']}": "2025-03-12"},
        ],
    )
    return table


def test_kanban_move_a_card_and_undo(signed_in, api):
    table = make_table(api)
    views_api(api, table["id"])
    page = signed_in
    open_table(page, table)
    page.get_by_role("button", name="+ Vue").click()
    page.get_by_role("menuitem", name="Kanban").click()
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    expect(page.get_by_role("tab", name="Kanban")).to_have_attribute("aria-selected", "true")
    page.get_by_label("Colonnes selon le champ").select_option(label="État")
    todo = page.get_by_role("region", name="À faire")
    doing = page.get_by_role("region", name="En cours")
    expect(todo.get_by_role("listitem", name="Tractage marché")).to_be_visible()
    todo.get_by_role("listitem", name="Tractage marché").drag_to(doing)
    expect(doing.get_by_role("listitem", name="Tractage marché")).to_be_visible()
    f = table["by_name"]

    def state_is(value):
        row = next(r for r in api.rows(table["id"]) if r[f"field_{f['Nom']['id']}"] == "Tractage marché")
        assert (row[f"field_{f['État']['id']}"] or {}).get("value") == value

    eventually(lambda: state_is("En cours"))
    page.screenshot(path=str(SHOTS / "kanban.png"))
    # the same move with the keyboard: Space opens "Move to"
    doing.get_by_role("listitem", name="Tractage marché").focus()
    page.keyboard.press("Space")
    page.get_by_role("menuitem", name="Déplacer vers « Fait »").click()
    expect(page.get_by_role("region", name="Fait").get_by_role("listitem", name="Tractage marché")).to_be_visible()
    eventually(lambda: state_is("Fait"))
    page.get_by_role("button", name="Annuler", exact=True).first.click()
    eventually(lambda: state_is("En cours"))


def test_calendar_month_and_week(signed_in, api):
    table = make_table(api)
    views_api(api, table["id"])
    page = signed_in
    page.clock.set_fixed_time("2025-03-10T10:00:00")
    open_table(page, table)
    page.get_by_role("button", name="+ Vue").click()
    page.get_by_role("menuitem", name="Calendrier").click()
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    page.get_by_label("Placer les lignes selon le champ").select_option(label="Jour")
    expect(page.get_by_role("heading", name="mars 2025")).to_be_visible()
    expect(
        page.get_by_role("region", name="samedi 8 mars 2025").get_by_role("button", name="Tractage marché")
    ).to_be_visible()
    page.screenshot(path=str(SHOTS / "calendar.png"))
    page.get_by_role("button", name="Semaine").click()
    expect(
        page.get_by_role("region", name="mercredi 12 mars 2025").get_by_role("button", name="Réunion publique")
    ).to_be_visible()
    expect(page.get_by_role("region", name="samedi 8 mars 2025")).to_have_count(0)


def test_form_builder_public_form_on_a_phone_and_edit_link(signed_in, api, browser, base_url):
    table = make_table(api)
    views_api(api, table["id"])
    page = signed_in
    open_table(page, table)
    page.get_by_role("button", name="+ Vue").click()
    page.get_by_role("menuitem", name="Formulaire").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Inscription")
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    page.get_by_label("Titre du formulaire").fill("Je participe !")
    page.get_by_label("Titre du formulaire").press("Tab")
    page.get_by_label("Demander « Nom »").check()
    page.get_by_label("Réponse obligatoire").first.check()
    page.get_by_label("Demander « Courriel »").check()
    page.get_by_label("Demander « Jour »").check()
    page.get_by_role("button", name="Partager le formulaire (lien public)").click()
    link = page.get_by_role("link", name="/#/form/")
    expect(link).to_be_visible()
    url = link.get_attribute("href")
    page.screenshot(path=str(SHOTS / "form-builder.png"))

    phone = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True, base_url=base_url)
    visitor = phone.new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="Je participe !")).to_be_visible()
    visitor.get_by_role("button", name="Envoyer").click()
    expect(visitor.get_by_role("alert")).to_contain_text("obligatoire")
    visitor.get_by_label("Nom").fill("Samia")
    visitor.get_by_label("Courriel").fill("samia@example.org")
    visitor.get_by_label("Jour").fill("2025-03-15")
    visitor.screenshot(path=str(SHOTS / "public-form-phone.png"))
    visitor.get_by_role("button", name="Envoyer").click()
    expect(visitor.get_by_role("status").first).to_be_visible()
    f = table["by_name"]
    eventually(lambda: _has(api, table, "Samia"))

    # the new row appears in the grid without a reload once the view is shown again
    page.get_by_role("tab", name="Grid").or_(page.get_by_role("tab", name="Grille")).first.click()
    expect(page.get_by_role("gridcell", name="Samia", exact=True)).to_be_visible()

    # a row edit link: the person updates their own row only
    view = next(v for v in views_api(api, table["id"]) if v["type"] == "form")
    row = next(r for r in api.rows(table["id"]) if r[f"field_{f['Nom']['id']}"] == "Samia")
    links = api.call("POST", f"/api/database/views/{view['id']}/edit-links/", {"row_ids": [row["id"]]})
    visitor.goto(f"/#/form/edit/{links[0]['token']}")
    expect(visitor.get_by_label("Courriel")).to_have_value("samia@example.org")
    visitor.get_by_label("Courriel").fill("samia.b@example.org")
    visitor.get_by_role("button", name="Enregistrer les modifications").click()
    expect(visitor.get_by_text("vos modifications sont enregistrées")).to_be_visible()
    eventually(lambda: _email(api, table, row["id"], "samia.b@example.org"))
    phone.close()


def _has(api, table, name):
    f = table["by_name"]
    assert name in [r[f"field_{f['Nom']['id']}"] for r in api.rows(table["id"])]


def _email(api, table, row_id, email):
    f = table["by_name"]
    row = api.call("GET", f"/api/database/rows/table/{table['id']}/{row_id}/")
    assert row[f"field_{f['Courriel']['id']}"] == email
