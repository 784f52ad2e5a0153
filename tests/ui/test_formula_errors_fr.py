"""The formula editor words its live errors in the person's language, with where the problem is (issue 5).

The page is in French here (the browser's language, as for the movement's volunteers); one test switches
to English to see that the same error follows the language.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.ui.conftest import Api
from tests.ui.test_formula_forms import _field_dialog
from tests.ui.test_grid import SHOTS, open_table

ENGLISH_BITS = ["does not exist", "expected", "expects", "unknown"]


def _table(api: Api) -> dict[str, Any]:
    return api.table("Groupes", [{"name": "Ville", "type": "text"}, {"name": "Membres", "type": "number"}])


def test_formula_errors_are_in_french_with_their_position(signed_in: Page, api: Api) -> None:
    page = signed_in
    open_table(page, _table(api))
    dialog = _field_dialog(page, "Calcul")
    box = dialog.get_by_label("Formule")
    status = dialog.locator(".formula-status")
    marker = dialog.locator("mark.formula-error-at")

    box.fill("{Membres} + {Vile}")
    expect(status).to_have_text(
        "Problème ligne 1, colonne 13 : Le champ {Vile} n’existe pas dans cette table. "
        "Vérifiez son nom (majuscules et accents compris) ou choisissez-le dans la liste des champs."
    )
    expect(marker).to_have_text("{")
    page.screenshot(path=str(SHOTS / "formula-error-fr.png"))

    box.fill("SUM()")
    expect(status).to_contain_text("Problème ligne 1, colonne 1 : La fonction SUM attend au moins 1 argument")
    expect(status).to_contain_text("elle en a 0")

    box.fill("{Membres} +\n  SOMME(1)")
    expect(status).to_contain_text("Problème ligne 2, colonne 3 : La fonction SOMME n’existe pas.")
    expect(marker).to_have_text("S")

    box.fill("{Membres} - UPPER({Ville})")
    expect(status).to_contain_text("L’opérateur - s’applique à un nombre, pas à un texte.")

    box.fill("IF({Membres} > 3, 'oui'")
    expect(status).to_contain_text("Il manque une parenthèse fermante « ) ».")

    box.fill("{Calcul} * 2")
    expect(status).to_contain_text("La formule utilise son propre champ {Calcul}")
    for bit in ENGLISH_BITS:
        expect(status).not_to_contain_text(bit)


def test_a_loop_between_fields_is_explained_in_french(signed_in: Page, api: Api) -> None:
    table = _table(api)
    fields = f"/api/database/fields/table/{table['id']}/"
    base = api.call("POST", fields, {"name": "Base", "type": "formula", "formula": "{Membres} + 1"})
    api.call("POST", fields, {"name": "Double", "type": "formula", "formula": "{Base} * 2"})
    page = signed_in
    open_table(page, table)
    page.get_by_role("columnheader", name="Base").get_by_role("button").click()
    page.get_by_role("menuitem", name="Modifier le champ").click()
    dialog = page.get_by_role("dialog")
    box = dialog.get_by_label("Formule")
    box.fill("{Double} + 1")
    expect(dialog.locator(".formula-status")).to_have_text(
        "Problème ligne 1, colonne 1 : Cette formule créerait une boucle entre des champs qui se calculent "
        "les uns à partir des autres (Base → Double → Base) : un champ ne peut pas dépendre de lui-même, "
        "même indirectement."
    )
    assert base["formula_type"] == "number"


def test_the_same_error_follows_the_language(page: Page, api: Api, base_url: str) -> None:
    page.add_init_script(f"sessionStorage.setItem('nocodedb.refresh', {api.refresh_token!r});")
    page.add_init_script("localStorage.setItem('nocodedb.lang', 'en');")
    page.goto(f"{base_url}/#/t/{_table(api)['id']}")
    page.get_by_role("button", name="+ Add a field").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Field name").fill("Sum")
    dialog.get_by_label("Type").select_option(label="Formula")
    dialog.get_by_label("Formula").fill("SUM()")
    expect(dialog.locator(".formula-status")).to_contain_text(
        "Problem at line 1, column 1: The function SUM needs at least 1 argument"
    )
