import os
from pathlib import Path

from playwright.sync_api import expect

# Screenshots go to test-results/ (git-ignored); NOCODEDB_UPDATE_SCREENSHOTS=1 refreshes docs/screenshots.
_ROOT = Path(__file__).resolve().parents[2]
SHOTS = _ROOT / ("docs/screenshots" if os.environ.get("NOCODEDB_UPDATE_SCREENSHOTS") else "test-results/screenshots")
SHOTS.mkdir(parents=True, exist_ok=True)

FIELDS = [
    {"name": "Notes", "type": "long_text"},
    {"name": "Cotisation", "type": "number", "number_decimal_places": 2},
    {"name": "Note", "type": "rating", "max_value": 5},
    {"name": "Actif", "type": "boolean"},
    {"name": "Arrivée", "type": "date", "date_format": "EU"},
    {
        "name": "Rôle",
        "type": "single_select",
        "select_options": [{"value": "Bénévole", "color": "green"}, {"value": "Référent·e", "color": "purple"}],
    },
    {
        "name": "Compétences",
        "type": "multiple_select",
        "select_options": [
            {"value": "Cuisine", "color": "orange"},
            {"value": "Vélo", "color": "blue"},
            {"value": "Compta", "color": "red"},
        ],
    },
    {"name": "Site", "type": "url"},
    {"name": "Courriel", "type": "email"},
    {"name": "Téléphone", "type": "phone_number"},
]


def open_table(page, table):
    page.goto(f"/#/t/{table['id']}")
    expect(page.get_by_role("grid")).to_be_visible()


def cell(page, row, col):
    """The cell at a 1-based data row and 1-based data column (after the row number)."""
    return page.locator(f'[role=row][aria-rowindex="{row + 1}"] [role=gridcell][aria-colindex="{col + 1}"]')


def test_grid_shows_values_and_screenshot(signed_in, api):
    table = api.table("Bénévoles", FIELDS)
    f = table["by_name"]
    roles = {o["value"]: o["id"] for o in f["Rôle"]["select_options"]}
    skills = {o["value"]: o["id"] for o in f["Compétences"]["select_options"]}
    people = [
        ("Awa Diallo", "Cuisine du samedi", "12.50", 4, True, "2024-03-15", "Référent·e", ["Cuisine", "Compta"]),
        ("Jules Martin", "", "5", 3, False, "2024-09-02", "Bénévole", ["Vélo"]),
        ("Inès Moreau", "Clés du local", "0", 5, True, "2025-01-20", "Bénévole", []),
    ]
    api.add_rows(
        table["id"],
        [
            {
                f"field_{f['Nom']['id']}": n,
                f"field_{f['Notes']['id']}": notes,
                f"field_{f['Cotisation']['id']}": cot,
                f"field_{f['Note']['id']}": rating,
                f"field_{f['Actif']['id']}": active,
                f"field_{f['Arrivée']['id']}": date,
                f"field_{f['Rôle']['id']}": roles[role],
                f"field_{f['Compétences']['id']}": [skills[s] for s in sk],
                f"field_{f['Site']['id']}": "velo-solidaire.fr",
                f"field_{f['Courriel']['id']}": f"{n.split()[0].lower()}@exemple.fr",
                f"field_{f['Téléphone']['id']}": "06 12 34 56 78",
            }
            for (n, notes, cot, rating, active, date, role, sk) in people
        ],
    )
    page = signed_in
    open_table(page, table)
    expect(page.get_by_role("gridcell", name="Awa Diallo")).to_be_visible()
    expect(page.get_by_role("gridcell", name="12,50")).to_be_visible()
    expect(page.get_by_role("gridcell", name="15/03/2024")).to_be_visible()
    expect(page.get_by_role("link", name="awa@exemple.fr")).to_have_attribute("href", "mailto:awa@exemple.fr")
    page.screenshot(path=str(SHOTS / "grid.png"))
