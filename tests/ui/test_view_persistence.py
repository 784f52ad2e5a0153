"""A view's filters, sorts, hidden fields and column widths are saved in the view: a reload, another member
and the API all see the same rows; a viewer sees the panels read-only."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui import test_live_totals_groups
from tests.ui.conftest import Api, eventually
from tests.ui.test_grid import cell, open_table
from tests.ui.test_live_totals_groups import page_for

colleague = test_live_totals_groups.colleague  # the fixture: a second person, builder in the workspace

READ_ONLY = (
    "Vous pouvez consulter les filtres de cette vue, pas les modifier : "
    "demandez à un builder ou à un administrateur de l’espace."
)


@pytest.fixture
def viewer(api: Api, base_url: str) -> Iterator[Api]:
    """A third person who may only look at the workspace."""
    other = Api.__new__(Api)
    other.client = api.client.__class__(base_url=base_url, timeout=30)
    other.email = f"ui-sacha-{secrets.token_hex(4)}@example.org"
    other.password = "correct horse battery"
    other.token = None
    body = other.call("POST", "/api/user/", {"name": "Sacha Martin", "email": other.email, "password": other.password})
    other.token, other.refresh_token = body["access_token"], body["refresh_token"]
    api.call(
        "POST",
        f"/api/workspaces/users/workspace/{api.workspace['id']}/",
        {"email": other.email, "permissions": "viewer"},
    )
    yield other
    other.client.close()


def names_in_grid(page: Any, count: int) -> list[str]:
    return [cell(page, i, 1).inner_text() for i in range(1, count + 1)]


def equal(got: Any, want: Any) -> None:
    assert got == want, (got, want)


def test_a_views_filters_sorts_and_fields_are_everyones(
    browser, browser_context_args, base_url, api, colleague, viewer
):
    table = api.table(
        "Permanences",
        [{"name": "Ville", "type": "text"}, {"name": "Heures", "type": "number"}, {"name": "Notes", "type": "text"}],
    )
    f = table["by_name"]
    data = [
        ("Awa", "Grenoble", 4),
        ("Jules", "Lyon", 2),
        ("Léa", "Grenoble", 7),
        ("Marc", "Paris", 1),
        ("Inès", "grenoble", 5),
    ]
    api.add_rows(
        table["id"],
        [
            {
                f"field_{f['Nom']['id']}": n,
                f"field_{f['Ville']['id']}": v,
                f"field_{f['Heures']['id']}": h,
                f"field_{f['Notes']['id']}": "x",
            }
            for n, v, h in data
        ],
    )
    [view] = api.call("GET", f"/api/database/views/table/{table['id']}/")
    saved = lambda: api.call(  # noqa: E731
        "GET", f"/api/database/views/{view['id']}/?include=filters,sortings,field_options"
    )

    mine = page_for(browser, browser_context_args, base_url, api)
    open_table(mine, table)
    expect(mine.get_by_text("5 lignes")).to_be_visible()

    # A filter: Ville contains "gren".
    mine.get_by_role("button", name="Filtrer").click()
    dialog = mine.get_by_role("dialog", name="Filtres")
    dialog.get_by_role("button", name="Ajouter un filtre").click()
    dialog.get_by_label("Champ", exact=True).select_option(label="Ville")
    dialog.get_by_label("Condition", exact=True).select_option(label="contient")
    dialog.get_by_label("Valeur", exact=True).fill("gren")
    expect(mine.get_by_text("3 lignes")).to_be_visible()
    expect(dialog.get_by_role("status")).to_have_text("Enregistré dans la vue : toute personne qui l'ouvre voit ceci.")
    mine.keyboard.press("Escape")

    # A sort: Heures, descending.
    mine.get_by_role("button", name="Trier").click()
    sort = mine.get_by_role("dialog", name="Tri")
    sort.get_by_role("button", name="Ajouter un tri").click()
    sort.get_by_label("Champ", exact=True).select_option(label="Heures")
    sort.get_by_label("Sens").select_option("desc")
    expect(cell(mine, 1, 1)).to_have_text("Léa")
    expect(sort.get_by_role("status")).to_have_text("Enregistré dans la vue : toute personne qui l'ouvre voit ceci.")
    mine.keyboard.press("Escape")

    # Hide Notes.
    mine.get_by_role("button", name="Champs").click()
    shown = mine.get_by_role("dialog", name="Champs affichés")
    shown.get_by_label("Notes").uncheck()
    expect(mine.get_by_role("columnheader", name="Notes")).to_have_count(0)
    expect(shown.get_by_role("status")).to_have_text("Enregistré dans la vue : toute personne qui l'ouvre voit ceci.")
    mine.keyboard.press("Escape")

    # Widen Ville by dragging its header's edge.
    handle = mine.get_by_role("columnheader", name="Ville").locator(".resize")
    box = handle.bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    mine.mouse.move(x, y)
    mine.mouse.down()
    mine.mouse.move(x + 80, y, steps=4)
    mine.mouse.up()

    # All of it is in the view, where the API sees it.
    def stored() -> None:
        v = saved()
        equal([(x["field"], x["type"], x["value"]) for x in v["filters"]], [(f["Ville"]["id"], "contains", "gren")])
        equal([(x["field"], x["order"]) for x in v["sortings"]], [(f["Heures"]["id"], "DESC")])
        equal(v["field_options"][str(f["Notes"]["id"])]["hidden"], True)
        assert 250 <= v["field_options"][str(f["Ville"]["id"])]["width"] <= 270, v["field_options"]

    eventually(stored)
    assert "filters=" not in mine.url and "sort=" not in mine.url

    # Reload: still there.
    mine.reload()
    expect(mine.get_by_text("3 lignes")).to_be_visible()
    expect(mine.get_by_role("button", name="1 filtre(s)")).to_be_visible()
    expect(mine.get_by_role("button", name="Trié par 1 champ(s)")).to_be_visible()
    expect(mine.get_by_role("button", name="1 champ(s) masqué(s)")).to_be_visible()
    expect(mine.get_by_role("columnheader", name="Notes")).to_have_count(0)
    expect(mine.get_by_role("columnheader", name="Heures")).to_have_attribute("aria-sort", "descending")
    expect(cell(mine, 1, 1)).to_have_text("Léa")
    ville_width = mine.get_by_role("columnheader", name="Ville").bounding_box()
    assert ville_width and ville_width["width"] > 230, ville_width

    # The rows are what the API answers for the view.
    api_rows = api.call("GET", f"/api/database/views/grid/{view['id']}/")["results"]
    want = [r[f"field_{f['Nom']['id']}"] for r in api_rows]
    equal(want, ["Léa", "Inès", "Awa"])
    expect(cell(mine, 3, 1)).to_have_text("Awa")
    equal(names_in_grid(mine, 3), want)

    # Another member opens the view: the same filter, order and fields.
    theirs = page_for(browser, browser_context_args, base_url, colleague)
    open_table(theirs, table)
    expect(theirs.get_by_text("3 lignes")).to_be_visible()
    expect(theirs.get_by_role("button", name="1 filtre(s)")).to_be_visible()
    expect(theirs.get_by_role("columnheader", name="Notes")).to_have_count(0)
    expect(cell(theirs, 3, 1)).to_have_text("Awa")
    equal(names_in_grid(theirs, 3), want)

    # A viewer sees the same rows and the filters, read-only.
    looker = page_for(browser, browser_context_args, base_url, viewer)
    open_table(looker, table)
    expect(looker.get_by_text("3 lignes")).to_be_visible()
    expect(cell(looker, 3, 1)).to_have_text("Awa")
    equal(names_in_grid(looker, 3), want)
    looker.get_by_role("button", name="1 filtre(s)").click()
    filters = looker.get_by_role("dialog", name="Filtres")
    expect(filters.get_by_text(READ_ONLY)).to_be_visible()
    expect(filters.get_by_label("Champ", exact=True)).to_be_disabled()
    expect(filters.get_by_label("Valeur", exact=True)).to_have_value("gren")
    expect(filters.get_by_label("Valeur", exact=True)).to_be_disabled()
    expect(filters.get_by_role("button", name="Ajouter un filtre")).to_be_disabled()
    looker.keyboard.press("Escape")
    looker.get_by_role("button", name="Trié par 1 champ(s)").click()
    expect(looker.get_by_role("dialog", name="Tri").get_by_label("Sens")).to_be_disabled()

    # The viewer's search stays theirs: nothing is saved, the others' pages do not change.
    looker.mouse.click(5, 5)
    looker.get_by_role("searchbox", name="Rechercher").fill("awa")
    expect(looker.get_by_text("1 lignes")).to_be_visible()
    equal(len(saved()["filters"]), 1)
    expect(mine.get_by_text("3 lignes")).to_be_visible()

    for p in (mine, theirs, looker):
        assert not p.js_errors, p.js_errors
        p.context.close()
