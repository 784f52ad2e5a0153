from tests.factories import signed_up


async def test_health_and_index(client):
    assert (await client.get("/api/health")).json() == {"status": "ok"}
    page = await client.get("/")
    assert page.status_code == 200 and "<html" in page.text


async def test_sign_up_create_table_add_fields_and_rows(client):
    api = await signed_up(client)
    table = await api.post(f"/api/database/tables/database/{api.database_id}/", {"name": "Groupes locaux"})
    fields = await api.get(f"/api/database/fields/table/{table['id']}/")
    assert [f["name"] for f in fields] == ["Name", "Notes", "Active"]
    assert fields[0]["primary"] is True
    members = await api.post(
        f"/api/database/fields/table/{table['id']}/",
        {"name": "Membres", "type": "number", "number_decimal_places": 1},
    )
    assert members["number_decimal_places"] == 1
    row = await api.post(
        f"/api/database/rows/table/{table['id']}/?user_field_names=true",
        {"Name": "Grenoble", "Membres": "12.5", "Active": True},
    )
    assert row["Name"] == "Grenoble" and row["Membres"] == "12.5" and row["Active"] is True
    listed = await api.rows(table["id"], user_field_names="true", search="greno")
    assert listed["count"] == 1 and listed["results"][0]["id"] == row["id"]
    everything = await api.rows(table["id"])
    assert everything["count"] == 3  # two example rows and ours
    assert everything["results"][-1][f"field_{members['id']}"] == "12.5"


async def test_automatic_fields_are_filled_on_create(client):
    api = await signed_up(client)
    table = await api.table(
        "T",
        [
            {"name": "Créé le", "type": "created_on", "date_include_time": True},
            {"name": "Créé par", "type": "created_by"},
            {"name": "Numéro", "type": "autonumber"},
            {"name": "Clé", "type": "uuid"},
        ],
    )
    first = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "a"})
    second = await api.post(f"/api/database/rows/table/{table['id']}/?user_field_names=true", {"Name": "b"})
    assert first["Créé le"].endswith("Z") and first["Créé par"] == {"id": api.user["id"], "name": "Camille"}
    assert int(second["Numéro"]) == int(first["Numéro"]) + 1
    assert len(first["Clé"]) == 36 and first["Clé"] != second["Clé"]
    again = await api.get(f"/api/database/rows/table/{table['id']}/{first['id']}/?user_field_names=true")
    assert again == first
