from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import SHOTS, cell, open_table

# (type label in French, field name); the server's list of types decides which are offered in the test
TYPES = [
    ("text", "Texte", "Prénom"),
    ("long_text", "Texte long", "Remarques"),
    ("number", "Nombre", "Montant"),
    ("rating", "Note", "Motivation"),
    ("boolean", "Case à cocher", "Présent"),
    ("date", "Date", "Naissance"),
    ("duration", "Durée", "Temps"),
    ("single_select", "Sélection unique", "Statut"),
    ("multiple_select", "Sélection multiple", "Tags"),
    ("url", "Lien web", "Site"),
    ("email", "E-mail", "Courriel"),
    ("phone_number", "Téléphone", "Portable"),
    ("autonumber", "Numéro automatique", "Numéro"),
    ("uuid", "Identifiant unique", "Code"),
    ("created_on", "Créé le", "Création"),
    ("last_modified", "Modifié le", "Modification"),
    ("created_by", "Créé par", "Auteur"),
    ("last_modified_by", "Modifié par", "Dernier auteur"),
]


def add_field(page, name, type_label, options=None):
    page.get_by_role("button", name="+ Ajouter un champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill(name)
    dialog.get_by_label("Type").select_option(label=type_label)
    for value in options or []:
        dialog.get_by_role("button", name="+ Ajouter une option").click()
        dialog.get_by_label("Libellé de l'option").last.fill(value)
    dialog.get_by_role("button", name="Créer le champ").click()
    expect(page.get_by_role("columnheader", name=name, exact=True)).to_be_visible()


def test_add_a_field_of_each_type(signed_in, api):
    table = api.table("Inscriptions")
    probe = api.table("Sonde")
    available = [t for t in TYPES if api.supports_field_type(probe["id"], {"name": "x", "type": t[0]})]
    assert len(available) >= 12
    page = signed_in
    open_table(page, table)
    for type_name, label, name in available:
        add_field(page, name, label, ["Nouveau", "Confirmé"] if "select" in type_name else None)
    fields = {f["name"]: f for f in api.call("GET", f"/api/database/fields/table/{table['id']}/")}
    for type_name, _label, name in available:
        assert fields[name]["type"] == type_name
    assert [o["value"] for o in fields["Statut"]["select_options"]] == ["Nouveau", "Confirmé"]

    # a new row: automatic fields fill themselves, computed ones cannot be edited
    page.get_by_role("button", name="+ Ajouter une ligne").first.click()
    expect(page.get_by_text("1 lignes")).to_be_visible()
    numero = page.get_by_role("columnheader", name="Numéro", exact=True)
    col = int(numero.get_attribute("aria-colindex")) - 1
    expect(cell(page, 1, col)).to_have_text("1")
    cell(page, 1, col).click()
    page.keyboard.type("5")
    expect(page.get_by_text("calculé automatiquement")).to_be_visible()
    # the select created with options can be used at once
    statut = int(page.get_by_role("columnheader", name="Statut", exact=True).get_attribute("aria-colindex")) - 1
    cell(page, 1, statut).click()
    page.keyboard.press("Enter")
    page.get_by_role("option", name="Confirmé").click()
    expect(cell(page, 1, statut)).to_have_text("Confirmé")
    page.screenshot(path=str(SHOTS / "fields.png"))


def test_rename_describe_change_type_delete(signed_in, api):
    table = api.table("Dons", [{"name": "Montant", "type": "text"}])
    f = table["by_name"]
    api.add_rows(
        table["id"],
        [
            {f"field_{f['Nom']['id']}": "Awa", f"field_{f['Montant']['id']}": "12"},
            {f"field_{f['Nom']['id']}": "Jules", f"field_{f['Montant']['id']}": "douze euros"},
        ],
    )
    page = signed_in
    open_table(page, table)
    page.get_by_role("columnheader", name="Montant").get_by_role("button").click()
    page.get_by_role("menuitem", name="Modifier le champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill("Montant (€)")
    dialog.get_by_label("Description (facultative)").fill("Somme promise lors de l'appel")
    dialog.get_by_label("Type").select_option(label="Nombre")
    dialog.get_by_label("Précision").select_option("2")
    dialog.get_by_role("button", name="Enregistrer").click()
    # a warning before values may be lost
    warning = page.get_by_role("dialog", name="Changer le type du champ ?")
    expect(warning).to_contain_text("vidées")
    page.screenshot(path=str(SHOTS / "type-change-warning.png"))
    warning.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("dialog", name="Changer le type du champ ?").get_by_role("button", name="Changer le type").click()
    header = page.get_by_role("columnheader", name="Montant (€)")
    expect(header).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("1 valeur(s)")
    expect(cell(page, 1, 2)).to_have_text("12,00")
    expect(header.get_by_role("button")).to_have_attribute("title", "Somme promise lors de l'appel")

    # delete, after confirmation
    header.get_by_role("button").click()
    page.get_by_role("menuitem", name="Supprimer le champ").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer le champ").click()
    expect(page.get_by_role("columnheader", name="Montant (€)")).to_have_count(0)
    eventually(lambda: _only_nom(api, table))


def _only_nom(api, table):
    assert [x["name"] for x in api.call("GET", f"/api/database/fields/table/{table['id']}/")] == ["Nom"]


def test_formula_error_is_shown(signed_in, api):
    table = api.table("Calculs", [{"name": "Prix", "type": "number"}])
    assert api.supports_field_type(table["id"], {"name": "probe", "type": "formula", "formula": "1"})
    page = signed_in
    open_table(page, table)
    page.get_by_role("button", name="+ Ajouter un champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill("TTC")
    dialog.get_by_label("Type").select_option(label="Formule")
    dialog.get_by_label("Formule").fill("field('Prix') * ")
    dialog.get_by_role("button", name="Créer le champ").click()
    expect(dialog.get_by_role("alert")).to_contain_text("La formule a un problème")
    dialog.get_by_label("Formule").fill("field('Prix') * 1.2")
    dialog.get_by_role("button", name="Enregistrer").or_(dialog.get_by_role("button", name="Créer le champ")).click()
    expect(page.get_by_role("columnheader", name="TTC")).to_be_visible()
