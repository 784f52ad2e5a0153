from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import SHOTS, cell, open_table


def test_link_two_tables_and_pick_a_row(signed_in, api):
    cities = api.table("Villes")
    people = api.table("Bénévoles")
    probe = {"name": "probe", "type": "link_row", "link_row_table_id": cities["id"], "has_related_field": False}
    assert api.supports_field_type(people["id"], probe)
    c = cities["by_name"]["Nom"]["id"]
    api.add_rows(cities["id"], [{f"field_{c}": v} for v in ["Grenoble", "Lyon", "Marseille"]])
    p = people["by_name"]["Nom"]["id"]
    api.add_rows(people["id"], [{f"field_{p}": "Awa"}])
    page = signed_in
    open_table(page, people)
    page.get_by_role("button", name="+ Ajouter un champ").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Nom du champ").fill("Ville")
    dialog.get_by_label("Type").select_option(label="Lien vers une table")
    dialog.get_by_label("Table liée").select_option(label="Villes")
    dialog.get_by_role("button", name="Créer le champ").click()
    expect(page.get_by_role("columnheader", name="Ville", exact=True)).to_be_visible()
    cell(page, 1, 2).click()
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name="Rechercher dans Ville").fill("lyo")
    expect(page.get_by_role("listbox", name="Ville").get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(cell(page, 1, 2)).to_have_text("Lyon")
    link = next(f for f in api.call("GET", f"/api/database/fields/table/{people['id']}/") if f["name"] == "Ville")

    def linked():
        [row] = api.rows(people["id"])
        assert [x["value"] for x in row[f"field_{link['id']}"]] == ["Lyon"]

    eventually(linked)


def test_expand_row_panel_edit_and_navigate(signed_in, api):
    table = api.table("Contacts", [{"name": "Ville", "type": "text"}, {"name": "Actif", "type": "boolean"}])
    f = table["by_name"]
    api.add_rows(
        table["id"],
        [
            {f"field_{f['Nom']['id']}": n, f"field_{f['Ville']['id']}": v}
            for n, v in [("Awa", "Grenoble"), ("Jules", "Lyon")]
        ],
    )
    page = signed_in
    open_table(page, table)
    cell(page, 1, 1).click()
    page.keyboard.press("Shift+Enter")
    panel = page.get_by_role("dialog", name="Awa")
    expect(panel).to_be_visible()
    assert "row=" in page.url
    panel.get_by_role("button", name="Ville : Grenoble").click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Annecy")
    page.keyboard.press("Enter")
    expect(cell(page, 1, 2)).to_have_text("Annecy")
    panel.get_by_role("checkbox", name="Actif").check()
    expect(cell(page, 1, 3).get_by_role("img", name="Oui")).to_be_visible()
    page.screenshot(path=str(SHOTS / "row-panel.png"))
    panel.get_by_role("button", name="Suivante ›").click()
    expect(page.get_by_role("dialog", name="Jules")).to_be_visible()
    page.reload()
    expect(page.get_by_role("dialog", name="Jules")).to_be_visible()
    page.get_by_role("dialog", name="Jules").get_by_role("button", name="Fermer").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_columns_resize_reorder_hide(signed_in, api):
    table = api.table(
        "Colonnes", [{"name": "A", "type": "text"}, {"name": "B", "type": "text"}, {"name": "C", "type": "text"}]
    )
    api.add_rows(table["id"], [{}])
    page = signed_in
    open_table(page, table)
    header = lambda n: page.get_by_role("columnheader", name=n, exact=True)  # noqa: E731
    expect(header("C")).to_have_attribute("aria-colindex", "5")
    # move C left twice from its menu
    for _ in range(2):
        header("C").get_by_role("button").click()
        page.get_by_role("menuitem", name="Déplacer à gauche").click()
    expect(header("C")).to_have_attribute("aria-colindex", "3")
    # hide B, then show it again from the Fields panel
    header("B").get_by_role("button").click()
    page.get_by_role("menuitem", name="Masquer le champ").click()
    expect(header("B")).to_have_count(0)
    page.get_by_role("button", name="1 champ(s) masqué(s)").click()
    page.get_by_role("dialog", name="Champs affichés").get_by_label("B").check()
    expect(header("B")).to_be_visible()
    page.keyboard.press("Escape")
    # resize A by dragging the edge of its header
    box = header("A").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] + 120, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    assert header("A").bounding_box()["width"] > box["width"] + 100
    # the layout is saved in the view (field options), so a reload keeps it; the first column stays frozen
    # when scrolling sideways
    [view] = api.call("GET", f"/api/database/views/table/{table['id']}/")
    a_id = str(table["by_name"]["A"]["id"])
    eventually(
        lambda: assert_wide(api.call("GET", f"/api/database/views/{view['id']}/field-options/")["field_options"][a_id])
    )
    page.reload()
    expect(header("C")).to_have_attribute("aria-colindex", "3")
    assert header("A").bounding_box()["width"] > box["width"] + 100


def assert_wide(options):
    assert options["width"] >= 280 and not options["hidden"], options
