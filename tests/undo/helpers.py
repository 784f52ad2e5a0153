"""Small helpers for the undo tests: a tab (ClientSessionId) on an Api, undo and redo calls."""

from __future__ import annotations

from typing import Any

from tests.factories import Api


def in_tab(api: Api, session: str = "tab-1") -> Api:
    """Every later request of this Api carries the tab's ClientSessionId (as the page's api.js does)."""
    api.headers["ClientSessionId"] = session
    return api


async def undo(api: Api, expect: int = 200, **scopes: Any) -> Any:
    return await api.post("/api/user/undo/", {"scopes": {"root": True, **scopes}}, expect=expect)


async def redo(api: Api, expect: int = 200, **scopes: Any) -> Any:
    return await api.post("/api/user/redo/", {"scopes": {"root": True, **scopes}}, expect=expect)


async def by_id(api: Api, table_id: int) -> dict[int, dict[str, Any]]:
    page = await api.get(f"/api/database/rows/table/{table_id}/?user_field_names=true&size=200")
    return {r["id"]: r for r in page["results"]}
