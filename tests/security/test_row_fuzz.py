"""Arbitrary JSON into the row endpoints: never a 500, and a refusal changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.factories import signed_up
from tests.security.conftest import assert_error_shape


@pytest.fixture(scope="module")
async def scratch(sclient) -> dict[str, Any]:
    owner = await signed_up(sclient)
    table = await owner.table(
        "Fuzz",
        [
            {"name": "n", "type": "number", "number_decimal_places": 2},
            {"name": "b", "type": "boolean"},
            {"name": "long", "type": "long_text"},
        ],
    )
    created = await owner.post(f"/api/database/rows/table/{table['id']}/batch/", {"items": [{}, {}, {}]})
    keys = [f"field_{f['id']}" for f in table["fields"]]
    return {"owner": owner, "table": table["id"], "keys": keys, "rows": [r["id"] for r in created["items"]]}


async def _digest(engine, table_id: int) -> tuple[Any, ...]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                "SELECT (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r.id), '')) FROM rows r "
                "WHERE r.table_id = :t), (SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY f.id), '')) "
                "FROM fields f WHERE f.table_id = :t), (SELECT count(*) FROM links)"
            ),
            {"t": table_id},
        )
        return tuple(found.one())


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "1e400", "NaN", "2024-02-30", "\u202e", "a\x00b", "9" * 60, "-0", "true"])
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def requests(draw: Any, keys: list[str], row_ids: list[int]) -> tuple[str, str, Any]:
    key = st.sampled_from([*keys, "id", "order", "field_0", "field_99999999999", "Name", ""]) | st.text(max_size=10)
    item = st.dictionaries(key, JSON, max_size=4) | JSON
    ids = st.sampled_from(row_ids) | st.integers(min_value=-5, max_value=2**66) | JSON
    with_id = st.builds(lambda d, i: {**d, "id": i} if isinstance(d, dict) else d, item, ids)
    kind = draw(st.sampled_from(["create", "update", "batch-create", "batch-update"]))
    if kind == "create":
        return "POST", "", draw(item)
    if kind == "update":
        return "PATCH", f"{draw(st.sampled_from(row_ids))}/", draw(item)
    body = draw(
        st.fixed_dictionaries({"items": st.lists(with_id if kind == "batch-update" else item, max_size=5)}) | JSON
    )
    return ("POST" if kind == "batch-create" else "PATCH"), "batch/", body


@pytest.mark.parametrize("user_field_names", ["", "true"])
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_arbitrary_json_never_breaks_rows(sclient, engine, scratch, user_field_names, data):
    method, suffix, body = data.draw(requests(scratch["keys"], scratch["rows"]))
    url = f"/api/database/rows/table/{scratch['table']}/{suffix}"
    before = await _digest(engine, scratch["table"])
    response = await sclient.request(
        method,
        url,
        content=json.dumps(body),
        params={"user_field_names": user_field_names} if user_field_names else {},
        headers={"Authorization": f"JWT {scratch['owner'].token}", "Content-Type": "application/json"},
    )
    assert response.status_code < 500, (method, url, body, response.text[:300])
    if response.status_code >= 400:
        assert_error_shape(response)
        assert await _digest(engine, scratch["table"]) == before, (method, url, body, response.text[:300])
