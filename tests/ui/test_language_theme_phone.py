from playwright.sync_api import expect

from tests.ui.test_grid import SHOTS, open_table


def test_english_dark_theme_and_cards_on_a_phone(signed_in, api):
    table = api.table(
        "Members", [{"name": "City", "type": "text"}, {"name": "Fee", "type": "number", "number_decimal_places": 2}]
    )
    f = table["by_name"]
    api.add_rows(
        table["id"],
        [
            {f"field_{f['Nom']['id']}": n, f"field_{f['City']['id']}": c, f"field_{f['Fee']['id']}": fee}
            for n, c, fee in [("Awa", "Grenoble", "12.5"), ("Jules", "Lyon", "5"), ("Léa", "Paris", "1234.5")]
        ],
    )
    page = signed_in
    open_table(page, table)
    # switch to English without reloading: every text follows, numbers too
    page.get_by_label("Langue").select_option("en")
    # The toolbar's button (the grid has its own at the bottom, also in English once it is drawn again).
    expect(page.get_by_role("toolbar", name="Table tools").get_by_role("button", name="+ Add a row")).to_be_visible()
    expect(page.get_by_role("gridcell", name="1,234.50")).to_be_visible()
    # dark theme
    page.get_by_role("button", name="Dark theme").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.screenshot(path=str(SHOTS / "grid-dark-en.png"))
    page.get_by_role("button", name="Dark theme").click()
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_role("gridcell", name="1 234,50")).to_be_visible()

    # a phone: the grid becomes cards; a tap opens the row
    page.set_viewport_size({"width": 390, "height": 844})
    card = page.get_by_role("row").filter(has_text="Jules")
    expect(card).to_be_visible()
    assert card.bounding_box()["height"] > 100
    page.screenshot(path=str(SHOTS / "cards-phone.png"))
    card.get_by_role("gridcell", name="Lyon").click()
    expect(page.get_by_role("dialog", name="Jules")).to_be_visible()
