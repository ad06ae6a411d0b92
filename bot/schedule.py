"""Scheduled announcements: started on time, once, also after a restart.

A scheduled announcement is an item with status 'scheduled' and a due time in the store. The `Scheduler`
task sleeps on the `Clock` until the soonest due time, and is woken at once when a schedule is added or
cancelled in this process (`wake()`); it also looks at the store every `recheck` seconds of real time, for
schedules added from the shell (`newsbot announce --at`). A due announcement is queued for delivery (the
store's status change from 'scheduled' to 'queued' happens once, atomically, so it is never sent twice).
One whose time passed more than `grace` seconds ago — the bot was not running then — is marked 'missed' and
reported instead, never dropped in silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock
from bot.store import Item, Store

log = logging.getLogger(__name__)


class Scheduler:
    """Starts scheduled announcements when they are due; `start()` runs it, `stop()` ends it."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        grace: float,
        on_started: Callable[[Item, int], None],
        on_missed: Callable[[Item], Awaitable[None]],
        recheck: float = 1.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.grace = grace
        self.on_started = on_started
        self.on_missed = on_missed
        self.recheck = recheck
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        """A schedule was added or cancelled: look at the store again now."""
        self._wake.set()

    async def run_due(self) -> int:
        """Start (or report as missed) every announcement due by now; returns how many were started."""
        now = self.clock.now().timestamp()
        started = 0
        for item in self.store.scheduled():
            if item.due is None or item.due > now:
                break
            if now - item.due > self.grace:
                if self.store.miss_announcement(item.id):
                    log.warning("scheduled announcement %s missed: due %.0f s ago", item.id, now - item.due)
                    await self.on_missed(item)
                continue
            count = self.store.queue_announcement(item.id, scheduled=True)
            if count is not None:
                log.info("scheduled announcement %s started, %.3f s after its time", item.id, now - item.due)
                self.on_started(item, count)
                started += 1
        return started

    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                await self.run_due()
                await self._sleep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler step failed; trying again shortly")
                await asyncio.sleep(self.recheck)

    async def _sleep(self) -> None:
        """Until the next due time (on the clock), a wake-up, or `recheck` seconds, whichever comes first."""
        due = self.store.next_due()
        waits = [asyncio.ensure_future(self._wake.wait())]
        if due is not None:
            waits.append(asyncio.ensure_future(self.clock.sleep(due - self.clock.now().timestamp())))
        try:
            await asyncio.wait(waits, timeout=self.recheck, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*waits, return_exceptions=True)
