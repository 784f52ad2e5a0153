"""Webhooks as a service: create, list, update, delete, test-call; Baserow's shapes and rules."""

from __future__ import annotations

import re
from typing import Any, Literal

import httpx
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from fields import FieldType, Registry
from nocodedb import errors
from nocodedb.db.schema import webhook_calls, webhooks
from nocodedb.events.calls import call_webhook
from nocodedb.events.signing import new_secret
from nocodedb.net.addresses import Allowlist, literal_ip, refusal
from nocodedb.queries.rows import FieldSet
from nocodedb.services.actor import Actor, TableScope, table_scope
from nocodedb.services.metadata import load_fields

MAX_PER_TABLE = 20
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
EVENT_TYPES = (
    "rows.created",
    "rows.updated",
    "rows.deleted",
    "field.created",
    "field.updated",
    "field.deleted",
    "view.created",
    "view.updated",
    "view.deleted",
)
Method = Literal["POST", "GET", "PUT", "PATCH", "DELETE"]


class EventConfig(BaseModel):
    event_type: str
    fields: list[int] = Field(default_factory=list, max_length=500)
    views: list[int] = Field(default_factory=list, max_length=100)


class WebhookPatch(BaseModel):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    name: str | None = Field(default=None, max_length=255)
    request_method: Method | None = None
    headers: dict[str, str] | None = None
    include_all_events: bool | None = None
    events: list[str] | None = Field(default=None, max_length=len(EVENT_TYPES))
    events_config: list[EventConfig] | None = Field(default=None, max_length=len(EVENT_TYPES))
    event_config: list[EventConfig] | None = Field(default=None, max_length=len(EVENT_TYPES))
    use_user_field_names: bool | None = None
    active: bool | None = None

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: list[str] | None) -> list[str] | None:
        unknown = [e for e in value or [] if e not in EVENT_TYPES]
        if unknown:
            raise ValueError(f"Unknown event types {unknown}; known: {', '.join(EVENT_TYPES)}.")
        return value

    @field_validator("headers")
    @classmethod
    def _small_headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is not None and (len(value) > 30 or any(len(k) + len(v) > 4000 for k, v in value.items())):
            raise ValueError("At most 30 headers, each under 4,000 characters.")
        if value is not None and any("\n" in k + v or "\r" in k + v for k, v in value.items()):
            raise ValueError("Headers may not contain line breaks.")
        if value is not None and not all(HEADER_NAME.match(k) for k in value):
            raise ValueError("A header name may hold letters, digits and !#$%&'*+.^_`|~- only.")
        return value


class WebhookCreate(WebhookPatch):
    url: str = Field(min_length=1, max_length=2000)  # type: ignore[assignment]


class TestCall(BaseModel):
    url: str = Field(min_length=1, max_length=2000)
    request_method: Method = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    use_user_field_names: bool = True


def check_url(url: str, allowlist: Allowlist) -> None:
    """Refuse at once what can never be called; hosts are resolved and checked again at every call."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        raise errors.RequestBodyInvalid({"url": [{"error": "The URL is not valid.", "code": "invalid"}]}) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise errors.RequestBodyInvalid({"url": [{"error": "An http or https URL is required.", "code": "invalid"}]})
    ip = literal_ip(parsed.host)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if ip is not None and refusal(ip) and not allowlist.allows_ip(ip, port):
        raise errors.WebhookURLNotAllowed(f"The address {ip} is not public.")


def _config(patch: WebhookPatch) -> list[dict[str, Any]] | None:
    chosen = patch.events_config if patch.events_config is not None else patch.event_config
    return None if chosen is None else [c.model_dump() for c in chosen]


def _values(patch: WebhookPatch) -> dict[str, Any]:
    given = patch.model_dump(exclude_unset=True, exclude={"events_config", "event_config"})
    config = _config(patch)
    if config is not None:
        given["events_config"] = config
    return {k: v for k, v in given.items() if v is not None}


async def webhook_json(conn: AsyncConnection, hook: Any) -> dict[str, Any]:
    calls = await conn.execute(
        select(webhook_calls).where(webhook_calls.c.webhook_id == hook.id).order_by(webhook_calls.c.id.desc())
    )
    return {
        "id": hook.id,
        "table_id": hook.table_id,
        "name": hook.name,
        "url": hook.url,
        "request_method": hook.request_method,
        "headers": hook.headers,
        "include_all_events": hook.include_all_events,
        "events": hook.events,
        "events_config": hook.events_config,
        "event_config": hook.events_config,
        "use_user_field_names": hook.use_user_field_names,
        "active": hook.active,
        "failed_triggers": hook.failed_triggers,
        "last_error": hook.last_error,
        "secret": hook.secret,
        "created_on": hook.created_at.isoformat(),
        "updated_on": hook.updated_at.isoformat(),
        "calls": [
            {
                "id": c.id,
                "event_id": str(c.event_id) if c.event_id else None,
                "event_type": c.event_type,
                "called_time": c.called_at.isoformat(),
                "called_url": c.called_url,
                "request": c.request,
                "response": c.response,
                "response_status": c.response_status,
                "error": c.error,
            }
            for c in calls
        ],
    }


async def _load(conn: AsyncConnection, actor: Actor, webhook_id: int, *, lock: bool = False) -> tuple[Any, TableScope]:
    query = select(webhooks).where(webhooks.c.id == webhook_id)
    hook = (await conn.execute(query.with_for_update() if lock else query)).one_or_none()
    if hook is None:
        raise errors.WebhookNotFound()
    try:
        scope = await table_scope(conn, actor, hook.table_id, minimum="builder")
    except (errors.TableNotFound, errors.UserNotInWorkspace):
        raise errors.WebhookNotFound() from None
    return hook, scope


async def list_webhooks(conn: AsyncConnection, actor: Actor, table_id: int) -> list[dict[str, Any]]:
    await table_scope(conn, actor, table_id, minimum="builder")
    found = await conn.execute(select(webhooks).where(webhooks.c.table_id == table_id).order_by(webhooks.c.id))
    return [await webhook_json(conn, h) for h in found]


async def create_webhook(
    conn: AsyncConnection, actor: Actor, table_id: int, body: WebhookCreate, allowlist: Allowlist
) -> dict[str, Any]:
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    check_url(body.url, allowlist)
    count = (await conn.execute(select(func.count()).where(webhooks.c.table_id == table_id))).scalar_one()
    if count >= MAX_PER_TABLE:
        raise errors.WebhookLimitReached(f"A table has at most {MAX_PER_TABLE} webhooks.")
    values = {
        "name": "",
        "request_method": "POST",
        "headers": {},
        "include_all_events": True,
        "events": [],
        "events_config": [],
        "use_user_field_names": True,
        "active": True,
        **_values(body),
    }
    hook = (
        await conn.execute(
            insert(webhooks)
            .values(
                table_id=table_id,
                database_id=scope.database_id,
                secret=new_secret(),
                failed_triggers=0,
                created_by=actor.user_id,
                **values,
            )
            .returning(webhooks)
        )
    ).one()
    return await webhook_json(conn, hook)


async def get_webhook(conn: AsyncConnection, actor: Actor, webhook_id: int) -> dict[str, Any]:
    hook, _ = await _load(conn, actor, webhook_id)
    return await webhook_json(conn, hook)


async def update_webhook(
    conn: AsyncConnection, actor: Actor, webhook_id: int, body: WebhookPatch, allowlist: Allowlist
) -> dict[str, Any]:
    hook, _ = await _load(conn, actor, webhook_id, lock=True)
    values = _values(body)
    if "url" in values:
        check_url(values["url"], allowlist)
    if values.get("active") and not hook.active:
        values.update(failed_triggers=0, last_error=None)  # switched back on: a fresh start
    updated = (
        await conn.execute(
            update(webhooks)
            .where(webhooks.c.id == webhook_id)
            .values(**values, updated_at=func.now())
            .returning(webhooks)
        )
    ).one()
    return await webhook_json(conn, updated)


async def delete_webhook(conn: AsyncConnection, actor: Actor, webhook_id: int) -> None:
    await _load(conn, actor, webhook_id, lock=True)
    await conn.execute(delete(webhooks).where(webhooks.c.id == webhook_id))


async def test_payload(
    conn: AsyncConnection,
    actor: Actor,
    table_id: int,
    body: TestCall,
    field_types: Registry[FieldType],
    allowlist: Allowlist,
) -> dict[str, Any]:
    """The example rows.created body of a test call (the call itself is made outside the transaction)."""
    scope = await table_scope(conn, actor, table_id, minimum="builder")
    check_url(body.url, allowlist)
    fieldset = FieldSet(await load_fields(conn, table_id))
    example: dict[str, Any] = {"id": 0, "order": "1.00000000000000000000"}
    for f in fieldset.fields:
        example[fieldset.api_key(f, body.use_user_field_names)] = field_types.get(f.type).empty_api_value(f)
    return {
        "table_id": table_id,
        "database_id": scope.database_id,
        "workspace_id": scope.workspace_id,
        "webhook_id": 0,
        "event_id": "00000000-0000-0000-0000-000000000000",
        "event_type": "rows.created",
        "items": [example],
    }


async def send_test(body: TestCall, payload: dict[str, Any], allowlist: Allowlist, timeout: float) -> dict[str, Any]:
    result = await call_webhook(
        url=body.url,
        method=body.request_method,
        headers=body.headers,
        secret=new_secret(),
        body=payload,
        allowlist=allowlist,
        timeout=timeout,
    )
    return {
        "request": result.request,
        "response": result.response,
        "status_code": result.status,
        "is_unreachable": result.unreachable,
        "error": result.error,
    }
