from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import FIELDS, cell, open_table


def col_of(table, name, page=None):
    """1-based data column of a field, in the default column order (primary first, then by order/id)."""
    others = [f for f in table["fields"] if not f["primary"]]
    others.sort(key=lambda f: (f["order"], f["id"]))
    names = [table["by_name"]["Nom"]["name"]] + [f["name"] for f in others]
    return names.index(name) + 1


def test_edit_a_cell_of_each_type(signed_in, api):
    table = api.table("Bénévoles", FIELDS)
    f = table["by_name"]
    [row] = api.add_rows(table["id"], [{f"field_{f['Nom']['id']}": "Awa"}])
    page = signed_in
    open_table(page, table)
    c = lambda name: cell(page, 1, col_of(table, name))  # noqa: E731

    # text: typing replaces, Enter commits
    c("Nom").click()
    page.keyboard.type("Zoé Bernard")
    page.keyboard.press("Enter")
    expect(c("Nom")).to_have_text("Zoé Bernard")
    # long text: Enter opens the editor, Shift+Enter is a new line
    c("Notes").click()
    page.keyboard.press("Enter")
    page.keyboard.type("Ligne 1")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Ligne 2")
    page.keyboard.press("Enter")
    expect(c("Notes")).to_have_text("Ligne 1")
    # number with a decimal comma
    c("Cotisation").click()
    page.keyboard.type("3,5")
    page.keyboard.press("Enter")
    expect(c("Cotisation")).to_have_text("3,50")
    # rating: digits
    c("Note").click()
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    page.keyboard.press("Enter")
    expect(
        c("Note").get_by_role("img", name="4 sur 5").or_(c("Note").locator("[aria-label='4 sur 5']"))
    ).to_be_visible()
    # checkbox: Space toggles
    c("Actif").click()
    page.keyboard.press("Space")
    expect(c("Actif").get_by_role("img", name="Oui")).to_be_visible()
    # date: typed in French order, or picked in the calendar (weeks start on Monday)
    c("Arrivée").click()
    page.keyboard.press("Enter")
    expect(page.locator(".calendar th").first).to_have_text("lun")
    page.keyboard.type("14/07/2024")
    page.keyboard.press("Enter")
    expect(c("Arrivée")).to_have_text("14/07/2024")
    c("Arrivée").dblclick()
    page.get_by_role("button", name="mardi 16 juillet 2024").click()
    expect(c("Arrivée")).to_have_text("16/07/2024")
    # single select: searchable list
    c("Rôle").click()
    page.keyboard.press("Enter")
    page.keyboard.type("réf")
    page.keyboard.press("Enter")
    expect(c("Rôle")).to_have_text("Référent·e")
    # multiple select: Enter toggles, Enter on an empty search validates
    c("Compétences").click()
    page.keyboard.press("Enter")
    page.keyboard.type("vél")
    page.keyboard.press("Enter")
    page.keyboard.type("cuis")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(c("Compétences")).to_have_text("VéloCuisine")
    # URL, e-mail, phone become links
    c("Site").click()
    page.keyboard.type("https://velo.example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("zoe@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("0612345678")
    page.keyboard.press("Enter")
    expect(c("Site").get_by_role("link")).to_have_attribute("href", "https://velo.example.org")
    expect(c("Courriel").get_by_role("link")).to_have_attribute("href", "mailto:zoe@example.org")
    expect(c("Téléphone").get_by_role("link")).to_have_attribute("href", "tel:0612345678")

    # everything reached the server
    def saved():
        return api.call("GET", f"/api/database/rows/table/{table['id']}/{row['id']}/")

    expect(c("Téléphone")).to_have_text("0612345678")

    def check():
        got = saved()
        assert got[f"field_{f['Nom']['id']}"] == "Zoé Bernard"
        assert got[f"field_{f['Notes']['id']}"] == "Ligne 1\nLigne 2"
        assert got[f"field_{f['Cotisation']['id']}"] == "3.50"
        assert got[f"field_{f['Note']['id']}"] == 4
        assert got[f"field_{f['Actif']['id']}"] is True
        assert got[f"field_{f['Arrivée']['id']}"] == "2024-07-16"
        assert got[f"field_{f['Rôle']['id']}"]["value"] == "Référent·e"
        assert [o["value"] for o in got[f"field_{f['Compétences']['id']}"]] == ["Vélo", "Cuisine"]
        assert got[f"field_{f['Site']['id']}"] == "https://velo.example.org"
        assert got[f"field_{f['Courriel']['id']}"] == "zoe@example.org"
        assert got[f"field_{f['Téléphone']['id']}"] == "0612345678"

    eventually(check)

    # a refused value is rolled back with a message in plain words
    c("Courriel").click()
    page.keyboard.type("pas-un-email")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(c("Courriel")).to_have_text("zoe@example.org")
