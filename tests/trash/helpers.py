"""Small helpers for the trash tests: a linked pair of tables with computed fields, and trash calls."""

from __future__ import annotations

from typing import Any

from tests.factories import Api


async def linked_pair(api: Api) -> dict[str, Any]:
    """Projects <- Tasks (link), with a count, a rollup and a lookup in Projects over the tasks."""
    projects = await api.table("Projects")
    tasks = await api.table("Tasks", [{"name": "Hours", "type": "number"}])
    link = await api.post(
        f"/api/database/fields/table/{tasks['id']}/",
        {"name": "Project", "type": "link_row", "link_row_table_id": projects["id"]},
    )
    reverse = link["link_row_related_field_id"]
    for spec in (
        {"name": "Task count", "type": "count", "through_field_id": reverse},
        {
            "name": "Total hours",
            "type": "rollup",
            "through_field_id": reverse,
            "target_field_id": tasks["by_name"]["Hours"]["id"],
            "rollup_function": "sum",
        },
        {
            "name": "Task names",
            "type": "lookup",
            "through_field_id": reverse,
            "target_field_id": tasks["by_name"]["Name"]["id"],
        },
    ):
        await api.post(f"/api/database/fields/table/{projects['id']}/", spec)
    p = [
        await api.post(f"/api/database/rows/table/{projects['id']}/?user_field_names=true", {"Name": n})
        for n in ("Alpha", "Beta")
    ]
    created = await api.post(
        f"/api/database/rows/table/{tasks['id']}/batch/?user_field_names=true",
        {
            "items": [
                {"Name": "write", "Hours": "3", "Project": [p[0]["id"]]},
                {"Name": "test", "Hours": "4", "Project": [p[0]["id"], p[1]["id"]]},
                {"Name": "ship", "Hours": "5", "Project": [p[1]["id"]]},
            ]
        },
    )
    return {
        "projects": projects,
        "tasks": tasks,
        "link": link,
        "reverse": reverse,
        "project_ids": [r["id"] for r in p],
        "task_ids": [r["id"] for r in created["items"]],
    }


async def all_rows(api: Api, table_id: int) -> list[dict[str, Any]]:
    page = await api.get(f"/api/database/rows/table/{table_id}/?user_field_names=true&size=200")
    return sorted(page["results"], key=lambda r: r["id"])


async def entries(api: Api, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await api.get(f"/api/trash/workspace/{api.workspace_id}/", params=params)
    return result


async def restore(api: Api, item_type: str, item_id: int, parent_id: int | None = None, expect: int = 204) -> Any:
    body = {"trash_item_type": item_type, "trash_item_id": item_id, "parent_trash_item_id": parent_id}
    return await api.call("PATCH", "/api/trash/restore/", expect=expect, json=body)
