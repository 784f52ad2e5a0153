"""Shared views from the outside: visible fields only, through every door (rows, filters, sorts, search,
counts, field lists, exports); passwords; iCal; CSV neutralization."""

from __future__ import annotations

from typing import Any

from tests.factories import Api

V = "/api/database/views"
SECRET = "Zorglub-7431"


async def _shared_grid(api: Api) -> tuple[dict[str, Any], dict[str, Any], str]:
    table = await api.table(
        "Membres",
        [
            {"name": "Ville", "type": "text"},
            {"name": "Secret", "type": "text"},
            {"name": "Jour", "type": "date"},
        ],
    )
    t = table["id"]
    await api.post(
        f"/api/database/rows/table/{t}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "Alice", "Ville": "Lyon", "Secret": SECRET, "Jour": "2024-05-01"},
                {
                    "Name": '=HYPERLINK("http://evil")',
                    "Ville": "Paris",
                    "Secret": "bbb",
                    "Jour": "2024-05-02",
                },
                {"Name": "Carole", "Ville": "Lyon", "Secret": "ccc"},
            ]
        },
    )
    view = await api.post(f"{V}/table/{t}/", {"name": "Public", "type": "grid"})
    secret_id = table["by_name"]["Secret"]["id"]
    await api.patch(f"{V}/{view['id']}/field-options/", {"field_options": {str(secret_id): {"hidden": True}}})
    shared = await api.patch(f"{V}/{view['id']}/", {"public": True})
    return table, view, shared["slug"]


async def test_shared_grid_shows_visible_fields_only(api: Api, client) -> None:
    table, _view, slug = await _shared_grid(api)
    secret_id = table["by_name"]["Secret"]["id"]
    info = (await client.get(f"{V}/{slug}/public/info/")).json()
    assert [f["name"] for f in info["fields"]] == ["Name", "Ville", "Jour"]
    answer = await client.get(f"{V}/grid/{slug}/public/rows/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 3
    assert all(f"field_{secret_id}" not in r for r in body["results"])
    assert SECRET not in answer.text
    named = (await client.get(f"{V}/grid/{slug}/public/rows/", params={"user_field_names": "true"})).json()
    assert all("Secret" not in r for r in named["results"])


async def test_hidden_field_cannot_be_probed(api: Api, client) -> None:
    table, view, slug = await _shared_grid(api)
    secret_id = table["by_name"]["Secret"]["id"]
    url = f"{V}/grid/{slug}/public/rows/"
    probes = [
        {f"filter__field_{secret_id}__equal": SECRET},
        {"filters": f'{{"filters": [{{"field": {secret_id}, "type": "contains", "value": "Zorg"}}]}}'},
        {
            "filters": '{"filters": [{"field": "Secret", "type": "contains", "value": "Zorg"}]}',
            "user_field_names": "1",
        },
        {"order_by": f"field_{secret_id}"},
        {"order_by": "-Secret", "user_field_names": "true"},
    ]
    for params in probes:
        answer = await client.get(url, params=params)
        assert answer.status_code == 400, (params, answer.text)
        assert set(answer.json()) == {"error", "detail"}
    # Search never matches a hidden field's value; counts agree.
    found = (await client.get(url, params={"search": "Zorglub"})).json()
    assert found["count"] == 0 and found["results"] == []
    assert (await client.get(url, params={"search": "lyon"})).json()["count"] == 2
    # Exports are cut the same way.
    for fmt in ("csv", "json"):
        export = await client.get(f"{V}/{slug}/public/export/", params={"format": fmt, "search": "Zorg"})
        assert export.status_code == 200 and SECRET not in export.text
        export = await client.get(f"{V}/{slug}/public/export/", params={"format": fmt})
        assert SECRET not in export.text and "Secret" not in export.text
    # A view filter on the hidden field still applies, without showing the field.
    await api.post(f"{V}/{view['id']}/filters/", {"field": secret_id, "type": "equal", "value": SECRET})
    filtered = (await client.get(url)).json()
    assert filtered["count"] == 1 and SECRET not in str(filtered)
    # A view sort on a hidden field is not applied publicly (it would reveal the hidden order).
    info = (await client.get(f"{V}/{slug}/public/info/")).json()
    assert "Secret" not in str(info) and SECRET not in str(info)


async def test_not_shared_and_unknown_slugs(api: Api, client) -> None:
    _table, view, slug = await _shared_grid(api)
    assert (await client.get(f"{V}/grid/nope/public/rows/")).status_code == 404
    await api.patch(f"{V}/{view['id']}/", {"public": False})
    answer = await client.get(f"{V}/grid/{slug}/public/rows/")
    assert answer.status_code == 404 and answer.json()["error"] == "ERROR_VIEW_DOES_NOT_EXIST"
    await api.patch(f"{V}/{view['id']}/", {"public": True})
    rotated = await api.post(f"{V}/{view['id']}/rotate-slug/")
    assert (await client.get(f"{V}/grid/{slug}/public/rows/")).status_code == 404
    assert (await client.get(f"{V}/grid/{rotated['slug']}/public/rows/")).status_code == 200


async def test_password_protected_view(api: Api, client) -> None:
    _table, view, slug = await _shared_grid(api)
    await api.patch(f"{V}/{view['id']}/", {"public_view_password": "longenough"})
    url = f"{V}/grid/{slug}/public/rows/"
    refused = await client.get(url)
    assert refused.status_code == 401 and refused.json()["error"] == "ERROR_NO_AUTHORIZATION_TO_PUBLICLY_SHARED_VIEW"
    wrong = await client.post(f"{V}/{slug}/public/auth/", json={"password": "nope-nope"})
    assert wrong.status_code == 401
    token = (await client.post(f"{V}/{slug}/public/auth/", json={"password": "longenough"})).json()["access_token"]
    headers = {"Baserow-View-Authorization": f"JWT {token}"}
    assert (await client.get(url, headers=headers)).status_code == 200
    # A user access token is not a view token, and changing the password invalidates old tokens.
    assert (await client.get(url, headers={"Baserow-View-Authorization": f"JWT {api.token}"})).status_code == 401
    await api.patch(f"{V}/{view['id']}/", {"public_view_password": "another-one"})
    assert (await client.get(url, headers=headers)).status_code == 401


async def test_csv_neutralizes_formulas_and_ical_feed(api: Api, client) -> None:
    table, _view, slug = await _shared_grid(api)
    csv_text = (await client.get(f"{V}/{slug}/public/export/", params={"format": "csv"})).text
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text
    jour = table["by_name"]["Jour"]["id"]
    calendar = await api.post(f"{V}/table/{table['id']}/", {"name": "Agenda", "type": "calendar", "date_field": jour})
    calendar = await api.patch(f"{V}/{calendar['id']}/", {"public": True})
    feed = await client.get(f"{V}/calendar/{calendar['slug']}/ical.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert feed.text.count("BEGIN:VEVENT") == 2 and "DTSTART;VALUE=DATE:20240501" in feed.text
    assert "SUMMARY:Alice" in feed.text and SECRET not in feed.text
    # A grid's slug is not a calendar.
    assert (await client.get(f"{V}/calendar/{slug}/ical.ics")).status_code == 404


def test_csv_and_ical_pure() -> None:
    from nocodedb.services.view_export import cell_text, neutralize, to_ical

    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert neutralize(dangerous).startswith("'")
    assert neutralize("Lyon") == "Lyon"
    assert cell_text([{"id": 1, "value": "a"}, {"id": 2, "value": "b"}]) == "a, b"
    feed = to_ical("Cal", [(1, "Réunion; longue, très " * 5, "2024-05-01T10:00:00Z")])
    assert "DTSTART:20240501T100000Z" in feed
    assert all(len(line.encode()) <= 75 for line in feed.split("\r\n"))
