"""The formula editor (live check, error position, function list), the warning before a type change,
and form conditions on a phone-sized public form."""

from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import SHOTS, open_table

PHONE = {"width": 390, "height": 844}


def _field_dialog(page, name):
    page.get_by_role("button", name="+ Ajouter un champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill(name)
    dialog.get_by_label("Type").select_option(label="Formule")
    return dialog


def test_formula_is_checked_while_typing_and_functions_insert(signed_in, api):
    table = api.table("Calculs", [{"name": "Prix", "type": "number"}, {"name": "Qté", "type": "number"}])
    page = signed_in
    open_table(page, table)
    dialog = _field_dialog(page, "Total")
    box = dialog.get_by_label("Formule")
    status = dialog.locator(".formula-status")

    box.fill("{Prix} * {Qté}")
    expect(status).to_have_text("Formule correcte. Résultat : nombre.")
    expect(dialog.locator("mark.formula-error-at")).to_be_hidden()

    # a formula cut short: the message names the place, the marker shows it in the text
    box.fill("{Prix} * ")
    expect(status).to_contain_text("Problème ligne 1, colonne 10")
    expect(status).to_contain_text("La formule s’arrête trop tôt")  # in French, not the API's English
    expect(dialog.locator("mark.formula-error-at")).to_be_visible()
    box.fill("{Prix} + LEFT('a', 'b')")
    expect(status).to_contain_text("colonne 20")
    expect(dialog.locator(".formula-marker")).to_have_text("{Prix} + LEFT('a', 'b')")
    expect(dialog.locator("mark.formula-error-at")).to_have_text("'")
    page.screenshot(path=str(SHOTS / "formula-error.png"))

    # a function from the searchable list, then a field inside it
    box.fill("")
    dialog.get_by_label("Chercher une fonction").fill("upper")
    dialog.get_by_role("button", name="Insérer UPPER").click()
    expect(box).to_have_value("UPPER()")
    expect(dialog.locator(".formula-help")).to_contain_text("UPPER(text)")
    dialog.locator(".formula-fields").get_by_role("button", name="Nom", exact=True).click()
    expect(box).to_have_value("UPPER({Nom})")
    expect(status).to_have_text("Formule correcte. Résultat : texte.")
    page.screenshot(path=str(SHOTS / "formula-editor.png"))
    dialog.get_by_role("button", name="Créer le champ").click()
    expect(page.get_by_role("columnheader", name="Total")).to_be_visible()
    fields = {f["name"]: f for f in api.call("GET", f"/api/database/fields/table/{table['id']}/")}
    assert fields["Total"]["formula"] == "UPPER({Nom})" or fields["Total"]["formula"].upper() == "UPPER({NOM})"
    assert fields["Total"]["formula_type"] == "text"


def test_type_change_warns_with_the_count_before_confirming(signed_in, api):
    table = api.table("Cotisations", [{"name": "Montant", "type": "text"}])
    f = table["by_name"]
    values = ["12", "abc", "3.5", "douze", ""]
    api.add_rows(table["id"], [{f"field_{f['Montant']['id']}": v} for v in values])
    page = signed_in
    open_table(page, table)
    page.get_by_role("columnheader", name="Montant").get_by_role("button").click()
    page.get_by_role("menuitem", name="Modifier le champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Type").select_option(label="Nombre")
    dialog.get_by_role("button", name="Enregistrer").click()
    warning = page.get_by_role("dialog", name="Changer le type du champ ?")
    expect(warning).to_contain_text("2 valeur(s) sur 4 ne peuvent pas être converties et seront vidées")
    expect(warning).to_contain_text("« abc »")
    expect(warning).to_contain_text("« douze »")
    page.screenshot(path=str(SHOTS / "type-change-count.png"))
    # nothing changed before the confirmation
    assert api.call("GET", f"/api/database/fields/{f['Montant']['id']}/")["type"] == "text"
    warning.get_by_role("button", name="Changer le type").click()
    expect(page.get_by_role("alert")).to_contain_text("2 valeur(s)")
    eventually(lambda: _is_number(api, f["Montant"]["id"]))


def _is_number(api, field_id):
    assert api.call("GET", f"/api/database/fields/{field_id}/")["type"] == "number"


def test_form_condition_shows_a_question_live_on_a_phone(signed_in, api, browser, base_url):
    table = api.table(
        "Inscriptions",
        [
            {"name": "Rôle", "type": "single_select", "select_options": [{"value": "Bénévole"}, {"value": "Visiteur"}]},
            {"name": "Disponibilités", "type": "text"},
        ],
    )
    f = table["by_name"]
    page = signed_in
    open_table(page, table)
    page.get_by_role("button", name="+ Vue").click()
    page.get_by_role("menuitem", name="Formulaire").click()
    page.get_by_role("dialog").get_by_label("Nom").fill("Inscription")
    page.get_by_role("dialog").get_by_role("button", name="Créer").click()
    page.get_by_label("Demander « Nom »").check()
    page.get_by_label("Demander « Rôle »").check()
    page.get_by_label("Demander « Disponibilités »").check()
    page.get_by_label("Afficher « Disponibilités » seulement si…").check()
    condition = page.locator(".form-condition").filter(has_text="Disponibilités")
    expect(condition.get_by_label("Question")).to_have_value(str(f["Rôle"]["id"]))
    condition.get_by_label("Valeur").select_option(label="Bénévole")
    view = next(v for v in _views(api, table["id"]) if v["type"] == "form")
    eventually(lambda: _condition_saved(api, view["id"], f))
    page.screenshot(path=str(SHOTS / "form-condition-builder.png"))
    page.get_by_role("button", name="Partager le formulaire (lien public)").click()
    link = page.get_by_role("link", name="/#/form/")
    expect(link).to_be_visible()
    url = link.get_attribute("href")

    phone = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True, base_url=base_url)
    visitor = phone.new_page()
    visitor.goto(url)
    expect(visitor.get_by_label("Rôle")).to_be_visible()
    expect(visitor.get_by_label("Disponibilités")).to_be_hidden()
    visitor.get_by_label("Nom").fill("Lina")
    visitor.get_by_label("Rôle").select_option(label="Bénévole")
    expect(visitor.get_by_label("Disponibilités")).to_be_visible()
    visitor.get_by_label("Rôle").select_option(label="Visiteur")
    expect(visitor.get_by_label("Disponibilités")).to_be_hidden()
    visitor.get_by_label("Rôle").select_option(label="Bénévole")
    visitor.get_by_label("Disponibilités").fill("Samedi matin")
    visitor.screenshot(path=str(SHOTS / "form-condition-phone.png"))
    visitor.get_by_role("button", name="Envoyer").click()
    expect(visitor.get_by_role("status").first).to_be_visible()
    eventually(lambda: _submitted(api, table, f))
    phone.close()


def _views(api, table_id):
    return api.call("GET", f"/api/database/views/table/{table_id}/")


def _condition_saved(api, view_id, f):
    options = api.call("GET", f"/api/database/views/{view_id}/field-options/")["field_options"]
    o = options[str(f["Disponibilités"]["id"])]
    assert o["show_when_matching_conditions"] is True
    benevole = next(x["id"] for x in f["Rôle"]["select_options"] if x["value"] == "Bénévole")
    assert o["conditions"] == [{"field": f["Rôle"]["id"], "type": "single_select_equal", "value": str(benevole)}]


def _submitted(api, table, f):
    rows = api.rows(table["id"])
    lina = next(r for r in rows if r[f"field_{f['Nom']['id']}"] == "Lina")
    assert lina[f"field_{f['Disponibilités']['id']}"] == "Samedi matin"
    assert lina[f"field_{f['Rôle']['id']}"]["value"] == "Bénévole"


def test_rollup_is_built_from_menus_with_a_filter_on_linked_rows(signed_in, api):
    tasks = api.table("Tâches", [{"name": "Heures", "type": "number"}, {"name": "Fait", "type": "boolean"}])
    projects = api.table("Projets", [{"name": "Tâches", "type": "link_row", "link_row_table_id": tasks["id"]}])
    page = signed_in
    open_table(page, projects)
    page.get_by_role("button", name="+ Ajouter un champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill("Heures faites")
    dialog.get_by_label("Type").select_option(label="Agrégation")
    dialog.get_by_label("Par le lien").select_option(label="Tâches")
    dialog.get_by_label("Champ de la table liée").select_option(label="Heures")
    dialog.get_by_label("Calcul").select_option(label="Somme")
    dialog.get_by_label("Ne prendre que certaines lignes liées").check()
    dialog.locator(".linked-filter").get_by_label("Champ").select_option(label="Fait")
    expect(dialog.locator(".linked-filter").get_by_label("Valeur")).to_have_value("1")
    dialog.get_by_role("button", name="Créer le champ").click()
    expect(page.get_by_role("columnheader", name="Heures faites")).to_be_visible()
    made = {f["name"]: f for f in api.call("GET", f"/api/database/fields/table/{projects['id']}/")}["Heures faites"]
    assert made["type"] == "rollup" and made["rollup_function"] == "sum"
    assert made["target_field_id"] == tasks["by_name"]["Heures"]["id"]
    fait = tasks["by_name"]["Fait"]["id"]
    assert made["filters"]["filters"] == [{"field": fait, "type": "boolean", "value": "1"}]
