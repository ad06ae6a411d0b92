"""One pacer for everything the bot sends: answers, edits and broadcasts share Telegram's limits.

Telegram lets a bot send about 30 messages a second overall and about one a second into one chat (20 a
minute into a group); beyond that it answers 429 with ``retry_after``. The policy:

- Every message-sending call (``send*`` except chat actions, ``edit*``, ``copy*``, ``forward*``) waits
  for its turn BEFORE it is made: global turns are evenly spaced a little under the limit, and a chat's
  next turn comes one chat interval after its last message.
- Turns go to answers first: a broadcast (the delivery engine) gets a turn only when no answer that may
  go now is waiting, so a running broadcast slows down while members are answered. Among equals, first
  come, first served.
- A 429 pauses every turn until ``retry_after`` has passed (one log line per pause); the answer that got
  it takes a new turn after the pause and is sent again, so under a surge answers are late, never lost.
  Only an answer paused for longer than `REPLY_PATIENCE` in all is given up.
- An answer that fails on a 5xx or a timeout is sent once more (never after a 4xx: Telegram refused it);
  broadcasts have their own retries with backoff in the delivery engine.

`Pacer` hands out the turns; `PacingLimiter` is the PTB rate limiter that makes the Application's
bot take them (the delivery engine takes its own turns, marked with `broadcasting()`).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import contextvars
import datetime as dt
import itertools
import logging
import time
import warnings
from collections.abc import Callable, Coroutine, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.settings import DeliveryLimits

log = logging.getLogger(__name__)

REPLY, BROADCAST = 0, 1  # priorities: lower goes first
REPLY_PATIENCE = 120.0  # seconds of flood-control pauses an answer waits out before it is given up
RETRY_PAUSE = 0.5  # seconds before an answer that failed on a 5xx or a timeout is sent again

# Set while the delivery engine sends: its calls have taken their turn already.
_BROADCASTING: contextvars.ContextVar[bool] = contextvars.ContextVar("broadcasting", default=False)


@contextlib.contextmanager
def broadcasting() -> Iterator[None]:
    """Mark the calls made inside as a broadcast's (they took their turn from the pacer)."""
    token = _BROADCASTING.set(True)
    try:
        yield
    finally:
        _BROADCASTING.reset(token)


def counted(endpoint: str) -> bool:
    """Whether a Bot API method sends or changes a message (and so counts against the limits)."""
    name = endpoint.lower()
    return name.startswith(("send", "edit", "copy", "forward")) and name != "sendchataction"


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass(order=True)
class _Waiter:
    priority: int
    number: int
    chat_id: Hashable | None = field(compare=False)
    granted: asyncio.Future = field(compare=False)


class Pacer:
    """Turns under the global and per-chat limits, answers first (see the module docstring).

    `headroom` keeps the global rate a little under the limit, so that network jitter never pushes two
    sends closer than the server's sliding window allows. A dispatcher that fell behind (a busy event
    loop wakes late) may catch up by `burst` turns, 2% of a second's limit: any one-second window still
    sees at most 99% of the limit."""

    def __init__(
        self, limits: DeliveryLimits, *, headroom: float = 0.97, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = 1.0 / (limits.global_per_second * headroom)
        self.slack = (max(1, int(limits.global_per_second * 0.02)) - 1) * self.interval
        self.chat_interval = 1.0 / (limits.per_chat_per_second * headroom)
        self.group_interval = 60.0 / (limits.group_per_minute * headroom)
        self.clock = clock
        self.next_slot = 0.0
        self.paused_until = 0.0
        self.chat_ready: dict[Hashable, float] = {}
        self._waiting: list[_Waiter] = []
        self._numbers = itertools.count()
        self._changed: asyncio.Event | None = None
        self._dispatcher: asyncio.Task | None = None

    # what callers use -----------------------------------------------------------------------------

    async def turn(self, chat_id: Hashable | None, *, priority: int = REPLY) -> None:
        """Wait until a message to `chat_id` (None: no chat, e.g. an inline message) may be sent now."""
        waiter = _Waiter(priority, next(self._numbers), chat_id, asyncio.get_running_loop().create_future())
        bisect.insort(self._waiting, waiter)
        self._wake()
        try:
            await waiter.granted
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)
            self._wake()
            raise

    @property
    def waiting(self) -> int:
        """How many messages are waiting for their turn."""
        return len(self._waiting)

    def chat_wait(self, chat_id: Hashable) -> float:
        """Seconds until `chat_id` may receive another message (0 = now)."""
        return max(0.0, self.chat_ready.get(chat_id, 0.0) - self.clock())

    def pause(self, seconds: float) -> None:
        """Flood control from the server: no turn before `seconds` from now (logged once per pause)."""
        until = self.clock() + seconds
        if until > self.paused_until + 0.5:
            log.warning("flood control: Telegram asked to wait %.0f s; sending pauses until then", seconds)
        self.paused_until = max(self.paused_until, until)

    # the dispatcher -------------------------------------------------------------------------------

    def _wake(self) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        self._changed.set()
        if self._waiting and (self._dispatcher is None or self._dispatcher.done()):
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch(), name="send-turns")

    async def _dispatch(self) -> None:
        """Grant turns while anybody waits: the first waiter (by priority, then arrival) whose chat is
        ready gets the next global slot."""
        while self._waiting:
            now = self.clock()
            slot = max(now - self.slack, self.next_slot, self.paused_until)
            if slot > now:
                await self._nap(slot - now)
                continue
            chosen, soonest = None, float("inf")
            for waiter in self._waiting:
                ready = self.chat_ready.get(waiter.chat_id, 0.0) if waiter.chat_id is not None else 0.0
                if ready <= now:
                    chosen = waiter
                    break
                soonest = min(soonest, ready)
            if chosen is None:
                await self._nap(soonest - now)
                continue
            self._waiting.remove(chosen)
            self.next_slot = slot + self.interval
            if chosen.chat_id is not None:
                self._chat_used(chosen.chat_id, now)
            if not chosen.granted.done():
                chosen.granted.set_result(None)

    async def _nap(self, seconds: float) -> None:
        """Sleep `seconds`, or less when a waiter arrives or leaves."""
        assert self._changed is not None
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout=max(seconds, 0.001))

    def _chat_used(self, chat_id: Hashable, now: float) -> None:
        group = not isinstance(chat_id, int) or chat_id < 0
        self.chat_ready[chat_id] = now + (self.group_interval if group else self.chat_interval)
        if len(self.chat_ready) > 50_000:
            self.chat_ready = {c: t for c, t in self.chat_ready.items() if t > now}


class PacingLimiter(BaseRateLimiter):
    """The Application bot's rate limiter: every message-sending call takes its turn from the
    `Pacer` first (answers before broadcasts), waits out flood control and is sent again, and an
    answer that met a 5xx or a timeout is sent once more."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Any,
    ) -> Any:
        if _BROADCASTING.get():  # the engine took the turn and handles failures itself
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self.pacer.pause(retry_seconds(exc))
                raise
        if endpoint.lower() == "getupdates":
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id") if counted(endpoint) else None
        paused = 0.0
        retried = False
        while True:
            if counted(endpoint):
                await self.pacer.turn(chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self.pacer.pause(seconds)
                paused += seconds
                if paused > REPLY_PATIENCE:
                    raise
                if not counted(endpoint):
                    await asyncio.sleep(seconds)
            except BadRequest:
                raise
            except NetworkError as exc:  # a 5xx or a timeout: the answer may be worth a second try
                if retried:
                    raise
                retried = True
                log.warning("%s failed (%s); sending it once more", endpoint, exc or type(exc).__name__)
                await asyncio.sleep(RETRY_PAUSE)
