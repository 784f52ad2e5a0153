"""Public forms: the metadata a visitor sees, and a submission that creates one row and nothing else.

Only fields enabled on the form can be written: any other key, even a real field's, refuses the whole
submission. Select fields may offer a subset of their options; a field shown only when earlier answers
match (the same filter types as views, evaluated in Python by views/evaluate.py) is ignored when they
do not. Link fields offer the linked table's rows by primary value only.

Writes go through the rows service with an actor scoped to this one table and operation (a visitor has
no account), so links and computed fields are handled as for any other write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import Field, FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import databases, tables
from nocodedb.queries.rows import FieldSet
from nocodedb.services import rows as row_service
from nocodedb.services.actor import Actor, ActorKind, TokenScope
from nocodedb.services.rows import prepare_values
from nocodedb.services.view_public import public_field_json
from nocodedb.services.views import view_types
from views.evaluate import evaluate_tree
from views.filters import FilterType

EMPTY = (None, "", [], {})


def scoped_actor(
    workspace_id: int,
    table_id: int,
    operation: str,
    ip: str | None,
    kind: ActorKind = "form",
    label: str | None = None,
) -> Actor:
    """An actor that may do one row operation on one table and nothing else (public forms, edit links)."""
    scope = TokenScope(
        token_id=0,
        workspace_id=workspace_id,
        user_id=0,
        permissions={operation: [["table", table_id]]},
        creator_role="editor",
    )
    return Actor(user_id=None, token=scope, ip=ip, kind=kind, label=label)


async def table_workspace(conn: AsyncConnection, table_id: int) -> int:
    found = await conn.execute(
        select(databases.c.workspace_id)
        .join(tables, databases.c.id == tables.c.database_id)
        .where(tables.c.id == table_id)
    )
    return int(found.scalar_one())


def form_fields(row: Any, table_fields: list[Field]) -> list[tuple[Field, dict[str, Any]]]:
    view_type = view_types().get("form")
    shown = view_type.visible_fields(table_fields, row.field_options or {})
    options = view_type.field_options_for(table_fields, row.field_options or {})
    return [(f, options[str(f.id)]) for f in shown]


def _limited_field_json(f: Field, opts: dict[str, Any], field_types: Registry[FieldType]) -> dict[str, Any]:
    out = public_field_json(f, field_types)
    if "select_options" in out and not opts.get("include_all_select_options", True):
        allowed = set(opts.get("allowed_select_options") or [])
        out["select_options"] = [o for o in out["select_options"] if o.get("id") in allowed]
    return out


def _query_value(params: dict[str, str], prefix: str, f: Field) -> str | None:
    wanted = f.name.strip().lower()
    for key, value in params.items():
        if key.startswith(prefix) and key[len(prefix) :].replace("_", " ").strip().lower() in (
            wanted,
            wanted.replace("_", " "),
        ):
            return value
    return None


def form_metadata(
    row: Any,
    table_fields: list[Field],
    field_types: Registry[FieldType],
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the form page shows; ?prefill_<name>=value and ?hide_<name> mark fields."""
    options = view_types().get("form").options_model.model_validate(row.options or {}).model_dump(mode="json")
    params = params or {}
    entries = []
    for f, opts in form_fields(row, table_fields):
        entry = {
            "field": _limited_field_json(f, opts, field_types),
            "name": opts.get("name") or f.name,
            "description": opts.get("description", ""),
            "required": bool(opts.get("required")),
            "order": opts.get("order"),
            "show_when_matching_conditions": bool(opts.get("show_when_matching_conditions")),
            "condition_type": opts.get("condition_type", "AND"),
            "conditions": opts.get("conditions", []),
        }
        prefill = _query_value(params, "prefill_", f)
        if prefill is not None:
            entry["prefill"] = prefill
            entry["hidden"] = _query_value(params, "hide_", f) is not None
        entries.append(entry)
    return {
        "title": options["title"],
        "description": options["description"],
        "submit_text": options["submit_text"],
        "mode": "form",
        "fields": entries,
    }


def _is_empty(value: Any) -> bool:
    return value in EMPTY


def check_submission(
    row: Any,
    table_fields: list[Field],
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    body: Any,
    *,
    require: bool = True,
) -> dict[str, Any]:
    """The submission's API values by field_<id>, checked; RequestBodyInvalid naming each bad key."""
    if not isinstance(body, dict):
        raise errors.RequestBodyInvalid("A submission must be a JSON object.")
    on_form = form_fields(row, table_fields)
    by_key = {f"field_{f.id}": (f, opts) for f, opts in on_form}
    problems: dict[str, list[dict[str, str]]] = {}
    for key in body:
        if key not in by_key:
            problems[str(key)[:100]] = [{"error": "This field is not on the form.", "code": "not_on_form"}]
    if problems:
        raise errors.RequestBodyInvalid(problems)
    stored, value_problems = prepare_values(
        body, FieldSet([f for f, _ in on_form]), field_types, user_field_names=False
    )
    problems.update(value_problems)
    for key, (f, opts) in by_key.items():
        if key in body and "select_options" in f.options and not opts.get("include_all_select_options", True):
            allowed = set(opts.get("allowed_select_options") or [])
            chosen = stored.get(f.key)
            chosen_ids = chosen if isinstance(chosen, list) else [chosen] if chosen is not None else []
            if any(i not in allowed for i in chosen_ids):
                problems[key] = [{"error": "This option is not offered on the form.", "code": "invalid_choice"}]
    if problems:
        raise errors.RequestBodyInvalid(problems)
    by_id = {f.id: f for f in table_fields}
    now = dt.datetime.now(dt.UTC)
    accepted: dict[str, Any] = {}
    for key, (_f, opts) in by_key.items():
        if opts.get("show_when_matching_conditions") and opts.get("conditions"):
            tree = {"filter_type": opts.get("condition_type", "AND"), "filters": opts["conditions"]}
            if not evaluate_tree(tree, stored, by_id.get, field_types, filter_types, now):
                continue  # the field was not shown: its value is ignored and it is not required
        # A new row needs every required answer; an edit only refuses emptying one.
        if opts.get("required") and (require or key in body) and _is_empty(body.get(key)):
            problems[key] = [{"error": "This field is required.", "code": "required"}]
        if key in body:
            accepted[key] = body[key]
    if problems:
        raise errors.RequestBodyInvalid(problems)
    return accepted


def after_submit(row: Any, row_id: int) -> dict[str, Any]:
    options = view_types().get("form").options_model.model_validate(row.options or {}).model_dump(mode="json")
    url = options["submit_action_redirect_url"].replace("{row_id}", quote(str(row_id)))
    return {
        "row_id": row_id,
        "submit_action": options["submit_action"],
        "submit_action_message": options["submit_action_message"],
        "submit_action_redirect_url": url,
    }


async def submit(
    conn: AsyncConnection,
    field_types: Registry[FieldType],
    filter_types: Registry[FilterType],
    row: Any,
    table_fields: list[Field],
    body: Any,
    ip: str | None,
) -> dict[str, Any]:
    accepted = check_submission(row, table_fields, field_types, filter_types, body)
    workspace_id = await table_workspace(conn, row.table_id)
    actor = scoped_actor(workspace_id, row.table_id, "create", ip, "form", row.name)
    _, records = await row_service.create_rows(
        conn, field_types, actor, row.table_id, [accepted], user_field_names=False, filter_types=filter_types
    )
    return after_submit(row, records[0].id)
