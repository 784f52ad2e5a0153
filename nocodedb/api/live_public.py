"""What a shared view's visitor is told over /ws/: only rows the view's filters let through.

Messages stay ids-only (the visitor fetches rows from the public rows endpoint, which shows visible fields
only). A created row outside the view is not announced at all; an updated row outside it is announced as
`rows.deleted` with `"left_view": true`, since it may have just left the view. One query per event and
view answers every visitor of that view in this process.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from nocodedb import errors
from nocodedb.context import AppContext
from nocodedb.db.schema import rows, views
from nocodedb.services.metadata import load_fields
from nocodedb.services.view_rows import view_conditions

log = logging.getLogger(__name__)
# Answers kept per (event, view): enough for every visitor's queue to catch up, small enough to forget.
KEPT_ANSWERS = 256
_answers: OrderedDict[tuple[int, int], asyncio.Task[set[int]]] = OrderedDict()


async def rows_in_view(ctx: AppContext, view_id: int, table_id: int, ids: list[int]) -> set[int]:
    """Which of these rows the view's filters show now; none when the view or its filter cannot be read."""
    try:
        async with ctx.engine.connect() as conn:
            view = (await conn.execute(select(views).where(views.c.id == view_id))).one_or_none()
            if view is None or view.table_id != table_id:
                return set()
            conditions = view_conditions(view, await load_fields(conn, table_id), ctx.field_types, ctx.filter_types)
            found = await conn.execute(
                select(rows.c.id).where(rows.c.table_id == table_id, rows.c.id.in_(ids), *conditions)
            )
            return {int(i) for i in found.scalars()}
    except (errors.APIError, SQLAlchemyError, OSError):
        # Telling a visitor too little is safe: it refetches on its next change or resync.
        log.warning("cannot check rows %s against shared view %s", ids[:5], view_id, exc_info=True)
        return set()


def _shared_answer(
    ctx: AppContext, event_id: int, view_id: int, table_id: int, ids: list[int]
) -> asyncio.Task[set[int]]:
    key = (event_id, view_id)
    task = _answers.get(key)
    if task is None:
        task = asyncio.create_task(rows_in_view(ctx, view_id, table_id, ids), name=f"ncdb-live-view-{view_id}")
        _answers[key] = task
        while len(_answers) > KEPT_ANSWERS:
            _answers.popitem(last=False)
    return task


async def visitor_messages(ctx: AppContext, view_id: int, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages a visitor of this view gets for one hub message (rows events cut to the view)."""
    kind = message.get("type")
    if kind not in ("rows.created", "rows.updated") or not message.get("row_ids"):
        return [message]
    ids = list(message["row_ids"])
    # Shielded: one visitor leaving must not cancel the answer the others wait for.
    inside = await asyncio.shield(_shared_answer(ctx, int(message["event_id"]), view_id, message["table_id"], ids))
    out: list[dict[str, Any]] = []
    kept = [i for i in ids if i in inside]
    if kept:
        out.append({**message, "row_ids": kept})
    left = [i for i in ids if i not in inside]
    if left and kind == "rows.updated":
        base = {k: message[k] for k in ("table_id", "event_id")}
        out.append({"type": "rows.deleted", **base, "row_ids": left, "left_view": True})
    return out
