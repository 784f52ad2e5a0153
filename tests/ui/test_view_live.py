"""View live events in the page: someone else adds a filter to the open view (with the filter panel, which
saves it in the view); the other page says who changed it and shows the filtered rows without reload."""

from playwright.sync_api import expect

from tests.ui import test_live_totals_groups
from tests.ui.test_grid import cell, open_table
from tests.ui.test_live_totals_groups import page_for

colleague = test_live_totals_groups.colleague  # the fixture: a second person, builder in the workspace


def test_a_filter_added_by_someone_else_shows_at_once_with_a_notice(
    browser, browser_context_args, base_url, api, colleague
):
    table = api.table("Antennes", [{"name": "Ville", "type": "text"}])
    city = table["by_name"]["Ville"]["id"]
    name = table["by_name"]["Nom"]["id"]
    api.add_rows(
        table["id"],
        [{f"field_{name}": n, f"field_{city}": c} for n, c in [("Awa", "Lyon"), ("Jules", "Paris"), ("Inès", "Lyon")]],
    )
    [view] = api.call("GET", f"/api/database/views/table/{table['id']}/")

    mine = page_for(browser, browser_context_args, base_url, api)
    theirs = page_for(browser, browser_context_args, base_url, colleague)
    open_table(mine, table)
    open_table(theirs, table)
    expect(mine.get_by_text("3 lignes")).to_be_visible()
    expect(mine.get_by_role("listitem", name="Dominique Lefèvre regarde cette table")).to_have_text("DL")

    # The other person adds a filter with the page's filter panel, which saves it in the view.
    theirs.get_by_role("button", name="Filtrer").click()
    dialog = theirs.get_by_role("dialog", name="Filtres")
    dialog.get_by_role("button", name="Ajouter un filtre").click()
    dialog.get_by_label("Champ", exact=True).select_option(label="Ville")
    dialog.get_by_label("Condition", exact=True).select_option(label="est égal à")
    dialog.get_by_label("Valeur", exact=True).fill("Lyon")
    expect(theirs.get_by_text("2 lignes")).to_be_visible()
    theirs.keyboard.press("Escape")
    saved = api.call("GET", f"/api/database/views/{view['id']}/filters/")
    assert [(x["field"], x["type"], x["value"]) for x in saved] == [(city, "equal", "Lyon")], saved

    expect(mine.get_by_text("Dominique Lefèvre a modifié cette vue")).to_be_visible()
    expect(mine.get_by_text("2 lignes")).to_be_visible()
    expect(cell(mine, 1, 1)).to_have_text("Awa")
    expect(cell(mine, 2, 1)).to_have_text("Inès")
    expect(mine.get_by_role("gridcell", name="Jules", exact=True)).to_have_count(0)
    # The view list follows renames made elsewhere too (no notice: the rows did not change).
    colleague.call("PATCH", f"/api/database/views/{view['id']}/", {"name": "Lyon seulement"})
    expect(mine.get_by_role("tab", name="Lyon seulement")).to_be_visible()

    assert not mine.js_errors and not theirs.js_errors, (mine.js_errors, theirs.js_errors)
    mine.context.close()
    theirs.context.close()
