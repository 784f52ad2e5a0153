"""The security suite's world: a victim workspace full of recognisable secrets, and people around it.

Everything the victim owns carries MARK in its name or value, so an answer that leaks any of it is easy to
spot. The world is built once per run through the real HTTP API; the tests that use it only make requests
that must be refused (or that read), and each checks the database is unchanged, so it can be shared.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Api, signed_up, unique_email

MARK = f"Vx{secrets.token_hex(5)}"
ROLES = ("viewer", "commenter", "editor", "builder", "admin")
OPERATIONS = ("create", "read", "update", "delete")
REFUSED = {401, 403, 404}


@dataclass
class World:
    victim: Api
    outsider: Api
    members: dict[str, Api]  # role -> a member of the victim's workspace ("admin" is not the owner)
    ws: int
    db: int
    table: int
    other_table: int
    fields: dict[str, int]
    primary_field: int
    field: int  # a non-primary field of `table`
    row: int
    rows: list[int]
    token: int  # the victim's full token (its id)
    token_key: str
    tokens: dict[str, str]  # scenario -> key: "off_<op>", "other_table", "full"
    outsider_token: str
    outsider_table: int
    outsider_row: int
    # Views and their parts (see _build_views); a missing key names what could not be built.
    views: dict[str, Any] = field(default_factory=dict)
    job: int = 0  # the victim's finished import job
    secrets: list[str] = field(default_factory=list)  # texts no stranger may see
    ids: set[int] = field(default_factory=set)  # ids no stranger may see (unless in the path)


def auth(api_or_key: Api | str | None, scheme: str = "JWT") -> dict[str, str]:
    if api_or_key is None:
        return {}
    if isinstance(api_or_key, Api):
        return {"Authorization": f"JWT {api_or_key.token}"}
    return {"Authorization": f"{scheme} {api_or_key}"}


# --- snapshots of the whole database -------------------------------------------------------------------

SKIPPED_TABLES = {"audit_log", "alembic_version"}


async def snapshot(engine: AsyncEngine) -> dict[str, str]:
    """A digest per table of everything nocodedb stores (the audit log aside), and of the relation list."""
    async with engine.connect() as conn:
        relations = (
            await conn.execute(
                text(
                    "SELECT string_agg(c.relname || ':' || c.relkind::text || ':' "
                    "|| c.relispartition::text, ',' ORDER BY c.relname) "
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema()"
                )
            )
        ).scalar_one()
        names = [
            name
            for name, kind, partition in (r.split(":") for r in str(relations).split(","))
            if kind in ("r", "p") and partition == "false" and name not in SKIPPED_TABLES
        ]
        # Order-independent and sort-free: a count and a sum of 64-bit hashes of every row's text.
        parts = [
            f"SELECT '{name}', count(*)::text || '/' || coalesce(sum(hashtextextended(t::text, 7)), 0)::text "
            f'FROM "{name}" t'
            for name in names
            if re.fullmatch(r"[a-z_0-9]+", name)
        ]
        found = (await conn.execute(text(" UNION ALL ".join(parts)))).all()
    return {"(relations)": str(relations), **{r[0]: r[1] for r in found}}


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# --- answers ---------------------------------------------------------------------------------------------


def numbers_in(value: Any) -> set[int]:
    found: set[int] = set()
    if isinstance(value, bool):
        return found
    if isinstance(value, int):
        found.add(value)
    elif isinstance(value, str):
        found |= {int(n) for n in re.findall(r"\d+", value)}
    elif isinstance(value, dict):
        for k, v in value.items():
            found |= numbers_in(k) | numbers_in(v)
    elif isinstance(value, list):
        for v in value:
            found |= numbers_in(v)
    return found


def assert_error_shape(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code != 500, f"500 from the server: {response.text[:500]}"
    assert "Traceback" not in response.text and 'File "' not in response.text, response.text[:500]
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error", "detail"}, body
    assert isinstance(body["error"], str) and body["error"].startswith("ERROR_"), body
    return body


def assert_refused(response: httpx.Response, what: str) -> dict[str, Any]:
    code = response.status_code
    body = assert_error_shape(response) if code >= 400 else None
    ok = code in REFUSED or (code == 400 and body is not None and body["error"] == "ERROR_USER_NOT_IN_GROUP")
    assert ok, (
        f"{what}: expected a refusal (400 ERROR_USER_NOT_IN_GROUP, 401, 403, 404), got {code}: {response.text[:300]}"
    )
    assert body is not None
    return body


def assert_no_leak(
    world: World, response: httpx.Response, what: str, *, allowed_ids: set[int], check_ids: bool
) -> None:
    body_text = response.text.lower()
    for secret in world.secrets:
        assert secret.lower() not in body_text, f"{what}: the answer shows {secret!r}: {response.text[:300]}"
    if check_ids and response.content:
        leaked = (numbers_in(response.json()) & world.ids) - allowed_ids
        assert not leaked, f"{what}: the answer shows the victim's ids {leaked}: {response.text[:300]}"


# --- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def sclient(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """A client that shows 500 answers instead of raising the server's exception."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5556), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60) as c:
        yield c


async def _member(client: httpx.AsyncClient, owner: Api, role: str) -> Api:
    person = await signed_up(client, name=f"Member {role}")
    await owner.post(
        f"/api/workspaces/users/workspace/{owner.workspace_id}/", {"email": person.email, "permissions": role}
    )
    return person


async def _token(owner: Api, name: str, permissions: dict[str, Any]) -> tuple[int, str]:
    created = await owner.post("/api/database/tokens/", {"name": name, "workspace": owner.workspace_id})
    await owner.patch(f"/api/database/tokens/{created['id']}/", {"permissions": permissions})
    return created["id"], created["key"]


async def _build_views(victim: Api, table: int, field_id: int, row: int) -> dict[str, Any]:
    """The victim's views, none shared: a grid with a filter, a filter group, a sort, a group-by; a form."""
    built: dict[str, Any] = {"fake_token": "made-up-edit-link-token"}
    steps = [
        (
            "view",
            "POST",
            f"/api/database/views/table/{table}/",
            {"name": f"Secret view {MARK}", "type": "grid"},
        ),
        (
            "form",
            "POST",
            f"/api/database/views/table/{table}/",
            {"name": f"Secret form {MARK}", "type": "form"},
        ),
        (
            "filter",
            "POST",
            "/api/database/views/{view}/filters/",
            {"field": field_id, "type": "equal", "value": MARK},
        ),
        ("filter_group", "POST", "/api/database/views/{view}/filter-groups/", {"filter_type": "AND"}),
        ("sort", "POST", "/api/database/views/{view}/sortings/", {"field": field_id, "order": "ASC"}),
        ("group_by", "POST", "/api/database/views/{view}/group_bys/", {"field": field_id, "order": "ASC"}),
        ("edit_link", "POST", "/api/database/views/{form}/edit-links/", {"row_ids": [row]}),
    ]
    for key, method, url, body in steps:
        try:
            answer = await victim.call(method, url.format(**built), json=body)
        except (AssertionError, KeyError) as exc:
            built.setdefault("_errors", []).append(f"{key}: {exc}")
            continue
        item = answer[0] if isinstance(answer, list) else answer
        built[key] = item["id"]
        if "slug" in item:
            built[f"{key}_slug"] = item["slug"]
        if "token" in item:
            built[f"{key}_token"] = item["token"]
    return built


@pytest.fixture(scope="session")
async def world(sclient: httpx.AsyncClient) -> World:
    victim = await signed_up(sclient, name=f"Victim {MARK}", email=unique_email(f"victim-{MARK}"))
    secrets_: list[str] = [MARK, victim.email]
    ids: set[int] = {victim.user["id"]}
    ws, db = victim.workspace_id, victim.database_id
    await victim.patch(f"/api/workspaces/{ws}/", {"name": f"Secret workspace {MARK}"})
    await victim.patch(f"/api/applications/{db}/", {"name": f"Secret database {MARK}"})
    table = await victim.table(
        f"Secret table {MARK}",
        [
            {"name": f"Amount {MARK}", "type": "number", "number_decimal_places": 2},
            {"name": f"Flag {MARK}", "type": "boolean"},
            {"name": f"Notes {MARK}", "type": "long_text"},
        ],
    )
    other = await victim.table(f"Other secret table {MARK}")
    fields = {f["name"]: f["id"] for f in table["fields"]}
    primary = next(f["id"] for f in table["fields"] if f["primary"])
    amount = fields[f"Amount {MARK}"]
    created = await victim.post(
        f"/api/database/rows/table/{table['id']}/batch/",
        {
            "items": [
                {f"field_{primary}": f"Grenoble {MARK}", f"field_{amount}": "987654.25"},
                {
                    f"field_{primary}": f"Lyon {MARK}",
                    f"field_{fields[f'Notes {MARK}']}": f"private note {MARK}",
                },
            ]
        },
    )
    row_ids = [r["id"] for r in created["items"]]
    other_rows = await victim.rows(other["id"])
    token_id, token_key = await _token(victim, f"Secret token {MARK}", dict.fromkeys(OPERATIONS, True))
    tokens = {"full": token_key}
    for op in OPERATIONS:
        _, key = await _token(victim, f"Token without {op} {MARK}", {o: o != op for o in OPERATIONS})
        tokens[f"off_{op}"] = key
    _, tokens["other_table"] = await _token(
        victim, f"Token of the other table {MARK}", {o: [["table", other["id"]]] for o in OPERATIONS}
    )
    token_ids = {t["id"] for t in await victim.get("/api/database/tokens/")}
    members = {role: await _member(sclient, victim, role) for role in ROLES}
    views = await _build_views(victim, table["id"], amount, row_ids[0])
    job = await victim.post(
        f"/api/database/import/table/database/{db}/", {"text": "a\n1", "format": "csv", "name": f"Import {MARK}"}
    )
    for _ in range(200):  # finished before any snapshot is taken
        if (await victim.get(f"/api/jobs/{job['id']}/"))["state"] in ("finished", "failed"):
            break
        await asyncio.sleep(0.05)

    outsider = await signed_up(sclient, name="Outsider")
    outsider_table = await outsider.table("Outsider table")
    outsider_row = await outsider.post(f"/api/database/rows/table/{outsider_table['id']}/", {})
    outsider_token = await outsider.post("/api/database/tokens/", {"name": "mine", "workspace": outsider.workspace_id})

    secrets_ += ["987654", victim.token, token_key, *tokens.values()]
    ids |= {ws, db, table["id"], other["id"], *fields.values(), *row_ids, *token_ids}
    ids |= {f["id"] for f in await victim.get(f"/api/database/fields/table/{other['id']}/")}
    ids |= {r["id"] for r in other_rows["results"]}
    ids |= {v for k, v in views.items() if isinstance(v, int)} | {job["id"]}
    secrets_ += [v for k, v in views.items() if k.endswith(("_slug", "_token"))]
    return World(
        victim=victim,
        outsider=outsider,
        members=members,
        ws=ws,
        db=db,
        table=table["id"],
        other_table=other["id"],
        fields=fields,
        primary_field=primary,
        field=amount,
        row=row_ids[0],
        rows=row_ids,
        token=token_id,
        token_key=token_key,
        tokens=tokens,
        outsider_token=outsider_token["key"],
        outsider_table=outsider_table["id"],
        outsider_row=outsider_row["id"],
        views=views,
        job=job["id"],
        secrets=secrets_,
        ids=ids,
    )
