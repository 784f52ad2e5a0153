from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import cell, open_table

FIELDS = [
    {"name": "Ville", "type": "text"},
    {"name": "Heures", "type": "number", "number_decimal_places": 1},
    {"name": "Rôle", "type": "single_select", "select_options": [{"value": "Bénévole", "color": "green"}]},
]


def names(api, table):
    f = table["by_name"]
    return [r[f"field_{f['Nom']['id']}"] for r in api.rows(table["id"])]


def test_paste_block_fill_many_undo_redo(signed_in, api):
    table = api.table("Permanences", FIELDS)
    f = table["by_name"]
    api.add_rows(table["id"], [{f"field_{f['Nom']['id']}": n} for n in ["Awa", "Jules"]])
    page = signed_in
    open_table(page, table)

    # a 3x3 block from a spreadsheet: one more row than the table has, so a row is added
    block = "Léa\tGrenoble\t2,5\nMarc\tLyon\t1\nNora\tParis\t3,0\n"
    page.evaluate("t => navigator.clipboard.writeText(t)", block)
    cell(page, 1, 1).click()
    page.keyboard.press("ControlOrMeta+V")
    expect(cell(page, 3, 1)).to_have_text("Nora")
    expect(cell(page, 2, 3)).to_have_text("1,0")
    expect(page.get_by_text("3 lignes")).to_be_visible()
    eventually(lambda: _names_are(api, table, ["Léa", "Marc", "Nora"]))

    # one value into many cells: select a range with Shift+arrows, paste one value
    page.evaluate("t => navigator.clipboard.writeText(t)", "Bénévole")
    cell(page, 1, 4).click()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("ControlOrMeta+V")
    for r in (1, 2, 3):
        expect(cell(page, r, 4)).to_have_text("Bénévole")
    eventually(lambda: _all_roles(api, table))

    # copy a range and paste it elsewhere
    cell(page, 1, 2).click()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("ControlOrMeta+C")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.splitlines() == ["Grenoble", "Lyon"]

    # undo the fill, then the paste; redo brings the paste back
    page.keyboard.press("ControlOrMeta+Z")
    for r in (1, 2, 3):
        expect(cell(page, r, 4)).to_have_text("")
    page.keyboard.press("ControlOrMeta+Z")
    expect(cell(page, 1, 1)).to_have_text("Awa")
    expect(cell(page, 2, 1)).to_have_text("Jules")
    page.keyboard.press("ControlOrMeta+Shift+Z")
    expect(cell(page, 1, 1)).to_have_text("Léa")
    eventually(lambda: _names_are(api, table, ["Léa", "Marc", "Nora"]))

    # delete a row from its menu, then undo: it comes back in place
    cell(page, 2, 1).click()
    cell(page, 2, 1).click(button="right")
    page.get_by_role("menuitem", name="Supprimer la ligne").click()
    expect(cell(page, 2, 1)).to_have_text("Nora")
    expect(page.get_by_text("2 lignes")).to_be_visible()
    page.get_by_role("status").get_by_role("button", name="Annuler").click()
    expect(cell(page, 2, 1)).to_have_text("Marc")
    eventually(lambda: _names_are(api, table, ["Léa", "Marc", "Nora"]))

    # an edit made after the restore can still be undone on the restored row
    cell(page, 2, 2).click()
    page.keyboard.type("Annecy")
    page.keyboard.press("Enter")
    expect(cell(page, 2, 2)).to_have_text("Annecy")
    page.keyboard.press("ControlOrMeta+Z")
    expect(cell(page, 2, 2)).to_have_text("Lyon")


def _names_are(api, table, expected):
    assert names(api, table) == expected


def _all_roles(api, table):
    f = table["by_name"]
    assert all(r[f"field_{f['Rôle']['id']}"] for r in api.rows(table["id"]))
