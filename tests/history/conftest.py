"""Fixtures for row history: a table with a number, a computed formula over it, and a public form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import Api

V = "/api/database/views"


@dataclass
class Book:
    api: Api
    table_id: int
    name: int  # field ids
    amount: int
    double: int  # formula: computed, never a history entry
    form: dict[str, Any]

    def rows_url(self, row_id: int | None = None) -> str:
        base = f"/api/database/rows/table/{self.table_id}/"
        return base if row_id is None else f"{base}{row_id}/"

    def history_url(self, row_id: int) -> str:
        return f"/api/database/rows/table/{self.table_id}/{row_id}/history/"

    async def history(self, row_id: int, api: Api | None = None, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = await (api or self.api).get(self.history_url(row_id), params=params)
        return result


@pytest.fixture
async def book(api: Api) -> Book:
    table = await api.table(
        "Dons",
        [
            {"name": "Montant", "type": "number", "number_decimal_places": 2},
            {"name": "Double", "type": "formula", "formula": "{Montant} * 2"},
        ],
    )
    by = table["by_name"]
    form = await api.post(f"{V}/table/{table['id']}/", {"name": "Don en ligne", "type": "form"})
    await api.patch(
        f"{V}/{form['id']}/field-options/",
        {
            "field_options": {
                str(by["Name"]["id"]): {"enabled": True, "order": 1},
                str(by["Montant"]["id"]): {"enabled": True, "order": 2},
            }
        },
    )
    form = await api.patch(f"{V}/{form['id']}/", {"public": True})
    return Book(api, table["id"], by["Name"]["id"], by["Montant"]["id"], by["Double"]["id"], form)
