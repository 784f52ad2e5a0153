"""How to call every API route as a stranger: its path parameters, a body, and who may call it.

tests/security/test_access_routes.py walks app.state.route_docs and looks each (method, path) up here. A
route missing from this table fails the test: when you add a route, add an Entry below.

- params: path parameter -> World attribute that fills it (see tests/security/conftest.py); a value that
  is a tuple (attribute, index) picks from a list or dict attribute.
- body: a function of the World giving a VALID body aimed at the victim (so that only the access check can
  refuse it), or None.
- access: "public" (no account needed), "self" (acts only on the caller's own account, never on a
  workspace's content), or the lowest workspace role allowed: "viewer", "commenter", "editor", "builder",
  "admin", or "owner" (only the member who made the thing, e.g. a database token).
- token_op: for routes that database tokens may use (auth="token"), the operation the token needs.
- public_status: for public routes, the statuses the stranger's probe may get (the probe must reveal
  nothing of the victim).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.conftest import MARK, World


@dataclass(frozen=True)
class Entry:
    access: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Callable[[World], Any] | None = None
    token_op: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    public_status: frozenset[int] = frozenset()


def fill(path: str, entry: Entry, world: World, overrides: dict[str, Any] | None = None) -> tuple[str, set[int]]:
    """The concrete path, and the ids it names (those may appear in the answer)."""
    named: set[int] = set()
    values: dict[str, Any] = {}
    for name, source in entry.params.items():
        if overrides and name in overrides:
            value = overrides[name]
        elif isinstance(source, tuple):
            container = getattr(world, source[0])
            assert source[1] in container, (
                f"the World has no {source[0]}[{source[1]!r}] for {path}: {container.get('_errors', '')}"
            )
            value = container[source[1]]
        else:
            value = getattr(world, source)
        if hasattr(value, "user"):  # an Api: its user id
            value = value.user["id"]
        if isinstance(value, str):  # a slug or a link's token
            values[name] = value
            continue
        values[name] = int(value)
        named.add(int(value))
    concrete = path
    for name, value in values.items():
        concrete = concrete.replace(f"{{{name}:int}}", str(value)).replace(f"{{{name}}}", str(value))
    assert "{" not in concrete, f"the route table does not fill every parameter of {path}"
    return concrete, named


WS = {"workspace_id": "ws"}
DB = {"database_id": "db"}
TABLE = {"table_id": "table"}
FIELD = {"field_id": "field"}
ROW = {"table_id": "table", "row_id": "row"}
TOKEN = {"token_id": "token"}


def _name(world: World) -> dict[str, Any]:
    return {"name": "Renamed by a stranger"}


def _row(world: World) -> dict[str, Any]:
    return {f"field_{world.primary_field}": "written by a stranger"}


PUBLIC_OK = frozenset({200})
NF = frozenset({401, 404})
V = "/api/database/views"
VIEW = {"view_id": ("views", "view")}
FORM = {"view_id": ("views", "form")}
SLUG = {"slug": ("views", "view_slug")}
FORM_SLUG = {"slug": ("views", "form_slug")}

ROUTES: dict[tuple[str, str], Entry] = {
    # --- accounts --------------------------------------------------------------------------------------
    ("POST", "/api/user/"): Entry(
        "public",
        body=lambda w: {"name": "Impostor", "email": w.victim.email.upper(), "password": "another password"},
        public_status=frozenset({400}),
    ),
    ("POST", "/api/user/token-auth/"): Entry(
        "public",
        body=lambda w: {"email": w.victim.email, "password": "not the password"},
        public_status=frozenset({401}),
    ),
    ("POST", "/api/user/token-refresh/"): Entry(
        "public",
        body=lambda w: {"refresh_token": w.victim.token},
        public_status=frozenset({401}),
    ),
    ("POST", "/api/user/token-blacklist/"): Entry(
        "public",
        body=lambda w: {"refresh_token": "not-a-refresh-token"},
        public_status=frozenset({204}),
    ),
    ("GET", "/api/user/me/"): Entry("self"),
    ("GET", "/api/user/dashboard/"): Entry("self"),
    ("POST", "/api/user/change-password/"): Entry(
        "self", body=lambda w: {"old_password": "wrong password", "new_password": "new password 123"}
    ),
    # --- workspaces and members --------------------------------------------------------------------------
    ("GET", "/api/workspaces/"): Entry("self"),
    ("GET", "/api/groups/"): Entry("self"),
    ("POST", "/api/workspaces/"): Entry("self", body=_name),
    ("POST", "/api/groups/"): Entry("self", body=_name),
    ("PATCH", "/api/workspaces/{workspace_id:int}/"): Entry("admin", WS, _name),
    ("PATCH", "/api/groups/{workspace_id:int}/"): Entry("admin", WS, _name),
    ("DELETE", "/api/workspaces/{workspace_id:int}/"): Entry("admin", WS),
    ("DELETE", "/api/groups/{workspace_id:int}/"): Entry("admin", WS),
    ("GET", "/api/workspaces/users/workspace/{workspace_id:int}/"): Entry("viewer", WS),
    ("POST", "/api/workspaces/users/workspace/{workspace_id:int}/"): Entry(
        "admin", WS, lambda w: {"email": w.outsider.email, "permissions": "admin"}
    ),
    ("PATCH", "/api/workspaces/users/workspace/{workspace_id:int}/{user_id:int}/"): Entry(
        "admin", {"workspace_id": "ws", "user_id": ("members", "viewer")}, lambda w: {"permissions": "admin"}
    ),
    # --- databases -----------------------------------------------------------------------------------------
    ("GET", "/api/applications/workspace/{workspace_id:int}/"): Entry("viewer", WS),
    ("GET", "/api/applications/group/{workspace_id:int}/"): Entry("viewer", WS),
    ("POST", "/api/applications/workspace/{workspace_id:int}/"): Entry(
        "builder", WS, lambda w: {"name": "Stranger's database", "type": "database"}
    ),
    ("POST", "/api/applications/group/{workspace_id:int}/"): Entry(
        "builder", WS, lambda w: {"name": "Stranger's database", "type": "database"}
    ),
    ("GET", "/api/applications/{database_id:int}/"): Entry("viewer", DB),
    ("PATCH", "/api/applications/{database_id:int}/"): Entry("builder", DB, _name),
    ("DELETE", "/api/applications/{database_id:int}/"): Entry("builder", DB),
    # --- tables and fields ---------------------------------------------------------------------------------
    ("GET", "/api/database/tables/database/{database_id:int}/"): Entry("viewer", DB),
    ("POST", "/api/database/tables/database/{database_id:int}/"): Entry(
        "builder", DB, lambda w: {"name": "Stranger's table", "data": [["a"], ["b"]]}
    ),
    ("GET", "/api/database/tables/{table_id:int}/"): Entry("viewer", TABLE),
    ("PATCH", "/api/database/tables/{table_id:int}/"): Entry("builder", TABLE, _name),
    ("DELETE", "/api/database/tables/{table_id:int}/"): Entry("builder", TABLE),
    ("GET", "/api/database/fields/table/{table_id:int}/"): Entry("viewer", TABLE, token_op="read"),
    ("POST", "/api/database/fields/table/{table_id:int}/"): Entry(
        "builder", TABLE, lambda w: {"name": "Stranger's field", "type": "text"}
    ),
    ("GET", "/api/database/fields/{field_id:int}/"): Entry("viewer", FIELD, token_op="read"),
    ("PATCH", "/api/database/fields/{field_id:int}/"): Entry("builder", FIELD, lambda w: {"name": "Renamed"}),
    ("DELETE", "/api/database/fields/{field_id:int}/"): Entry("builder", FIELD),
    # --- rows ---------------------------------------------------------------------------------------
    ("GET", "/api/database/rows/table/{table_id:int}/"): Entry(
        "viewer", TABLE, token_op="read", query={"search": MARK[:6]}
    ),
    ("GET", "/api/database/rows/table/{table_id:int}/{row_id:int}/"): Entry("viewer", ROW, token_op="read"),
    ("POST", "/api/database/rows/table/{table_id:int}/"): Entry("editor", TABLE, _row, token_op="create"),
    ("PATCH", "/api/database/rows/table/{table_id:int}/{row_id:int}/"): Entry("editor", ROW, _row, token_op="update"),
    ("DELETE", "/api/database/rows/table/{table_id:int}/{row_id:int}/"): Entry("editor", ROW, token_op="delete"),
    ("POST", "/api/database/rows/table/{table_id:int}/batch/"): Entry(
        "editor", TABLE, lambda w: {"items": [_row(w), _row(w)]}, token_op="create"
    ),
    ("PATCH", "/api/database/rows/table/{table_id:int}/batch/"): Entry(
        "editor", TABLE, lambda w: {"items": [{"id": r, **_row(w)} for r in w.rows]}, token_op="update"
    ),
    ("POST", "/api/database/rows/table/{table_id:int}/batch-delete/"): Entry(
        "editor", TABLE, lambda w: {"items": w.rows}, token_op="delete"
    ),
    # --- database tokens -----------------------------------------------------------------------------------
    ("GET", "/api/database/tokens/"): Entry("self"),
    ("POST", "/api/database/tokens/"): Entry("editor", body=lambda w: {"name": "Stranger's token", "workspace": w.ws}),
    ("GET", "/api/database/tokens/{token_id:int}/"): Entry("owner", TOKEN),
    ("PATCH", "/api/database/tokens/{token_id:int}/"): Entry(
        "owner",
        TOKEN,
        lambda w: {"permissions": {"create": True, "read": True, "update": True, "delete": True}},
    ),
    ("DELETE", "/api/database/tokens/{token_id:int}/"): Entry("owner", TOKEN),
    # --- import, export, jobs, templates ------------------------------------------------------------------
    ("GET", "/api/database/export/table/{table_id:int}/"): Entry(
        "viewer", TABLE, token_op="read", query={"format": "json"}
    ),
    ("POST", "/api/database/import/preview/"): Entry(
        "self", body=lambda w: {"text": "a;b\n1;2", "format": "csv", "database_id": w.db}
    ),
    ("POST", "/api/database/import/table/database/{database_id:int}/"): Entry(
        "builder", DB, lambda w: {"text": "a;b\n1;2", "format": "csv", "name": "Stranger's import"}
    ),
    ("POST", "/api/database/import/table/{table_id:int}/"): Entry(
        "editor", TABLE, lambda w: {"text": "Name\nx", "format": "csv", "mapping": {"Name": w.primary_field}}
    ),
    ("GET", "/api/jobs/{job_id:int}/"): Entry("owner", {"job_id": "job"}),
    ("GET", "/api/templates/schema.json"): Entry("public", public_status=PUBLIC_OK),
    ("GET", "/api/templates/export/database/{database_id:int}/"): Entry("builder", DB),
    ("POST", "/api/templates/install/workspace/{workspace_id:int}/"): Entry(
        "builder", WS, lambda w: {"version": 1, "name": "Stranger's template", "tables": []}
    ),
    # --- views (none of the victim's views is shared) ------------------------------------------------------
    ("GET", V + "/table/{table_id:int}/"): Entry("viewer", TABLE),
    ("POST", V + "/table/{table_id:int}/"): Entry("builder", TABLE, lambda w: {"name": "Stranger's", "type": "grid"}),
    ("POST", V + "/table/{table_id:int}/order/"): Entry(
        "builder", TABLE, lambda w: {"view_ids": [w.views["form"], w.views["view"]]}
    ),
    ("GET", V + "/{view_id:int}/"): Entry("viewer", VIEW),
    ("PATCH", V + "/{view_id:int}/"): Entry("builder", VIEW, lambda w: {"public": True}),
    ("DELETE", V + "/{view_id:int}/"): Entry("builder", VIEW),
    ("POST", V + "/{view_id:int}/duplicate/"): Entry("builder", VIEW),
    ("POST", V + "/{view_id:int}/rotate-slug/"): Entry("builder", VIEW),
    ("GET", V + "/{view_id:int}/filters/"): Entry("viewer", VIEW),
    ("POST", V + "/{view_id:int}/filters/"): Entry(
        "builder", VIEW, lambda w: {"field": w.field, "type": "equal", "value": "1"}
    ),
    ("GET", V + "/filter/{filter_id:int}/"): Entry("viewer", {"filter_id": ("views", "filter")}),
    ("PATCH", V + "/filter/{filter_id:int}/"): Entry(
        "builder", {"filter_id": ("views", "filter")}, lambda w: {"value": "2"}
    ),
    ("DELETE", V + "/filter/{filter_id:int}/"): Entry("builder", {"filter_id": ("views", "filter")}),
    ("POST", V + "/{view_id:int}/filter-groups/"): Entry("builder", VIEW, lambda w: {"filter_type": "OR"}),
    ("PATCH", V + "/filter-group/{group_id:int}/"): Entry(
        "builder", {"group_id": ("views", "filter_group")}, lambda w: {"filter_type": "OR"}
    ),
    ("DELETE", V + "/filter-group/{group_id:int}/"): Entry("builder", {"group_id": ("views", "filter_group")}),
    ("GET", V + "/{view_id:int}/sortings/"): Entry("viewer", VIEW),
    ("POST", V + "/{view_id:int}/sortings/"): Entry(
        "builder", VIEW, lambda w: {"field": w.primary_field, "order": "DESC"}
    ),
    ("GET", V + "/sort/{item_id:int}/"): Entry("viewer", {"item_id": ("views", "sort")}),
    ("PATCH", V + "/sort/{item_id:int}/"): Entry(
        "builder", {"item_id": ("views", "sort")}, lambda w: {"order": "DESC"}
    ),
    ("DELETE", V + "/sort/{item_id:int}/"): Entry("builder", {"item_id": ("views", "sort")}),
    ("GET", V + "/{view_id:int}/group_bys/"): Entry("viewer", VIEW),
    ("POST", V + "/{view_id:int}/group_bys/"): Entry(
        "builder", VIEW, lambda w: {"field": w.primary_field, "order": "DESC"}
    ),
    ("GET", V + "/group_by/{item_id:int}/"): Entry("viewer", {"item_id": ("views", "group_by")}),
    ("PATCH", V + "/group_by/{item_id:int}/"): Entry(
        "builder", {"item_id": ("views", "group_by")}, lambda w: {"order": "DESC"}
    ),
    ("DELETE", V + "/group_by/{item_id:int}/"): Entry("builder", {"item_id": ("views", "group_by")}),
    ("GET", V + "/{view_id:int}/field-options/"): Entry("viewer", VIEW),
    ("PATCH", V + "/{view_id:int}/field-options/"): Entry(
        "builder", VIEW, lambda w: {"field_options": {str(w.field): {"hidden": True}}}
    ),
    ("POST", V + "/{view_id:int}/edit-links/"): Entry("builder", FORM, lambda w: {"row_ids": [w.row]}),
    ("GET", V + "/{view_id:int}/edit-links/"): Entry("builder", FORM),
    ("POST", V + "/{view_id:int}/edit-links/revoke-all/"): Entry("builder", FORM),
    ("DELETE", V + "/edit-link/{link_id:int}/"): Entry("builder", {"link_id": ("views", "edit_link")}),
    # The public side, called with the slugs of views that are NOT shared: nothing may come out.
    ("POST", V + "/{slug}/public/auth/"): Entry(
        "public", SLUG, lambda w: {"password": "guess guess"}, public_status=NF
    ),
    ("GET", V + "/{slug}/public/info/"): Entry("public", SLUG, public_status=NF),
    ("GET", V + "/grid/{slug}/public/rows/"): Entry("public", SLUG, public_status=NF),
    ("GET", V + "/{slug}/public/rows/"): Entry("public", SLUG, public_status=NF),
    ("GET", V + "/{slug}/public/export/"): Entry("public", SLUG, public_status=NF),
    ("GET", V + "/calendar/{slug}/ical.ics"): Entry("public", SLUG, public_status=NF),
    ("GET", V + "/form/{slug}/submit/"): Entry("public", FORM_SLUG, public_status=NF),
    ("POST", V + "/form/{slug}/submit/"): Entry("public", FORM_SLUG, _row, public_status=NF),
    ("GET", V + "/form/{slug}/link-row-field-lookup/{field_id:int}/"): Entry(
        "public", {**FORM_SLUG, "field_id": "field"}, public_status=NF
    ),
    # An edit link's token is a secret: a made-up one opens nothing.
    ("GET", V + "/form/edit/{token}/"): Entry("public", {"token": ("views", "fake_token")}, public_status=NF),
    ("POST", V + "/form/edit/{token}/"): Entry("public", {"token": ("views", "fake_token")}, _row, public_status=NF),
    ("GET", V + "/grid/{view_id:int}/"): Entry("viewer", VIEW),
    ("GET", V + "/grid/{view_id:int}/field-aggregations/"): Entry("viewer", VIEW),
    # The victim's VIEW is a grid: allowed callers get 404 there; strangers must be refused all the same.
    ("GET", V + "/kanban/{view_id:int}/"): Entry("viewer", VIEW),
    ("GET", V + "/calendar/{view_id:int}/"): Entry(
        "viewer", VIEW, query={"from_timestamp": "2024-01-01T00:00:00Z", "to_timestamp": "2024-02-01T00:00:00Z"}
    ),
    ("GET", V + "/grid/{view_id:int}/field-aggregation/{field_id:int}/"): Entry(
        "viewer", {**VIEW, "field_id": "field"}
    ),
    ("GET", V + "/grid/{slug}/public/field-aggregations/"): Entry("public", SLUG, public_status=NF),
    # --- webhooks and live updates (nocodedb/api/webhooks.py, nocodedb/api/live.py) ----------------
    ("GET", "/api/database/webhooks/table/{table_id:int}/"): Entry("builder", TABLE),
    ("POST", "/api/database/webhooks/table/{table_id:int}/"): Entry(
        "builder", TABLE, lambda w: {"url": "https://example.org/hook", "include_all_events": True}
    ),
    ("POST", "/api/database/webhooks/table/{table_id:int}/test-call/"): Entry(
        "builder", TABLE, lambda w: {"url": "https://example.org/hook"}
    ),
    # The World has no webhook of the victim yet: the victim's row id stands in for a webhook id.
    ("GET", "/api/database/webhooks/{webhook_id:int}/"): Entry("builder", {"webhook_id": "row"}),
    ("PATCH", "/api/database/webhooks/{webhook_id:int}/"): Entry(
        "builder", {"webhook_id": "row"}, lambda w: {"active": False}
    ),
    ("DELETE", "/api/database/webhooks/{webhook_id:int}/"): Entry("builder", {"webhook_id": "row"}),
    ("GET", "/api/database/live/presence/table/{table_id:int}/"): Entry("viewer", TABLE),
    # --- formula editor and type-change preview (nocodedb/api/formula.py) -----------------------------
    ("POST", "/api/database/formula/{table_id:int}/type/"): Entry(
        "builder", TABLE, lambda w: {"formula": "1 + 1", "name": "Checked by a stranger"}
    ),
    ("GET", "/api/database/formula/functions/"): Entry("self"),
    ("POST", "/api/database/fields/{field_id:int}/type-change-preview/"): Entry(
        "builder", FIELD, lambda w: {"type": "number"}
    ),
    # --- row history and audit log (nocodedb/api/history.py, nocodedb/api/audit_log.py) ----------------
    ("GET", "/api/database/rows/table/{table_id:int}/{row_id:int}/history/"): Entry("viewer", ROW),
    ("GET", "/api/workspace/{workspace_id:int}/audit-log/"): Entry("admin", WS),
    # Instance-wide: only the staff (the instance's first account, the victim here) may read it.
    ("GET", "/api/admin/audit-log/"): Entry("admin"),
    # --- trash (nocodedb/api/trash.py) ------------------------------------------------------------------
    ("GET", "/api/trash/"): Entry("self"),
    ("GET", "/api/trash/workspace/{workspace_id:int}/"): Entry("viewer", WS),
    ("DELETE", "/api/trash/workspace/{workspace_id:int}/"): Entry("editor", WS),
    # The World's trash is empty: the victim's row id stands in for an entry id (and is not in the trash).
    ("DELETE", "/api/trash/entry/{entry_id:int}/"): Entry("editor", {"entry_id": "row"}),
    ("PATCH", "/api/trash/restore/"): Entry(
        "editor",
        body=lambda w: {"trash_item_type": "row", "trash_item_id": w.row, "parent_trash_item_id": w.table},
    ),
    # --- readable SQL views for BI tools (nocodedb/api/admin_sql_views.py) ------------------------------
    # Instance staff only (the victim): "owner" also has every member of the victim's workspace refused,
    # its admins included.
    ("GET", "/api/admin/sql-views/"): Entry("owner"),
    ("POST", "/api/admin/sql-views/"): Entry("owner"),
    # --- undo and redo (nocodedb/api/undo.py) -----------------------------------------------------------
    # Only the caller's own session's actions are ever touched: scopes naming the victim's table undo nothing.
    ("POST", "/api/user/undo/"): Entry("self", body=lambda w: {"scopes": {"table": w.table}}),
    ("POST", "/api/user/redo/"): Entry("self", body=lambda w: {"scopes": {"table": w.table}}),
    # --- the instance -------------------------------------------------------------------------------
    ("GET", "/api/health"): Entry("public", public_status=PUBLIC_OK),
    ("GET", "/api/schema.json"): Entry("public", public_status=PUBLIC_OK),
}
