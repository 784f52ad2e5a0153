"""Opening a table fast (issue 5): what index.html preloads, and that the early requests change nothing.

index.html's boot script preloads every module the signed-in page needs at once (modulepreload) and asks
for the first screen's data before the modules arrive; js/api.js takes those answers instead of asking
again. These tests keep the list whole and check that each request is made once and the view's own
filter and sort shape the first rows. Timings are measured by bench/page_open.py, never asserted here.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.ui.conftest import Api

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
# Static imports only: `import("...")` (loaded when first used) is left out on purpose.
STATIC_IMPORT = re.compile(r'^\s*(?:import|export)\s[^;]*?\bfrom\s+"([^"]+)"|^\s*import\s+"([^"]+)"', re.M)


def static_closure(entry: str = "js/main.js") -> set[str]:
    """Every module `entry` imports statically, directly or not, as paths under frontend/."""
    seen: set[str] = set()
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        source = (FRONTEND / path).read_text(encoding="utf-8")
        for match in STATIC_IMPORT.finditer(source):
            spec = match.group(1) or match.group(2)
            todo.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), spec)))
    return seen


def preloaded() -> list[str]:
    """The MODULES list of index.html's boot script (it adds one modulepreload link per entry)."""
    html = (FRONTEND / "index.html").read_text(encoding="utf-8")
    found = re.search(r"const MODULES = \[(.*?)\];", html, re.S)
    assert found, "index.html has no MODULES list"
    return re.findall(r'"([^"]+)"', found.group(1))


def test_index_preloads_exactly_the_static_module_graph() -> None:
    listed = preloaded()
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert set(listed) == static_closure(), (
        "frontend/index.html's modulepreload list must match main.js's static imports "
        f"(missing: {sorted(static_closure() - set(listed))}, extra: {sorted(set(listed) - static_closure())})"
    )


def test_lazy_modules_stay_out_of_the_first_download() -> None:
    eager = static_closure()
    for lazy in [
        "components/auth.js",
        "components/publicForm.js",
        "components/fieldDialog.js",
        "components/formulaEditor.js",
        "components/rowPanel.js",
        "components/kanban.js",
    ]:
        assert f"js/{lazy}" not in eager, lazy


def _api_gets(page: Page) -> Counter[str]:
    calls: Counter[str] = Counter()
    page.on(
        "request",
        lambda r: (
            calls.update([r.url.split("://", 1)[1].split("/", 1)[1]])
            if "/api/" in r.url and r.method == "GET"
            else None
        ),
    )
    return calls


def test_opening_a_table_asks_for_each_thing_once_and_follows_the_view(
    signed_in: Page, api: Api, base_url: str
) -> None:
    table = api.table("Groupes locaux", [{"name": "Membres", "type": "number"}])
    name, members = table["by_name"]["Nom"], table["by_name"]["Membres"]
    api.add_rows(
        table["id"], [{f"field_{name['id']}": f"Groupe {i}", f"field_{members['id']}": i} for i in range(1, 31)]
    )
    view = api.call("GET", f"/api/database/views/table/{table['id']}/")[0]
    # The default view keeps members >= 10 and sorts them from the largest: its first row is "Groupe 30".
    api.call(
        "POST",
        f"/api/database/views/{view['id']}/filters/",
        {"field": members["id"], "type": "higher_than_or_equal", "value": "10"},
    )
    api.call("POST", f"/api/database/views/{view['id']}/sortings/", {"field": members["id"], "order": "DESC"})

    calls = _api_gets(signed_in)
    signed_in.goto(f"{base_url}/#/t/{table['id']}")
    first = signed_in.locator('.grid-body .grid-row:not(.loading) [role="gridcell"]').first
    expect(first).to_have_text("Groupe 30")
    expect(signed_in.locator(".row-count")).to_contain_text("21")
    signed_in.wait_for_load_state("networkidle")

    rows = [u for u in calls if u.startswith(f"api/database/rows/table/{table['id']}/")]
    assert rows == [f"api/database/rows/table/{table['id']}/?view_id={view['id']}&page=1&size=200"], calls
    assert calls[rows[0]] == 1, calls
    for path in [f"api/database/fields/table/{table['id']}/", f"api/database/views/table/{table['id']}/"]:
        assert calls[path] == 1, (path, calls)
    assert calls["api/user/me/"] == 0, "the token refresh already names the user"
    assert signed_in.locator(".user-name").first.text_content() == "Camille"


def test_row_in_the_address_opens_its_panel_on_a_fresh_page(signed_in: Page, api: Api, base_url: str) -> None:
    table = api.table("Contacts")
    name = table["by_name"]["Nom"]
    made = api.add_rows(table["id"], [{f"field_{name['id']}": "Aïcha"}, {f"field_{name['id']}": "Bruno"}])
    signed_in.goto(f"{base_url}/#/t/{table['id']}?row={made[1]['id']}")
    expect(signed_in.locator(".side")).to_contain_text("Bruno")


def test_search_in_the_address_applies_to_the_first_rows(signed_in: Page, api: Api, base_url: str) -> None:
    table = api.table("Villes")
    name = table["by_name"]["Nom"]
    api.add_rows(table["id"], [{f"field_{name['id']}": v} for v in ["Lyon", "Lille", "Lorient"]])
    calls = _api_gets(signed_in)
    signed_in.goto(f"{base_url}/#/t/{table['id']}?search=lorient")
    expect(signed_in.locator('.grid-body .grid-row:not(.loading) [role="gridcell"]').first).to_have_text("Lorient")
    expect(signed_in.locator(".row-count")).to_contain_text("1")
    signed_in.wait_for_load_state("networkidle")
    rows = [u for u in calls if u.startswith(f"api/database/rows/table/{table['id']}/")]
    assert len(rows) == 1 and calls[rows[0]] == 1 and "search=lorient" in rows[0], calls


def test_public_form_and_sign_in_pages_still_load(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/#/login")
    expect(page.locator("input[type=password]")).to_be_visible()


def test_a_reopened_table_asks_for_its_rows_at_once_and_still_follows_its_first_view(
    signed_in: Page, api: Api, base_url: str
) -> None:
    table = api.table("Antennes", [{"name": "Membres", "type": "number"}])
    name, members = table["by_name"]["Nom"], table["by_name"]["Membres"]
    api.add_rows(table["id"], [{f"field_{name['id']}": f"Antenne {i}", f"field_{members['id']}": i} for i in (1, 2, 3)])
    first = api.call("GET", f"/api/database/views/table/{table['id']}/")[0]
    rows_of = f"api/database/rows/table/{table['id']}/?view_id="
    signed_in.goto(f"{base_url}/#/t/{table['id']}")
    expect(signed_in.locator('.grid-body .grid-row:not(.loading) [role="gridcell"]').first).to_have_text("Antenne 1")
    signed_in.wait_for_load_state("networkidle")

    # Reopened: the remembered first view's rows are asked for with the views list, and only once.
    calls = _api_gets(signed_in)
    signed_in.reload()
    expect(signed_in.locator('.grid-body .grid-row:not(.loading) [role="gridcell"]').first).to_have_text("Antenne 1")
    signed_in.wait_for_load_state("networkidle")
    assert calls[f"{rows_of}{first['id']}&page=1&size=200"] == 1, calls

    # The remembered view is gone: the table's first view now sorts from the largest, and that is what shows.
    other = api.call("POST", f"/api/database/views/table/{table['id']}/", {"name": "Par taille", "type": "grid"})
    api.call("POST", f"/api/database/views/{other['id']}/sortings/", {"field": members["id"], "order": "DESC"})
    api.call("DELETE", f"/api/database/views/{first['id']}/", expect=204)
    calls = _api_gets(signed_in)
    signed_in.reload()
    expect(signed_in.locator('.grid-body .grid-row:not(.loading) [role="gridcell"]').first).to_have_text("Antenne 3")
    signed_in.wait_for_load_state("networkidle")
    assert calls[f"{rows_of}{other['id']}&page=1&size=200"] == 1, calls
