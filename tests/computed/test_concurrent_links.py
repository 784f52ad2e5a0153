"""Many clients at once through the real ASGI app (each request its own connection): edits of different
fields of one row are all kept, edits of one field end with one of the written values, and creates,
edits, relinks and deletes on both sides of a link leave every lookup, rollup, count and formula equal
to a full recompute, with no 500 and no deadlock reaching anyone.
(tests/computed/test_concurrency.py covers one-sided updates of a rollup; this file the rest.)"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.computed.test_consistency import assert_consistent
from tests.factories import Api

NAMES = "?user_field_names=true"


async def _call(api: Api, method: str, path: str, body: Any = None) -> tuple[int, str]:
    response = await api.client.request(method, path, headers=api.headers, json=body)
    return response.status_code, response.text


def _all_ok(results: list[tuple[int, str]]) -> None:
    bad = [(status, text[:200]) for status, text in results if status not in (200, 204)]
    assert not bad, bad
    assert not any("deadlock" in text.lower() for _, text in results)


async def test_concurrent_edits_of_different_fields_of_one_row_are_all_kept(api: Api):
    count = 16
    table = await api.table("Wide", [{"name": f"F{i}", "type": "text"} for i in range(count)])
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/", {})
    url = f"/api/database/rows/table/{t}/{row['id']}/{NAMES}"
    results = await asyncio.gather(*(_call(api, "PATCH", url, {f"F{i}": f"value {i}"}) for i in range(count)))
    _all_ok(list(results))
    after = await api.get(url)
    assert {f"F{i}": after[f"F{i}"] for i in range(count)} == {f"F{i}": f"value {i}" for i in range(count)}


async def test_concurrent_edits_of_one_field_end_with_one_written_value(api: Api):
    table = await api.table("Narrow", [{"name": "Note", "type": "text"}, {"name": "Size", "type": "number"}])
    t = table["id"]
    row = await api.post(f"/api/database/rows/table/{t}/{NAMES}", {"Note": "start", "Size": 0})
    url = f"/api/database/rows/table/{t}/{row['id']}/{NAMES}"
    written = [{"Note": f"writer {i}", "Size": i} for i in range(18)]
    results = await asyncio.gather(*(_call(api, "PATCH", url, body) for body in written))
    _all_ok(list(results))
    after = await api.get(url)
    # Last write wins, and whole: the note and the size come from the same writer.
    assert {"Note": after["Note"], "Size": int(after["Size"])} in written


async def _linked(api: Api) -> dict[str, Any]:
    """Projects <-> Tasks, with computed values on both sides of the link."""
    projects = await api.table("Projects", [{"name": "Budget", "type": "number"}])
    tasks = await api.table("Tasks", [{"name": "Hours", "type": "number"}])
    p, t = projects["id"], tasks["id"]
    link = await api.post(
        f"/api/database/fields/table/{t}/", {"name": "Project", "type": "link_row", "link_row_table_id": p}
    )
    reverse = link["link_row_related_field_id"]
    hours, budget = tasks["by_name"]["Hours"]["id"], projects["by_name"]["Budget"]["id"]
    fields_p, fields_t = f"/api/database/fields/table/{p}/", f"/api/database/fields/table/{t}/"
    await api.post(fields_p, {"name": "Tasks count", "type": "count", "through_field_id": reverse})
    await api.post(
        fields_p,
        {
            "name": "Hours total",
            "type": "rollup",
            "through_field_id": reverse,
            "target_field_id": hours,
            "rollup_function": "sum",
        },
    )
    await api.post(
        fields_p,
        {
            "name": "Task names",
            "type": "lookup",
            "through_field_id": reverse,
            "target_field_id": tasks["by_name"]["Name"]["id"],
        },
    )
    await api.post(fields_p, {"name": "Left", "type": "formula", "formula": "{Budget} - {Hours total}"})
    # The other direction: each task sees its project's budget and its share of it.
    await api.post(
        fields_t,
        {"name": "Project budget", "type": "lookup", "through_field_id": link["id"], "target_field_id": budget},
    )
    await api.post(
        fields_t,
        {
            "name": "Project hours",
            "type": "rollup",
            "through_field_id": link["id"],
            "target_field_id": budget,
            "rollup_function": "sum",
        },
    )
    await api.post(
        fields_t, {"name": "Label", "type": "formula", "formula": "CONCATENATE(Name, ' @ ', ARRAYJOIN({Project}, '+'))"}
    )
    made = await api.post(
        f"/api/database/rows/table/{p}/batch/{NAMES}",
        {"items": [{"Name": f"P{i}", "Budget": 100 * (i + 1)} for i in range(4)]},
    )
    project_ids = [r["id"] for r in made["items"]]
    made = await api.post(
        f"/api/database/rows/table/{t}/batch/{NAMES}",
        {
            "items": [
                {"Name": f"T{i}", "Hours": i, "Project": [project_ids[i % 4], project_ids[(i + 1) % 4]]}
                for i in range(16)
            ]
        },
    )
    return {"p": p, "t": t, "projects": project_ids, "tasks": [r["id"] for r in made["items"]]}


async def test_concurrent_writes_on_both_sides_of_a_link_stay_consistent(api: Api, engine, app):
    s = await _linked(api)
    p, t, projects, tasks = s["p"], s["t"], s["projects"], s["tasks"]
    rows_p, rows_t = f"/api/database/rows/table/{p}/", f"/api/database/rows/table/{t}/"
    work = []
    # Tasks side: hours edited (every project's rollup moves), relinked, created, deleted.
    work += [_call(api, "PATCH", f"{rows_t}{tasks[i]}/{NAMES}", {"Hours": 10 + i}) for i in range(0, 6)]
    work += [
        _call(api, "PATCH", f"{rows_t}{tasks[i]}/{NAMES}", {"Project": [projects[(i + 2) % 4]]}) for i in range(6, 10)
    ]
    work += [
        _call(api, "POST", f"{rows_t}{NAMES}", {"Name": f"new {i}", "Hours": 1, "Project": projects}) for i in range(3)
    ]
    work += [_call(api, "DELETE", f"{rows_t}{tasks[i]}/") for i in range(10, 13)]
    work += [_call(api, "POST", f"{rows_t}batch-delete/", {"items": [tasks[13], tasks[14]]})]
    work.append(
        _call(
            api,
            "PATCH",
            f"{rows_t}batch/{NAMES}",
            {"items": [{"id": tasks[15], "Hours": 99}, {"id": tasks[0], "Name": "T0 renamed"}]},
        )
    )
    # Projects side: budgets edited (every linked task's lookup moves), renamed, one deleted, one created.
    work += [
        _call(api, "PATCH", f"{rows_p}{projects[i]}/{NAMES}", {"Budget": 1000 + i, "Name": f"P{i}!"}) for i in range(3)
    ]
    work += [_call(api, "DELETE", f"{rows_p}{projects[3]}/")]
    work += [_call(api, "POST", f"{rows_p}{NAMES}", {"Name": "P new", "Budget": 5})]
    assert len(work) >= 20
    results = await asyncio.gather(*work)
    _all_ok(list(results))
    await assert_consistent(engine, app, api.database_id)
    # And the values really moved: a spot check beside the full recompute.
    first = await api.get(f"{rows_p}{projects[0]}/{NAMES}")
    assert first["Name"] == "P0!" and int(first["Budget"]) == 1000
