"""Imports through the real app, with files that look like real exports."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from openpyxl import Workbook

from nocodedb.importing.infer import layout, to_plain_decimal
from nocodedb.importing.reader import open_source
from tests.factories import Api

# A French spreadsheet export: a title row, a blank row, semicolons, Windows-1252, French decimals and
# dates, a duplicated header, empty trailing columns.
MESSY = (
    "Export des groupes locaux - réseau;;;;;;;;\r\n"
    ";;;;;;;;\r\n"
    "Nom;Région;Membres;Budget;Créé le;Actif;Courriel;Nom;;\r\n"
    "Grenoble;Auvergne-Rhône-Alpes;42;1 234,50;03/02/2024;oui;grenoble@example.org;Isère;;\r\n"
    "Besançon;Bourgogne-Franche-Comté;12;99,9;15/11/2023;non;besancon@example.org;Doubs;;\r\n"
    "Nantes;Pays de la Loire;30;0,5;01/06/2024;oui;nantes@example.org;Loire-Atlantique;;\r\n"
    "Lyon;Auvergne-Rhône-Alpes;55;12 000;28/02/2024;oui;lyon@example.org;Rhône;;\r\n"
    "Angers;Pays de la Loire;8;7;30/09/2024;non;angers@example.org;Maine-et-Loire;;\r\n"
).encode("cp1252")


def test_messy_csv_layout() -> None:
    source = open_source(MESSY, filename="groupes.csv")
    assert source.encoding == "windows-1252" and source.delimiter == ";"
    found = layout(source.rows())
    assert found.header_index == 2
    kinds = [(c.name, c.type) for c in found.columns]
    assert kinds == [
        ("Nom", "text"),
        ("Région", "single_select"),
        ("Membres", "number"),
        ("Budget", "number"),
        ("Créé le", "date"),
        ("Actif", "boolean"),
        ("Courriel", "email"),
        ("Nom 2", "text"),
    ]
    assert found.columns[3].options["number_decimal_places"] == 2
    assert found.columns[4].options["date_format"] == "EU"


def test_english_numbers_bom_and_postcodes() -> None:
    data = '\ufeffcity,amount,postcode,site\nA,"1,234.5",01000,https://a.example.org\nB,2,75001,www.b.org\n'
    found = layout(open_source(data.encode()).rows())
    assert [c.type for c in found.columns] == ["text", "number", "text", "url"]
    assert found.columns[1].options["number_style"] == "en"


def test_small_decimals_keep_their_places() -> None:
    """0.0000001 once read as "1E-7": no decimal places, so the import rounded it to 0."""
    data = "name;rate\nA;0,0000001\nB;0,5\n"
    found = layout(open_source(data.encode()).rows())
    assert found.columns[1].type == "number"
    assert found.columns[1].options["number_decimal_places"] == 7
    assert to_plain_decimal("0,0000012", "fr") == "0.0000012"


async def _job(api: Api, job: dict[str, Any]) -> dict[str, Any]:
    for _ in range(400):
        state = await api.get(f"/api/jobs/{job['id']}/")
        if state["state"] in ("finished", "failed"):
            return state
        await asyncio.sleep(0.02)
    raise AssertionError("the job did not end")


async def test_preview_then_import_new_table(api: Api) -> None:
    files = {"file": ("groupes.csv", MESSY, "text/csv")}
    preview = await api.post("/api/database/import/preview/", files=files)
    assert preview["header_row"] == 3 and preview["delimiter"] == ";"
    assert preview["sample"][0][:2] == ["Grenoble", "Auvergne-Rhône-Alpes"]
    tables_before = await api.get(f"/api/database/tables/database/{api.database_id}/")
    columns = preview["columns"]
    job = await api.post(
        f"/api/database/import/table/database/{api.database_id}/",
        files=files,
        data={"name": "Groupes", "columns": __import__("json").dumps(columns)},
    )
    done = await _job(api, job)
    assert done["state"] == "finished", done
    assert done["result"]["rows_created"] == 5 and done["result"]["problem_count"] == 0
    table_id = done["result"]["table"]["id"]
    assert len(await api.get(f"/api/database/tables/database/{api.database_id}/")) == len(tables_before) + 1
    rows = (await api.rows(table_id, user_field_names="true"))["results"]
    grenoble = rows[0]
    assert grenoble["Budget"] == "1234.50" and grenoble["Membres"] == "42"
    assert grenoble["Créé le"] == "2024-02-03" and grenoble["Actif"] is True
    assert grenoble["Région"]["value"] == "Auvergne-Rhône-Alpes" and grenoble["Nom 2"] == "Isère"


async def test_xlsx_second_sheet_and_paste(api: Api) -> None:
    book = Workbook()
    book.active.append(["ignored"])
    sheet = book.create_sheet("Actions")
    sheet.append(["Action", "Participants"])
    sheet.append(["Marche", 120])
    sheet.append(["Vélorution", 35.5])
    buffer = io.BytesIO()
    book.save(buffer)
    files = {"file": ("actions.xlsx", buffer.getvalue(), "application/octet-stream")}
    preview = await api.post("/api/database/import/preview/", files=files, data={"sheet": "Actions"})
    assert preview["sheets"] == ["Sheet", "Actions"]
    assert [c["type"] for c in preview["columns"]] == ["text", "number"]
    paste = "Ville\tDate\nLyon\t2024-05-01\nNantes\t2024-05-02"
    pasted = await api.post("/api/database/import/preview/", {"text": paste})
    assert [c["type"] for c in pasted["columns"]] == ["text", "date"]
    as_json = await api.post(
        "/api/database/import/preview/", {"text": '[{"a": 1, "b": true}, {"a": 2.5, "b": false}]', "format": "json"}
    )
    assert [c["type"] for c in as_json["columns"]] == ["number", "boolean"]


async def test_import_into_existing_table_with_upsert_link_and_report(api: Api) -> None:
    regions = await api.table("Régions")
    await api.post(
        f"/api/database/rows/table/{regions['id']}/batch/?user_field_names=true",
        {"items": [{"Name": "Bretagne"}, {"Name": "Occitanie"}]},
    )
    groups = await api.table("Groupes", [{"name": "Membres", "type": "number"}])
    await api.post(
        f"/api/database/fields/table/{groups['id']}/",
        {"name": "Région", "type": "link_row", "link_row_table_id": regions["id"]},
    )
    await api.post(f"/api/database/rows/table/{groups['id']}/?user_field_names=true", {"Name": "Rennes", "Membres": 3})
    text = "Nom,Membres,Région\nRennes,30,Bretagne\nToulouse,douze,Occitanie\nBrest,4,Atlantide\n"
    preview = await api.post(
        "/api/database/import/preview/", {"text": text, "format": "csv", "database_id": api.database_id}
    )
    assert preview["columns"][2]["type"] == "text"  # Atlantide is not a region: no link proposed
    job = await api.post(
        f"/api/database/import/table/{groups['id']}/",
        {
            "text": text,
            "format": "csv",
            "mapping": {"Nom": "Name", "Membres": "Membres", "Région": "Région"},
            "upsert_field": "Name",
        },
    )
    done = await _job(api, job)
    assert done["state"] == "finished", done
    result = done["result"]
    assert (result["rows_created"], result["rows_updated"]) == (2, 1)
    assert {(p["row"], p["column"], p["value"]) for p in result["problems"]} == {
        (3, "Membres", "douze"),
        (4, "Région", "Atlantide"),
    }
    rows = (await api.rows(groups["id"], user_field_names="true"))["results"]
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Rennes"]["Membres"] == "30" and by_name["Rennes"]["Région"][0]["value"] == "Bretagne"
    assert by_name["Toulouse"]["Membres"] is None and by_name["Brest"]["Région"] == []
    good = "Nom,Région\nMontpellier,Occitanie\n"
    proposal = await api.post(
        "/api/database/import/preview/", {"text": good, "format": "csv", "database_id": api.database_id}
    )
    assert proposal["columns"][1]["type"] == "link_row"
    assert proposal["columns"][1]["link_row_table_id"] == regions["id"]


async def test_file_too_large_and_bad_input(api: Api, app: Any) -> None:
    from dataclasses import replace

    ctx = app.state.ctx
    old = ctx.settings
    ctx.settings = replace(old, max_import_bytes=100)
    try:
        big = await api.post("/api/database/import/preview/", files={"file": ("a.csv", b"a\n" * 200)}, expect=413)
    finally:
        ctx.settings = old
    assert big["error"] == "ERROR_FILE_SIZE_TOO_LARGE"
    bad = await api.post("/api/database/import/preview/", files={"file": ("a.xlsx", b"PK\x03\x04 nope")}, expect=400)
    assert bad["error"] == "ERROR_INVALID_FILE"
    other = await api.get("/api/jobs/999999999/", expect=404)
    assert other["error"] == "ERROR_JOB_DOES_NOT_EXIST"
