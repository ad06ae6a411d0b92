"""Per-user flood protection that slows a bursting user without delaying anybody else.

Two parts work together:
- `PerChatProcessor` runs updates of different chats concurrently but those of one chat in order, so
  waiting for one chat never holds up another (and an edited question is handled after the question).
- `Flood` is a token bucket per user: a burst of `burst` updates is answered at once, after that one
  update per `1 / per_second` seconds. A slowed user with `notice_backlog` or more updates waiting gets
  one polite notice (someone who waits for each answer is just paced, never told off); updates beyond
  `max_backlog` waiting for the same chat are dropped (a button press is still answered).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user for inline queries), or None."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None


class PerChatProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._pending: defaultdict[int, int] = defaultdict(int)

    def pending(self, key: int) -> int:
        """How many updates of chat `key` are being handled or waiting."""
        return self._pending.get(key, 0)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        self._pending[key] += 1
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    notified: bool = False


class Flood:
    """Token buckets per user id."""

    def __init__(
        self,
        burst: int = 15,
        per_second: float = 2.0,
        max_backlog: int = 20,
        notice_backlog: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.per_second = per_second
        self.max_backlog = max_backlog
        self.notice_backlog = notice_backlog
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def delay(self, user_id: int, backlog: int = 1) -> tuple[float, bool]:
        """Take one token for `user_id`, who has `backlog` updates waiting (this one included):
        (seconds to wait before answering, whether to send the notice)."""
        now = self.clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.per_second)
        bucket.stamp = now
        bucket.tokens -= 1
        if bucket.tokens >= 0:
            bucket.notified = False
            if len(self._buckets) > 10_000:
                self._forget_idle(now)
            return 0.0, False
        wait = -bucket.tokens / self.per_second
        notify = backlog >= self.notice_backlog and not bucket.notified
        bucket.notified = bucket.notified or notify
        return wait, notify

    def _forget_idle(self, now: float) -> None:
        full = self.burst / self.per_second
        for user_id in [u for u, b in self._buckets.items() if now - b.stamp > full]:
            del self._buckets[user_id]
