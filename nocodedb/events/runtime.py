"""What the app's lifespan starts and stops: the outbox listener, the live hub and the webhook worker."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from nocodedb.events.hub import LiveHub
from nocodedb.events.listener import OutboxListener, asyncpg_dsn
from nocodedb.events.worker import WebhookWorker
from nocodedb.settings import Settings


class EventsRuntime:
    def __init__(self, engine: AsyncEngine, settings: Callable[[], Settings]) -> None:
        self.hub = LiveHub()
        self.worker = WebhookWorker(engine, settings)
        self.listener = OutboxListener(
            asyncpg_dsn(engine.url),
            self.hub.publish,
            self.hub.resync_all,
            on_webhooks=self.worker.wake.set,
            wanted=lambda: bool(self.hub.by_table),
        )

    def start(self) -> None:
        self.listener.start()
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
        await self.listener.stop()
