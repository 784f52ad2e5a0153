"""The webhook worker: one per server process, started in the app's lifespan.

It claims due deliveries with SELECT ... FOR UPDATE SKIP LOCKED (so several processes share the queue
without sending a delivery twice at once) and leases them by moving next_attempt_at forward: a delivery
claimed by a process that dies is claimed again when the lease ends. At-least-once: a retry keeps the
delivery's event_id. Failures back off exponentially; a webhook failing max_failures calls in a row is
switched off, with the reason kept in last_error.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.db.schema import outbox, webhook_calls, webhook_deliveries, webhooks
from nocodedb.events.calls import CallResult, call_webhook
from nocodedb.net.addresses import Allowlist
from nocodedb.settings import Settings

log = logging.getLogger(__name__)
CLAIM_BATCH = 20


class WebhookWorker:
    def __init__(self, engine: AsyncEngine, settings: Callable[[], Settings]) -> None:
        self.engine = engine
        self.settings = settings  # read at each round: tests and reloads may change it
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_prune = float("-inf")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="ncdb-webhook-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
                await self._prune()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook worker round failed")
                sent = 0
            if sent:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings().events_poll_seconds)
            self.wake.clear()

    async def run_once(self) -> int:
        """Claim and send the due deliveries; return how many were sent (successfully or not)."""
        settings = self.settings()
        claimed = await self._claim(settings)
        if claimed:
            await asyncio.gather(*(self._deliver(settings, d) for d in claimed))
        return len(claimed)

    async def _claim(self, settings: Settings) -> list[Any]:
        lease = dt.timedelta(seconds=settings.webhook_timeout_seconds * 4 + 30)
        due = (
            select(webhook_deliveries.c.id)
            .where(webhook_deliveries.c.state == "pending", webhook_deliveries.c.next_attempt_at <= func.now())
            .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
            .limit(CLAIM_BATCH)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        async with self.engine.begin() as conn:
            claimed = await conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id.in_(due))
                .values(attempts=webhook_deliveries.c.attempts + 1, next_attempt_at=func.now() + lease)
                .returning(webhook_deliveries)
            )
            return list(claimed.all())

    async def _deliver(self, settings: Settings, delivery: Any) -> None:
        async with self.engine.connect() as conn:
            hook = (await conn.execute(select(webhooks).where(webhooks.c.id == delivery.webhook_id))).one_or_none()
        if hook is None or not hook.active:
            await self._finish(delivery.id, "skipped")
            return
        result = await call_webhook(
            url=hook.url,
            method=hook.request_method,
            headers=hook.headers,
            secret=hook.secret,
            body=delivery.body,
            allowlist=Allowlist.parse(settings.webhook_allowed_hosts),
            timeout=settings.webhook_timeout_seconds,
        )
        await self._record(settings, hook, delivery, result)

    async def _finish(self, delivery_id: int, state: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == delivery_id)
                .values(state=state, finished_at=func.now())
            )

    async def _record(self, settings: Settings, hook: Any, delivery: Any, result: CallResult) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(webhook_calls).values(
                    webhook_id=hook.id,
                    delivery_id=delivery.id,
                    event_id=str(delivery.event_id),
                    event_type=delivery.event_type,
                    called_url=hook.url,
                    request=result.request,
                    response=result.response,
                    response_status=result.status,
                    error=result.error,
                )
            )
            kept = (
                select(webhook_calls.c.id)
                .where(webhook_calls.c.webhook_id == hook.id)
                .order_by(webhook_calls.c.id.desc())
                .limit(settings.webhook_calls_kept)
            )
            await conn.execute(
                delete(webhook_calls).where(webhook_calls.c.webhook_id == hook.id, webhook_calls.c.id.not_in(kept))
            )
            if result.ok:
                await conn.execute(
                    update(webhooks).where(webhooks.c.id == hook.id).values(failed_triggers=0, last_error=None)
                )
                await conn.execute(
                    update(webhook_deliveries)
                    .where(webhook_deliveries.c.id == delivery.id)
                    .values(state="delivered", finished_at=func.now())
                )
                return
            failures = (
                await conn.execute(
                    update(webhooks)
                    .where(webhooks.c.id == hook.id)
                    .values(failed_triggers=webhooks.c.failed_triggers + 1, last_error=result.error)
                    .returning(webhooks.c.failed_triggers)
                )
            ).scalar_one()
            switched_off = failures >= settings.webhook_max_failures
            if switched_off:
                await conn.execute(
                    update(webhooks)
                    .where(webhooks.c.id == hook.id)
                    .values(
                        active=False,
                        last_error=f"Switched off after {failures} failed calls in a row; last: {result.error}",
                    )
                )
            if switched_off or delivery.attempts >= settings.webhook_max_attempts:
                values: dict[str, Any] = {"state": "failed", "finished_at": func.now()}
            else:
                delay = settings.webhook_backoff_seconds * 2 ** (delivery.attempts - 1)
                values = {"next_attempt_at": func.now() + dt.timedelta(seconds=delay)}
            await conn.execute(
                update(webhook_deliveries).where(webhook_deliveries.c.id == delivery.id).values(**values)
            )

    async def _prune(self) -> None:
        """Every few minutes: drop outbox rows and finished deliveries older than events_keep_hours."""
        now = asyncio.get_running_loop().time()
        if now - self._last_prune < 300:
            return
        self._last_prune = now
        keep = dt.timedelta(hours=self.settings().events_keep_hours)
        async with self.engine.begin() as conn:
            await conn.execute(delete(outbox).where(outbox.c.created_at < func.now() - keep))
            await conn.execute(
                delete(webhook_deliveries).where(
                    webhook_deliveries.c.state != "pending", webhook_deliveries.c.finished_at < func.now() - keep
                )
            )
