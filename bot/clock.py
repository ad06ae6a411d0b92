"""What time it is, asked in one place: schedules and digests read a Clock, so tests can move time on.

`Clock` is the wall clock. `ManualClock` stands still until `advance()` moves it; its `sleep()` returns as
soon as the clock has been moved past the wake-up time (or at once for a zero wait), so a test can walk a
week of digests in milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo


class Clock:
    """The wall clock (UTC-aware datetimes), and a sleep that a schedule can be woken from."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def local(self, zone: ZoneInfo) -> dt.datetime:
        """Now in `zone` (the bot's `timezone` setting)."""
        return self.now().astimezone(zone)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ManualClock(Clock):
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a ManualClock needs an aware datetime")
        self._now = start.astimezone(dt.UTC)
        self._moved = asyncio.Condition()

    def now(self) -> dt.datetime:
        return self._now

    async def advance(self, seconds: float = 0.0, *, to: dt.datetime | None = None) -> None:
        """Move time on by `seconds` (or to `to`) and wake every sleeper whose time has come."""
        target = to.astimezone(dt.UTC) if to is not None else self._now + dt.timedelta(seconds=seconds)
        self._now = max(self._now, target)
        async with self._moved:
            self._moved.notify_all()
        await asyncio.sleep(0)  # let the woken tasks run before the test goes on

    async def sleep(self, seconds: float) -> None:
        wake_at = self._now + dt.timedelta(seconds=max(0.0, seconds))
        async with self._moved:
            await self._moved.wait_for(lambda: self._now >= wake_at)
