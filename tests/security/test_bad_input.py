"""Bad input gets a 4xx in the one error shape, never a 500, and changes nothing in the database."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from nocodedb.api.http import MAX_ID
from tests.security.conftest import World, assert_error_shape, auth, changed_tables, snapshot
from tests.security.route_table import ROUTES, fill
from tests.security.test_access_routes import ROUTE_DOCS

BODY_ROUTES = sorted(
    (method, doc.path)
    for doc in ROUTE_DOCS
    for method in doc.methods
    if method in ("POST", "PATCH") and (method, doc.path) in ROUTES and ROUTES[(method, doc.path)].body is not None
)
ID_ROUTES = sorted(
    (method, doc.path)
    for doc in ROUTE_DOCS
    for method in doc.methods
    if ":int}" in doc.path and (method, doc.path) in ROUTES
)

MALFORMED: list[bytes] = [
    b"{",
    b'{"name": }',
    b"\xff\xfe\xfa",
    b"[1, 2",
    b"NaN",
    b'{"name": Infinity}',
    b"1e400",
    b'{"items": [1e400]}',
    b"[" * 5000 + b"]" * 5000,
    b'{"name": "\\ud800"}',
    b"",
    b"  ",
]
WRONG_TOP_LEVEL: list[Any] = [[], "a string", 42, None, True, [{"name": "x"}]]


def _wrong_values(original: Any) -> list[Any]:
    """JSON values of another type than `original` that no lax conversion turns into it."""
    if isinstance(original, bool):
        return ["maybe", {"x": 1}, [1], 2]
    if isinstance(original, int):
        return ["abc", {"x": 1}, [1], 1.5]
    if isinstance(original, str):
        return [{"x": 1}, ["x"]]
    if isinstance(original, list):
        return ["x", {"x": 1}, 5]
    if isinstance(original, dict):
        return ["x", [1], 5]
    return []


async def _expect_clean_refusals(
    client: httpx.AsyncClient,
    engine: Any,
    requests: list[dict[str, Any]],
    *,
    statuses: set[int] | None = None,
) -> None:
    """Send each request; each must be a 4xx in the error shape; the database must not change."""
    before = await snapshot(engine)
    problems = []
    for request in requests:
        response = await client.request(**request)
        sent = request.get("content", request.get("json", ""))
        what = f"{request['method']} {request['url']} {request.get('params', '')} {str(sent)[:80]!r}"
        if response.status_code == 500 or not 400 <= response.status_code < 500:
            problems.append(f"{what}: {response.status_code} {response.text[:200]}")
            continue
        if statuses is not None and response.status_code not in statuses:
            problems.append(f"{what}: {response.status_code} (expected {statuses}) {response.text[:200]}")
            continue
        try:
            assert_error_shape(response)
        except AssertionError as exc:
            problems.append(f"{what}: {exc}")
    after = await snapshot(engine)
    assert not problems, "\n".join(problems)
    assert not changed_tables(before, after), f"changed: {changed_tables(before, after)}"


def _headers(world: World, method: str, path: str) -> dict[str, str]:
    entry = ROUTES[(method, path)]
    headers = {"Content-Type": "application/json"}
    if entry.access != "public":
        headers |= auth(world.victim)
    return headers


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
async def test_malformed_json_and_wrong_top_level(world, sclient, engine, method, path):
    entry = ROUTES[(method, path)]
    url, _ = fill(path, entry, world)
    headers = _headers(world, method, path)
    requests = [{"method": method, "url": url, "content": raw, "headers": headers} for raw in MALFORMED]
    requests += [
        {"method": method, "url": url, "content": json.dumps(value), "headers": headers} for value in WRONG_TOP_LEVEL
    ]
    # A public route may first find that its slug or link opens nothing.
    statuses = {400, 404} if entry.access == "public" and "{" in path else {400}
    await _expect_clean_refusals(sclient, engine, requests, statuses=statuses)


TYPED_BODY_ROUTES = [key for key in BODY_ROUTES if ROUTES[key].body is not None]


@pytest.mark.parametrize(("method", "path"), TYPED_BODY_ROUTES, ids=[f"{m} {p}" for m, p in TYPED_BODY_ROUTES])
async def test_wrong_json_types_and_unknown_fields(world, sclient, engine, method, path):
    entry = ROUTES[(method, path)]
    assert entry.body is not None
    url, _ = fill(path, entry, world)
    headers = _headers(world, method, path)
    valid = entry.body(world)
    bodies: list[Any] = []
    for key, original in valid.items():
        bodies += [{**valid, key: wrong} for wrong in _wrong_values(original)]
        if isinstance(original, list) and original and isinstance(original[0], dict):
            # Inside batch items too: a wrong type for each value of the first item.
            for inner_key, inner in original[0].items():
                for wrong in _wrong_values(inner):
                    bodies.append({**valid, key: [{**original[0], inner_key: wrong}, *original[1:]]})
    doc_body = next(d.body for d in ROUTE_DOCS if d.path == path and method in d.methods)
    strict = doc_body is None or doc_body.model_config.get("extra") == "forbid"
    if strict and not path.startswith("/api/database/rows/"):
        bodies.append({**valid, "unknown_field_xyz": 1})
    if path.startswith("/api/database/rows/"):
        unknown = {"field_99999999999": "x", "no such field": 1}
        if isinstance(valid.get("items"), list) and valid["items"] and isinstance(valid["items"][0], dict):
            bodies.append({"items": [{**valid["items"][0], **unknown}]})
            bodies.append({**valid, "unknown_field_xyz": 1})
        elif "items" not in valid:
            bodies.append({**valid, **unknown})
    requests = [{"method": method, "url": url, "json": body, "headers": headers} for body in bodies]
    await _expect_clean_refusals(sclient, engine, requests)


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
async def test_ids_beyond_bigint_in_paths(world, sclient, engine, method, path):
    entry = ROUTES[(method, path)]
    headers = _headers(world, method, path)
    body = entry.body(world) if entry.body else None
    requests = []
    for name in entry.params:
        for huge in (MAX_ID, MAX_ID + 1, 2**64, 10**30, 10**400):
            url, _ = fill(path, entry, world, {name: huge})
            requests.append(
                {
                    "method": method,
                    "url": url,
                    "headers": headers,
                    **({"json": body} if body is not None else {}),
                }
            )
    await _expect_clean_refusals(sclient, engine, requests, statuses={400, 404})


# --- special strings ------------------------------------------------------------------------------------

ODD_STRINGS = [
    "a\x00b",
    "\x00",
    "x" * 100_000,
    "\u202eevil\u202c",
    "\ufeffbom",
    "e\u0301\u0301\u0301",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\uffff\U0010ffff",
    "' OR 1=1 --",
    "{Name}",
]


async def test_odd_strings_never_break_the_server(world, sclient, engine):
    """NUL bytes, very long strings, unicode oddities in the texts the API takes: a 4xx or a success."""
    targets: list[tuple[str, str, Any]] = [
        ("PATCH", f"/api/workspaces/{world.ws}/", lambda s: {"name": s}),
        ("PATCH", f"/api/applications/{world.db}/", lambda s: {"name": s}),
        ("PATCH", f"/api/database/tables/{world.table}/", lambda s: {"name": s}),
        ("PATCH", f"/api/database/fields/{world.field}/", lambda s: {"name": s}),
        (
            "PATCH",
            f"/api/database/rows/table/{world.table}/{world.row}/",
            lambda s: {f"field_{world.primary_field}": s},
        ),
        ("POST", "/api/user/token-auth/", lambda s: {"email": s, "password": s}),
        ("POST", "/api/user/token-refresh/", lambda s: {"refresh_token": s[:500]}),
        ("POST", "/api/user/", lambda s: {"name": s, "email": s, "password": s}),
        ("GET", f"/api/database/rows/table/{world.table}/", None),
    ]
    problems = []
    for method, url, make in targets:
        for odd in ODD_STRINGS:
            before = await snapshot(engine)
            if make is None:
                response = await sclient.get(url, params={"search": odd[:1000]}, headers=auth(world.victim))
            else:
                response = await sclient.request(method, url, json=make(odd), headers=auth(world.victim))
            after = await snapshot(engine)
            what = f"{method} {url} with {odd[:20]!r}"
            if response.status_code >= 500:
                problems.append(f"{what}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400:
                try:
                    assert_error_shape(response)
                except AssertionError as exc:
                    problems.append(f"{what}: {exc}")
                if changed_tables(before, after):
                    problems.append(f"{what}: refused but changed {changed_tables(before, after)}")
            elif "\x00" in odd and "\\u0000" in response.text:
                problems.append(f"{what}: a NUL byte was stored")
    # Put the victim's names back (a success above may have renamed them); secrets stay recognisable.
    await world.victim.patch(f"/api/workspaces/{world.ws}/", {"name": f"Secret workspace {world.secrets[0]}"})
    await world.victim.patch(f"/api/applications/{world.db}/", {"name": f"Secret database {world.secrets[0]}"})
    await world.victim.patch(f"/api/database/tables/{world.table}/", {"name": f"Secret table {world.secrets[0]}"})
    await world.victim.patch(f"/api/database/fields/{world.field}/", {"name": f"Amount {world.secrets[0]}"})
    await world.victim.patch(
        f"/api/database/rows/table/{world.table}/{world.row}/",
        {f"field_{world.primary_field}": f"Grenoble {world.secrets[0]}"},
    )
    assert not problems, "\n".join(problems)


# --- size limits ------------------------------------------------------------------------------------------


async def test_oversize_bodies_get_413(world, sclient, engine, settings):
    limit = settings.max_body_bytes
    url = f"/api/database/rows/table/{world.table}/"
    big = b'{"field_%d": "' % world.primary_field + b"x" * (limit + 10) + b'"}'

    async def chunks():
        for start in range(0, len(big), 1 << 20):
            yield big[start : start + (1 << 20)]

    headers = {**auth(world.victim), "Content-Type": "application/json"}
    requests = [
        {"method": "POST", "url": url, "content": big, "headers": headers},
        {
            "method": "POST",
            "url": f"/api/database/tables/database/{world.db}/",
            "content": big,
            "headers": headers,
        },
        {
            "method": "POST",
            "url": url,
            "content": b"{}",
            "headers": {**headers, "Content-Length": "99999999999"},
        },
    ]
    await _expect_clean_refusals(sclient, engine, requests, statuses={413})
    before = await snapshot(engine)
    response = await sclient.post(url, content=chunks(), headers=headers)  # streamed, no Content-Length
    assert response.status_code == 413, response.text[:200]
    assert_error_shape(response)
    assert not changed_tables(before, await snapshot(engine))


async def test_batches_over_the_limit(world, sclient, engine, settings):
    over = settings.batch_limit + 1
    base = f"/api/database/rows/table/{world.table}"
    headers = auth(world.victim)
    row = {f"field_{world.primary_field}": "x"}
    requests = [
        {"method": "POST", "url": f"{base}/batch/", "json": {"items": [row] * over}, "headers": headers},
        {
            "method": "PATCH",
            "url": f"{base}/batch/",
            "json": {"items": [{"id": world.row, **row}] * over},
            "headers": headers,
        },
        {
            "method": "PATCH",
            "url": f"{base}/batch/",
            "json": {"items": [{"id": i, **row} for i in range(1, over + 1)]},
            "headers": headers,
        },
        {
            "method": "POST",
            "url": f"{base}/batch-delete/",
            "json": {"items": list(range(1, over + 1))},
            "headers": headers,
        },
        {"method": "POST", "url": f"{base}/batch/", "json": {"items": [row] * 100_000}, "headers": headers},
        {"method": "POST", "url": f"{base}/batch/", "json": {"items": []}, "headers": headers},
        {"method": "POST", "url": f"{base}/batch-delete/", "json": {"items": []}, "headers": headers},
    ]
    await _expect_clean_refusals(sclient, engine, requests, statuses={400})


async def test_bad_row_ids_in_bodies(world, sclient, engine):
    base = f"/api/database/rows/table/{world.table}"
    headers = auth(world.victim)
    row = {f"field_{world.primary_field}": "x"}
    # (A string of digits is a row id for the lax int parsing Baserow also does; a boolean must never be one,
    # but True would delete row 1 through the batch-delete model's lax parsing, so it is tried on PATCH only.)
    bad_ids: list[Any] = [MAX_ID + 1, 2**64 - 1, 2**70, 1e300, -1, 0, "abc", None, [1], {"id": 1}, 1.5]
    requests: list[dict[str, Any]] = [
        {
            "method": "PATCH",
            "url": f"{base}/batch/",
            "json": {"items": [{"id": True, **row}]},
            "headers": headers,
        }
    ]
    for bad in bad_ids:
        requests.append(
            {
                "method": "PATCH",
                "url": f"{base}/batch/",
                "json": {"items": [{"id": bad, **row}]},
                "headers": headers,
            }
        )
        requests.append(
            {"method": "POST", "url": f"{base}/batch-delete/", "json": {"items": [bad]}, "headers": headers}
        )
    requests.append({"method": "PATCH", "url": f"{base}/batch/", "json": {"items": [row]}, "headers": headers})
    requests.append(
        {
            "method": "PATCH",
            "url": f"{base}/batch/",
            "json": {"items": [{"id": world.row}, {"id": world.row}]},
            "headers": headers,
        }
    )
    await _expect_clean_refusals(sclient, engine, requests)


async def test_bad_ids_in_token_and_member_bodies(world, sclient, engine):
    headers = auth(world.victim)
    requests = []
    for bad in (MAX_ID + 1, 2**64 - 1, 2**70, -1, 0, "abc", 1.5):
        requests.append(
            {
                "method": "POST",
                "url": "/api/database/tokens/",
                "json": {"name": "t", "workspace": bad},
                "headers": headers,
            }
        )
        for kind in ("table", "database"):
            requests.append(
                {
                    "method": "PATCH",
                    "url": f"/api/database/tokens/{world.token}/",
                    "json": {"permissions": {"read": [[kind, bad]]}},
                    "headers": headers,
                }
            )
    for bad_rule in ("yes", 1, {"table": 1}, [["view", 1]], [["table"]], [["table", world.outsider_table]]):
        requests.append(
            {
                "method": "PATCH",
                "url": f"/api/database/tokens/{world.token}/",
                "json": {"permissions": {"create": bad_rule}},
                "headers": headers,
            }
        )
    for role in ("owner", "ADMIN", "", None, 1):
        requests.append(
            {
                "method": "POST",
                "url": f"/api/workspaces/users/workspace/{world.ws}/",
                "json": {"email": world.outsider.email, "permissions": role},
                "headers": headers,
            }
        )
    await _expect_clean_refusals(sclient, engine, requests)


# --- query parameters -------------------------------------------------------------------------------------


async def test_bad_query_parameters(world, sclient, engine):
    url = f"/api/database/rows/table/{world.table}/"
    primary = world.primary_field
    deep: dict[str, Any] = {
        "filter_type": "AND",
        "filters": [{"field": primary, "type": "equal", "value": "x"}],
    }
    for _ in range(40):
        deep = {"filter_type": "AND", "filters": [], "groups": [deep]}
    params: list[dict[str, str]] = [
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": str(2**62)},
        {"page": "99999999999999999999999"},
        {"page": "9" * 5000},
        {"size": "1000"},
        {"size": "0"},
        {"size": "abc"},
        {"size": "1e3"},
        {"size": "-5"},
        {"order_by": "field_99999999"},
        {"order_by": "nonsense"},
        {"order_by": "-field_99999999999999999999999"},
        {"order_by": "Unknown name", "user_field_names": "true"},
        {"filters": "not json"},
        {"filters": "[]"},
        {"filters": '"a string"'},
        {"filters": "1e400"},
        {
            "filters": json.dumps(
                {"filter_type": "AND", "filters": [{"field": 99999999, "type": "equal", "value": "x"}]}
            )
        },
        {"filters": json.dumps({"filters": [{"field": primary, "type": "no_such_type", "value": "x"}]})},
        {"filters": json.dumps({"filters": [{"field": primary, "type": "equal", "value": {"x": 1}}]})},
        {"filters": json.dumps({"filters": [{"field": primary, "type": "equal", "value": ["x"]}]})},
        {"filters": json.dumps({"filters": [{"field": None, "type": "equal", "value": "x"}]})},
        {"filters": json.dumps({"filters": [{"field": 2**70, "type": "equal", "value": "x"}]})},
        {"filters": json.dumps({"filters": [{"type": "equal", "value": "x"}]})},
        {"filters": json.dumps({"filters": "x"})},
        {"filters": json.dumps({"filters": [1, 2]})},
        {"filters": json.dumps({"filter_type": "XOR", "filters": [{"field": primary, "type": "equal", "value": "x"}]})},
        {"filters": json.dumps({"filters": [], "groups": "x"})},
        {"filters": json.dumps(deep)},
        {"filters": json.dumps({"filters": [{"field": primary, "type": "equal", "value": "x"}] * 250})},
        {f"filter__field_{primary}__no_such_type": "x"},
        {"filter__field_99999999__equal": "x"},
        {f"filter__field_{primary}__equal": "x", "filter_type": "XOR"},
        {"view_id": "abc"},
        {"view_id": "99999999999999999999999"},
        {"view_id": "-1"},
    ]
    requests = [{"method": "GET", "url": url, "params": p, "headers": auth(world.victim)} for p in params]
    for before in ("abc", "\u00b2", "\u0663", "99999999999999999999999", str(MAX_ID), "-1", "1.5"):
        requests.append(
            {
                "method": "POST",
                "url": url,
                "params": {"before": before},
                "json": {},
                "headers": auth(world.victim),
            }
        )
    await _expect_clean_refusals(sclient, engine, requests)
