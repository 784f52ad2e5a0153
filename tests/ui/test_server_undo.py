"""Ctrl+Z in the grid goes through the server's undo: a deleted row comes back with its id and its link."""

from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import cell, open_table


def _ids(api, table):
    return [r["id"] for r in api.rows(table["id"])]


def test_delete_a_row_then_ctrl_z_brings_it_back_with_its_id(signed_in, api):
    teams = api.table("Équipes")
    team = api.add_rows(teams["id"], [{f"field_{teams['by_name']['Nom']['id']}": "Accueil"}])[0]
    table = api.table("Permanences", [{"name": "Équipe", "type": "link_row", "link_row_table_id": teams["id"]}])
    f = table["by_name"]
    made = api.add_rows(
        table["id"],
        [{f"field_{f['Nom']['id']}": n, f"field_{f['Équipe']['id']}": [team["id"]]} for n in ("Awa", "Jules", "Léa")],
    )
    page = signed_in
    open_table(page, table)
    expect(cell(page, 2, 1)).to_have_text("Jules")

    cell(page, 2, 1).click()
    cell(page, 2, 1).click(button="right")
    page.get_by_role("menuitem", name="Supprimer la ligne").click()
    expect(cell(page, 2, 1)).to_have_text("Léa")
    eventually(lambda: _check(_ids(api, table) == [made[0]["id"], made[2]["id"]]))

    cell(page, 1, 1).click()
    page.keyboard.press("ControlOrMeta+Z")
    expect(cell(page, 2, 1)).to_have_text("Jules")
    expect(page.get_by_role("status").get_by_text("Annulé : suppression de 1 ligne(s)")).to_be_visible()
    eventually(lambda: _check(_ids(api, table) == [r["id"] for r in made]))
    back = next(r for r in api.rows(table["id"]) if r["id"] == made[1]["id"])
    assert [link["id"] for link in back[f"field_{f['Équipe']['id']}"]] == [team["id"]]

    # Redo deletes it again; the grid follows.
    page.keyboard.press("ControlOrMeta+Shift+Z")
    expect(cell(page, 2, 1)).to_have_text("Léa")
    eventually(lambda: _check(_ids(api, table) == [made[0]["id"], made[2]["id"]]))


def _check(ok: bool) -> None:
    assert ok
