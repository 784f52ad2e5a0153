"""Exports through the real app: CSV/XLSX/JSON/GeoJSON, views' filters/sorts/fields, formula neutralization."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from nocodedb.exporting.formats import safe_text
from tests.factories import Api


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6", "'+33 6"),
        ("-1+1|cmd", "'-1+1|cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3.5", "-3.5"),
        ("Grenoble", "Grenoble"),
    ],
)
def test_neutralize(text: str, expected: str) -> None:
    assert safe_text(text) == expected


async def _groups(api: Api) -> dict:
    table = await api.table(
        "Groupes",
        [
            {"name": "Membres", "type": "number"},
            {"name": "Lat", "type": "number", "number_decimal_places": 4},
            {"name": "Lon", "type": "number", "number_decimal_places": 4},
        ],
    )
    t = table["id"]
    await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "Grenoble", "Membres": "40", "Lat": "45.1885", "Lon": "5.7245"},
                {"Name": "=cmd|' /C calc'!A0", "Membres": "-3", "Lat": None, "Lon": None},
                {"Name": "Besançon", "Membres": "12", "Lat": "47.2378", "Lon": "6.0241"},
            ]
        },
    )
    return table


async def test_csv_json_xlsx_of_a_table(api: Api) -> None:
    table = await _groups(api)
    url = f"/api/database/export/table/{table['id']}/"
    response = await api.client.get(url, params={"format": "csv"}, headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    cells = list(csv.reader(io.StringIO(text)))
    names = [row[0] for row in cells[1:]]
    assert cells[0][:2] == ["Name", "Membres"]
    assert "'=cmd|' /C calc'!A0" in names and "Besançon" in names
    assert ["-3" in row for row in cells[1:]].count(True) == 1

    rows = await api.get(url, params={"format": "json"})
    assert rows[0]["Name"] == "Grenoble" and rows[0]["Membres"] == "40"
    assert rows[1]["Name"].startswith("=")  # JSON is data, not a spreadsheet: kept as is

    response = await api.client.get(url, params={"format": "xlsx"}, headers=api.headers)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:2] == ["Name", "Membres"]
    assert values[2][0].startswith("'=") and values[2][1] == -3


async def test_view_export_keeps_filters_sorts_and_visible_fields(api: Api) -> None:
    table = await _groups(api)
    t = table["id"]
    by = table["by_name"]
    view = await api.post(f"/api/database/views/table/{t}/", {"name": "Grands", "type": "grid"})
    await api.post(
        f"/api/database/views/{view['id']}/filters/",
        {"field": by["Membres"]["id"], "type": "higher_than", "value": "0"},
    )
    await api.post(f"/api/database/views/{view['id']}/sortings/", {"field": by["Membres"]["id"], "order": "ASC"})
    await api.patch(
        f"/api/database/views/{view['id']}/field-options/", {"field_options": {str(by["Lat"]["id"]): {"hidden": True}}}
    )
    rows = await api.get(f"/api/database/export/table/{t}/", params={"format": "json", "view_id": view["id"]})
    assert [r["Name"] for r in rows] == ["Besançon", "Grenoble"]
    assert "Lat" not in rows[0] and "Membres" in rows[0]


async def test_geojson_and_bad_requests(api: Api) -> None:
    table = await _groups(api)
    url = f"/api/database/export/table/{table['id']}/"
    geo = await api.get(url, params={"format": "geojson", "lat_field": "Lat", "lon_field": "Lon"})
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 2
    assert geo["features"][0]["geometry"]["coordinates"] == [5.7245, 45.1885]
    bad = await api.get(url, params={"format": "geojson", "lat_field": "Nope", "lon_field": "Lon"}, expect=400)
    assert bad["error"] == "ERROR_QUERY_PARAMETER_VALIDATION"
    bad = await api.get(url, params={"format": "pdf"}, expect=400)
    assert "format" in bad["detail"]
    response = await api.client.get(url)
    assert response.status_code == 401


async def test_keyset_pages_cover_every_row(api: Api) -> None:
    table = await api.table("Beaucoup")
    t = table["id"]
    for start in range(0, 450, 150):
        await api.post(
            f"/api/database/rows/table/{t}/batch/?user_field_names=true",
            {"items": [{"Name": f"r{i:04d}"} for i in range(start, start + 150)]},
            headers={},
        )
    from nocodedb.exporting import service

    old = service.PAGE
    service.PAGE = 100
    try:
        rows = await api.get(f"/api/database/export/table/{t}/", params={"format": "json"})
    finally:
        service.PAGE = old
    assert [r["Name"] for r in rows] == [f"r{i:04d}" for i in range(450)]
