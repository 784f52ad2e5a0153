"""Background housekeeping run by every server process: retention purges of the trash, row history and undo.

One runner for all of them, so each job is just "what to do once"; a failing turn is logged and the next
turn comes as usual (a background task must outlive one bad turn).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


async def _repeat(name: str, every_seconds: float, job: Job) -> None:
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(every_seconds)


class Periodic:
    """Jobs run once at start and then every `every_seconds`, until stop()."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, every_seconds: float, job: Job) -> None:
        self._tasks.append(asyncio.create_task(_repeat(name, every_seconds, job), name=f"ncdb-{name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
