"""Helpers that build users, workspaces, databases, tables and fields through the real HTTP API."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

_counter = itertools.count()


@dataclass
class Api:
    client: httpx.AsyncClient
    token: str
    user: dict[str, Any]
    email: str
    password: str
    workspace_id: int = 0
    database_id: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.headers = {"Authorization": f"JWT {self.token}"}

    async def call(self, method: str, path: str, expect: int | None = 200, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("POST", path, json=json, **kwargs)

    async def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return await self.call("PATCH", path, json=json, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return await self.call("DELETE", path, expect=kwargs.pop("expect", 204), **kwargs)

    async def table(self, name: str = "Table", fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """A table with only its primary text field 'Name', plus the given fields."""
        table = await self.post(
            f"/api/database/tables/database/{self.database_id}/", {"name": name, "data": [["Name"]]}
        )
        created = []
        for spec in fields or []:
            created.append(await self.post(f"/api/database/fields/table/{table['id']}/", spec))
        table["fields"] = await self.get(f"/api/database/fields/table/{table['id']}/")
        table["by_name"] = {f["name"]: f for f in table["fields"]}
        return table

    async def rows(self, table_id: int, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.get(f"/api/database/rows/table/{table_id}/", params=params)
        return result


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{next(_counter)}-{secrets.token_hex(4)}@example.org"


async def signed_up(client: httpx.AsyncClient, name: str = "Camille", email: str | None = None) -> Api:
    email = email or unique_email()
    password = "correct horse battery"
    response = await client.post("/api/user/", json={"name": name, "email": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    api = Api(client, body["access_token"], body["user"], email, password)
    workspace = await api.post("/api/workspaces/", {"name": "Réseau"})
    api.workspace_id = workspace["id"]
    database = await api.post(f"/api/applications/workspace/{api.workspace_id}/", {"name": "Suivi", "type": "database"})
    api.database_id = database["id"]
    return api


@asynccontextmanager
async def signed_up_on_small_threshold(settings: Any, engine: Any) -> AsyncIterator[tuple[Any, Api]]:
    """The app with its own lifespan (the index advisor running) where a table of 3 rows already counts as
    large, and a signed-up user: for tests of the indexes built in the background."""
    from nocodedb.app import create_app

    app = create_app(replace(settings, large_table_rows=3), engine=engine)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield app, await signed_up(client)
