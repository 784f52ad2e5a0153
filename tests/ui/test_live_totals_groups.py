"""Live updates between two people on the same table, presence avatars, footer totals and group-by."""

import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Api
from tests.ui.test_grid import SHOTS, cell, open_table


def col_of(table: dict[str, Any], name: str) -> int:
    """1-based data column of a field in a fresh table (primary first, then creation order)."""
    return [f["name"] for f in table["fields"]].index(name) + 1


@pytest.fixture
def colleague(api: Api, base_url: str) -> Iterator[Api]:
    """A second person, builder in the first one's workspace."""
    other = Api.__new__(Api)
    other.client = api.client.__class__(base_url=base_url, timeout=30)
    other.email = f"ui-dominique-{secrets.token_hex(4)}@example.org"
    other.password = "correct horse battery"
    other.token = None
    body = other.call(
        "POST", "/api/user/", {"name": "Dominique Lefèvre", "email": other.email, "password": other.password}
    )
    other.token, other.refresh_token = body["access_token"], body["refresh_token"]
    api.call(
        "POST",
        f"/api/workspaces/users/workspace/{api.workspace['id']}/",
        {"email": other.email, "permissions": "builder"},
    )
    other.database = api.database
    yield other
    other.client.close()


def page_for(browser: Any, context_args: dict[str, Any], base_url: str, who: Api) -> Any:
    context = browser.new_context(**{**context_args, "base_url": base_url})
    context.add_init_script(f"sessionStorage.setItem('nocodedb.refresh', {who.refresh_token!r});")
    # Keep the page's sockets reachable, to cut one as a network drop would.
    context.add_init_script(
        "window.__sockets = []; const Native = window.WebSocket;"
        "window.WebSocket = class extends Native { constructor(...a) { super(...a); window.__sockets.push(this); } };"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    return page


def test_live_edits_lookups_and_presence(browser, browser_context_args, base_url, api, colleague):
    cities = api.table("Villes")
    city_name = cities["by_name"]["Nom"]["id"]
    [lyon] = api.add_rows(cities["id"], [{f"field_{city_name}": "Lyon"}])
    people = api.table("Bénévoles", [{"name": "Ville", "type": "link_row", "link_row_table_id": cities["id"]}])
    link = people["by_name"]["Ville"]
    api.call(
        "POST",
        f"/api/database/fields/table/{people['id']}/",
        {"name": "Nom de la ville", "type": "lookup", "through_field_id": link["id"], "target_field_id": city_name},
    )
    people["fields"] = api.call("GET", f"/api/database/fields/table/{people['id']}/")
    name = people["by_name"]["Nom"]["id"]
    api.add_rows(
        people["id"],
        [{f"field_{name}": "Awa", f"field_{link['id']}": [lyon["id"]]}, {f"field_{name}": "Jules"}],
    )

    mine = page_for(browser, browser_context_args, base_url, api)
    theirs = page_for(browser, browser_context_args, base_url, colleague)
    open_table(mine, people)
    open_table(theirs, people)
    lookup_col = col_of(people, "Nom de la ville")
    expect(cell(mine, 1, lookup_col)).to_have_text("Lyon")

    # presence: each sees the other one's initials, the name on hover
    expect(mine.get_by_role("listitem", name="Dominique Lefèvre regarde cette table")).to_have_text("DL")
    expect(theirs.get_by_role("listitem", name="Camille regarde cette table")).to_have_text("CA")

    # an edit in one page appears in the other without reload, keeping the selection there
    cell(mine, 2, 1).click()
    cell(theirs, 1, 1).click()
    theirs.keyboard.type("Awa Diallo")
    theirs.keyboard.press("Enter")
    expect(cell(mine, 1, 1)).to_have_text("Awa Diallo")
    expect(cell(mine, 2, 1)).to_be_focused()

    # a row added by the other person appears too
    theirs.get_by_role("button", name="+ Ajouter une ligne").first.click()
    expect(mine.get_by_text("3 lignes")).to_be_visible()

    # the cell being typed in is not overwritten by someone else's change
    cell(mine, 2, 1).click()
    mine.keyboard.type("Jules M")
    api_row = colleague.rows(people["id"])[1]
    colleague.call("PATCH", f"/api/database/rows/table/{people['id']}/{api_row['id']}/", {f"field_{name}": "Julien"})
    mine.wait_for_timeout(700)
    expect(mine.locator(".editor-box input, .editor-box textarea").first).to_have_value("Jules M")
    mine.keyboard.press("Escape")
    expect(cell(mine, 2, 1)).to_have_text("Julien")

    # after a drop the socket comes back by itself and the changes made meanwhile show
    mine.evaluate("window.__sockets.at(-1).close()")
    colleague.call("PATCH", f"/api/database/rows/table/{people['id']}/{api_row['id']}/", {f"field_{name}": "Julie"})
    expect(cell(mine, 2, 1)).to_have_text("Julie")
    assert mine.evaluate("window.__sockets.length") == 2
    colleague.call("PATCH", f"/api/database/rows/table/{people['id']}/{api_row['id']}/", {f"field_{name}": "Julien"})
    expect(cell(mine, 2, 1)).to_have_text("Julien")

    # a field added by the other person shows as a new column
    colleague.call("POST", f"/api/database/fields/table/{people['id']}/", {"name": "Téléphone", "type": "phone_number"})
    expect(mine.get_by_role("columnheader", name="Téléphone")).to_be_visible()

    # the other person renames the city in the other table: the lookup follows here
    theirs.goto(f"/#/t/{cities['id']}")
    expect(theirs.get_by_role("gridcell", name="Lyon", exact=True)).to_be_visible()
    expect(mine.get_by_role("listitem", name="Dominique Lefèvre regarde cette table")).to_have_count(0)
    theirs.get_by_role("gridcell", name="Lyon", exact=True).click()
    theirs.keyboard.type("Lyon 7e")
    theirs.keyboard.press("Enter")
    expect(cell(mine, 1, lookup_col)).to_have_text("Lyon 7e")

    assert not mine.js_errors and not theirs.js_errors, (mine.js_errors, theirs.js_errors)
    mine.context.close()
    theirs.context.close()


FIELDS = [
    {"name": "Notes", "type": "text"},
    {"name": "Montant", "type": "number", "number_decimal_places": 2},
    {
        "name": "Rôle",
        "type": "single_select",
        "select_options": [{"value": "Bénévole", "color": "green"}, {"value": "Référent·e", "color": "purple"}],
    },
]


def test_footer_totals_and_groups(signed_in, api):
    table = api.table("Cotisations", FIELDS)
    f = table["by_name"]
    roles = {o["value"]: o["id"] for o in f["Rôle"]["select_options"]}
    data = [
        ("Awa", "Clés", "12.50", "Référent·e"),
        ("Jules", "", "5", "Bénévole"),
        ("Inès", "Vélo", "0", "Bénévole"),
        ("Marc", "Cuisine", "20", "Bénévole"),
    ]
    api.add_rows(
        table["id"],
        [
            {
                f"field_{f['Nom']['id']}": n,
                f"field_{f['Notes']['id']}": notes,
                f"field_{f['Montant']['id']}": amount,
                f"field_{f['Rôle']['id']}": roles[role],
            }
            for n, notes, amount, role in data
        ],
    )
    page = signed_in
    open_table(page, table)
    expect(page.get_by_text("4 lignes")).to_be_visible()

    # footer totals: always visible, one chooser per column, saved in the view
    page.get_by_role("button", name="Total de « Montant »").click()
    page.get_by_role("menuitem", name="Somme").click()
    total = page.get_by_role("button", name="Somme de « Montant » : 37,50")
    expect(total).to_be_visible()
    expect(total).to_be_focused()
    page.get_by_role("button", name="Total de « Notes »").click()
    page.get_by_role("menuitem", name="Vides", exact=True).click()
    expect(page.get_by_role("button", name="Vides de « Notes » : 1")).to_be_visible()
    # only the totals that fit the type are offered
    page.get_by_role("button", name="Vides de « Notes » : 1").click()
    expect(page.get_by_role("menuitem", name="Somme")).to_have_count(0)
    page.keyboard.press("Escape")

    # after an edit the totals follow
    cell(page, 2, col_of(table, "Montant")).click()
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Somme de « Montant » : 42,50")).to_be_visible()
    cell(page, 2, col_of(table, "Notes")).click()
    page.keyboard.type("Compta")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Vides de « Notes » : 0")).to_be_visible()

    # the totals are kept in the view: a reload shows them again
    page.reload()
    expect(page.get_by_role("button", name="Somme de « Montant » : 42,50")).to_be_visible()

    # group by the single select: headers with the value and the count
    page.get_by_role("button", name="Regrouper", exact=True).click()
    panel = page.get_by_role("dialog", name="Regrouper par")
    panel.get_by_role("button", name="Ajouter un regroupement").click()
    expect(panel.get_by_label("Regrouper par le champ")).to_have_value(str(f["Rôle"]["id"]))
    page.keyboard.press("Escape")
    volunteers = page.get_by_role("button", name="Replier le groupe Rôle : Bénévole (3 lignes)")
    expect(volunteers).to_be_visible()
    expect(volunteers).to_contain_text("3 ligne(s)")
    expect(page.get_by_role("button", name="Replier le groupe Rôle : Référent·e (1 lignes)")).to_be_visible()
    expect(page.get_by_role("button", name="1 regroupement(s)")).to_be_visible()
    # the rows come group by group: Bénévole (alphabetical) first
    expect(page.get_by_role("rowheader").first).to_contain_text("Bénévole")
    expect(page.get_by_role("gridcell", name="Jules", exact=True)).to_be_visible()
    page.screenshot(path=str(SHOTS / "grid-totals-groups.png"))

    # collapse one group with the keyboard: its rows leave the page, the other group stays
    volunteers.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("gridcell", name="Jules", exact=True)).to_have_count(0)
    expect(page.get_by_role("gridcell", name="Awa", exact=True)).to_be_visible()
    expanded = page.get_by_role("button", name="Déplier le groupe Rôle : Bénévole (3 lignes)")
    expect(expanded).to_have_attribute("aria-expanded", "false")
    expanded.click()
    expect(page.get_by_role("gridcell", name="Jules", exact=True)).to_be_visible()

    # a value moved to another group: the counts follow
    page.get_by_role("gridcell", name="Awa", exact=True).click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Delete")
    expect(page.get_by_role("button", name="Replier le groupe Rôle : (vide) (1 lignes)")).to_be_visible()
    expect(page.get_by_role("button", name="Replier le groupe Rôle : Référent·e (1 lignes)")).to_have_count(0)


def test_groups_on_a_hundred_thousand_rows(signed_in, api):
    """Group headers come from the counts: scrolling far down still draws only the lines in view."""
    n = 100_000
    text = "Nom,Équipe\n" + "\n".join(f"Ligne {i},{'ABC'[i % 3]}" for i in range(1, n + 1)) + "\n"
    job = api.call(
        "POST",
        f"/api/database/import/table/database/{api.database['id']}/",
        {"text": text, "format": "csv", "name": "Grande table groupée"},
    )
    deadline = time.monotonic() + 180
    while job["state"] not in ("finished", "failed", "error", "done"):
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
        job = api.call("GET", f"/api/jobs/{job['id']}/")
    assert job["state"] in ("finished", "done"), job
    result = job["result"] or {}
    table_id = result.get("table_id") or (result.get("table") or {}).get("id") or result.get("id")
    fields = api.call("GET", f"/api/database/fields/table/{table_id}/")
    team = next(f for f in fields if f["name"] == "Équipe")
    [view] = api.call("GET", f"/api/database/views/table/{table_id}/")
    api.call("POST", f"/api/database/views/{view['id']}/group_bys/", {"field": team["id"], "order": "ASC"})

    page = signed_in
    page.goto(f"/#/t/{table_id}")
    # Ligne i is in team "BCA"[i % 3 - 1]: A holds 33,333 rows, B 33,334, C 33,333
    first = page.get_by_role("button", name="Replier le groupe Équipe : A (33333 lignes)")
    expect(first).to_be_visible()
    expect(page.get_by_role("gridcell", name="Ligne 3", exact=True)).to_be_visible()
    grid = page.get_by_role("grid")
    assert grid.get_attribute("aria-rowcount") == str(n + 3 + 1)  # rows, three headers, the column headers
    # the last group's header sits after the first two groups and their headers
    page.locator(".grid-scroll").evaluate("el => { el.scrollTop = (1 + 33333 + 1 + 33334) * 36; }")
    expect(page.get_by_role("button", name="Replier le groupe Équipe : C (33333 lignes)")).to_be_visible()
    expect(page.get_by_role("gridcell", name="Ligne 2", exact=True)).to_be_visible()
    assert page.locator("[role=row]").count() < 80
    # folding the first group brings the second one to the top
    page.locator(".grid-scroll").evaluate("el => { el.scrollTop = 0; }")
    first.click()
    expect(page.get_by_role("button", name="Replier le groupe Équipe : B (33334 lignes)")).to_be_visible()
    expect(page.get_by_role("gridcell", name="Ligne 1", exact=True)).to_be_visible()
    assert grid.get_attribute("aria-rowcount") == str(n - 33333 + 3 + 1)
