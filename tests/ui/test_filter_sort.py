from playwright.sync_api import expect

from tests.ui.conftest import eventually
from tests.ui.test_grid import SHOTS, cell, open_table

FIELDS = [
    {"name": "Ville", "type": "text"},
    {"name": "Heures", "type": "number"},
]


def test_filter_sort_search(signed_in, api):
    table = api.table("Permanences", FIELDS)
    f = table["by_name"]
    data = [("Awa", "Grenoble", 4), ("Jules", "Lyon", 2), ("Léa", "Grenoble", 7), ("Marc", "Paris", 1)]
    api.add_rows(
        table["id"],
        [
            {f"field_{f['Nom']['id']}": n, f"field_{f['Ville']['id']}": v, f"field_{f['Heures']['id']}": h}
            for n, v, h in data
        ],
    )
    [view] = api.call("GET", f"/api/database/views/table/{table['id']}/")
    saved = lambda: api.call("GET", f"/api/database/views/{view['id']}/?include=filters,sortings")  # noqa: E731
    page = signed_in
    open_table(page, table)
    expect(page.get_by_text("4 lignes")).to_be_visible()

    # filter: Ville contains "gren" (AND), then a group with OR
    page.get_by_role("button", name="Filtrer").click()
    dialog = page.get_by_role("dialog", name="Filtres")
    dialog.get_by_role("button", name="Ajouter un filtre").click()
    dialog.get_by_label("Champ", exact=True).select_option(label="Ville")
    dialog.get_by_label("Condition", exact=True).select_option(label="contient")
    dialog.get_by_label("Valeur", exact=True).fill("gren")
    expect(page.get_by_text("2 lignes")).to_be_visible()
    expect(page.get_by_role("button", name="1 filtre(s)")).to_be_visible()
    expect(dialog.get_by_role("status")).to_have_text("Enregistré dans la vue : toute personne qui l'ouvre voit ceci.")
    # Saved in the view, not in the address.
    assert "filters=" not in page.url
    eventually(
        lambda: assert_equal(
            [(x["field"], x["type"], x["value"]) for x in saved()["filters"]], [(f["Ville"]["id"], "contains", "gren")]
        )
    )
    page.screenshot(path=str(SHOTS / "filter.png"))
    dialog.get_by_role("button", name="Retirer ce filtre").click()
    expect(page.get_by_text("4 lignes")).to_be_visible()
    dialog.get_by_label("Combiner les conditions").select_option("OR")
    dialog.get_by_role("button", name="Ajouter un filtre").click()
    dialog.get_by_label("Champ", exact=True).select_option(label="Heures")
    dialog.get_by_label("Condition", exact=True).select_option(label="est supérieur à")
    dialog.get_by_label("Valeur", exact=True).fill("3")
    dialog.get_by_role("button", name="Ajouter un filtre").click()
    dialog.get_by_label("Champ", exact=True).nth(1).select_option(label="Ville")
    dialog.get_by_label("Condition", exact=True).nth(1).select_option(label="est égal à")
    dialog.get_by_label("Valeur", exact=True).nth(1).fill("Paris")
    expect(page.get_by_text("3 lignes")).to_be_visible()
    page.keyboard.press("Escape")

    # the filters are saved in the view: a reload keeps them
    eventually(lambda: assert_equal(saved()["filter_type"], "OR"))
    eventually(lambda: assert_equal(len(saved()["filters"]), 2))
    page.reload()
    expect(page.get_by_text("3 lignes")).to_be_visible()
    expect(page.get_by_role("button", name="2 filtre(s)")).to_be_visible()

    # sort by Heures, descending
    page.get_by_role("button", name="Trier").click()
    sort = page.get_by_role("dialog", name="Tri")
    sort.get_by_role("button", name="Ajouter un tri").click()
    sort.get_by_label("Champ", exact=True).select_option(label="Heures")
    sort.get_by_label("Sens").select_option("desc")
    expect(cell(page, 1, 1)).to_have_text("Léa")
    expect(cell(page, 3, 1)).to_have_text("Marc")
    expect(page.get_by_role("columnheader", name="Heures")).to_have_attribute("aria-sort", "descending")
    page.keyboard.press("Escape")
    eventually(
        lambda: assert_equal([(x["field"], x["order"]) for x in saved()["sortings"]], [(f["Heures"]["id"], "DESC")])
    )

    # search highlights what matches
    page.get_by_role("searchbox", name="Rechercher").fill("awa")
    expect(page.get_by_text("1 lignes")).to_be_visible()
    expect(cell(page, 1, 1).locator("mark")).to_have_text("Awa")


def assert_equal(got, want):
    assert got == want, (got, want)
