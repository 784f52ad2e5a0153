"""Every route, every method, called by people who must be refused: nothing leaks, nothing changes.

The cases come from app.state.route_docs; tests/security/route_table.py says how to call each route. A route
that is not in that table fails here, with a message saying to add it.
"""

from __future__ import annotations

from typing import Any

import pytest

from nocodedb.app import create_app
from nocodedb.settings import Settings
from tests.security.conftest import (
    ROLES,
    World,
    assert_error_shape,
    assert_no_leak,
    assert_refused,
    auth,
    changed_tables,
    snapshot,
)
from tests.security.route_table import ROUTES, Entry, fill

ROUTE_DOCS = create_app(Settings()).state.route_docs
ACCESS_LEVELS = (*ROLES, "owner")


def _lower_roles(access: str) -> list[str]:
    if access == "owner":
        return list(ROLES)  # every member who is not the owner, admins included
    return list(ROLES[: ROLES.index(access)])


def _problem(doc: Any, method: str, entry: Entry | None) -> str | None:
    where = f"{method} {doc.path}"
    if entry is None:
        return (
            f"The route {where} (auth={doc.auth!r}) is not in tests/security/route_table.py ROUTES. Add an "
            "Entry for it: how to fill its path parameters from the World, a valid body aimed at the victim, "
            "the lowest role that may call it (or 'public'/'self'/'owner'), and token_op if database tokens "
            "may use it. Every route must be checked against strangers."
        )
    if (doc.auth == "public") != (entry.access == "public"):
        return f"{where}: the route says auth={doc.auth!r} but the route table says access={entry.access!r}."
    if (doc.auth == "token") != (entry.token_op is not None):
        return f"{where}: auth={doc.auth!r} and token_op={entry.token_op!r} in the route table disagree."
    if entry.access not in (*ACCESS_LEVELS, "public", "self"):
        return f"{where}: unknown access {entry.access!r} in the route table."
    return None


def _scenarios(doc: Any, method: str, entry: Entry | None) -> list[str]:
    if _problem(doc, method, entry) is not None:
        return ["route-table-problem"]
    assert entry is not None
    if entry.access == "public":
        return ["public-anonymous", "public-outsider", "public-foreign-token"]
    found = ["anonymous", "foreign-token"]
    if entry.access == "self":
        if method == "GET":
            found.append("outsider-reads-own")
    else:
        found.append("outsider")
        found += [f"member-{role}" for role in _lower_roles(entry.access)]
    if doc.auth == "token":
        found += ["token-without-operation", "token-of-other-table"]
        if "row_id" in entry.params:
            found.append("own-table-victim-row")
    else:
        found.append("victim-full-token")  # database tokens never reach these routes
    return found


CASES = [
    pytest.param(method, doc.path, scenario, id=f"{method} {doc.path} [{scenario}]")
    for doc in ROUTE_DOCS
    for method in doc.methods
    for scenario in _scenarios(doc, method, ROUTES.get((method, doc.path)))
]


_last_snapshot: dict[str, dict[str, str]] = {}


def _request_for(world: World, entry: Entry, scenario: str) -> tuple[dict[str, str], dict[str, int]]:
    """Headers to send, and path parameters to change, for a scenario."""
    if scenario in ("anonymous", "public-anonymous"):
        return {}, {}
    if scenario in ("outsider", "outsider-reads-own", "public-outsider"):
        return auth(world.outsider), {}
    if scenario in ("foreign-token", "public-foreign-token"):
        return auth(world.outsider_token, "Token"), {}
    if scenario.startswith("member-"):
        return auth(world.members[scenario.removeprefix("member-")]), {}
    if scenario == "victim-full-token":
        return auth(world.tokens["full"], "Token"), {}
    if scenario == "token-without-operation":
        return auth(world.tokens[f"off_{entry.token_op}"], "Token"), {}
    if scenario == "token-of-other-table":
        return auth(world.tokens["other_table"], "Token"), {}
    if scenario == "own-table-victim-row":
        return auth(world.outsider), {"table_id": world.outsider_table}
    raise AssertionError(f"unknown scenario {scenario}")


@pytest.mark.parametrize(("method", "path", "scenario"), CASES)
async def test_strangers_are_refused(world, sclient, engine, app, method, path, scenario):
    previous = _last_snapshot.pop("after", None)
    doc = next((d for d in app.state.route_docs if d.path == path and method in d.methods), None)
    assert doc is not None, f"{method} {path} disappeared from app.state.route_docs"
    entry = ROUTES.get((method, path))
    problem = _problem(doc, method, entry)
    if problem is not None:
        pytest.fail(problem)
    assert entry is not None
    headers, overrides = _request_for(world, entry, scenario)
    concrete, named = fill(path, entry, world, overrides)
    body = entry.body(world) if entry.body else None
    if scenario == "own-table-victim-row" and body is not None:
        body = {}  # the victim's field keys mean nothing in the stranger's own table
    what = f"{method} {concrete} [{scenario}]"

    # The previous case's "after" is this one's "before" (nothing runs in between); else take one.
    before = previous or await snapshot(engine)
    response = await sclient.request(
        method, concrete, headers=headers, params=entry.query, **({"json": body} if body is not None else {})
    )
    after = await snapshot(engine)
    _last_snapshot["after"] = after

    if scenario.startswith("public-"):
        assert response.status_code in entry.public_status, f"{what}: {response.status_code} {response.text[:300]}"
        if response.status_code >= 400:
            assert_error_shape(response)
        assert_no_leak(world, response, what, allowed_ids=named, check_ids=False)
    elif scenario == "outsider-reads-own":
        assert response.status_code < 500, f"{what}: {response.text[:300]}"
        assert_no_leak(world, response, what, allowed_ids=named, check_ids=False)
    else:
        assert_refused(response, what)
        assert_no_leak(world, response, what, allowed_ids=named, check_ids=True)
    assert not changed_tables(before, after), f"{what} changed {changed_tables(before, after)}"


def test_route_table_has_no_stale_entries():
    declared = {(m, d.path) for d in ROUTE_DOCS for m in d.methods}
    stale = sorted(set(ROUTES) - declared)
    assert not stale, f"tests/security/route_table.py describes routes that no longer exist: {stale}; remove them."
