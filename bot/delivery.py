"""The delivery engine: a persistent, rate-limited, resumable queue of outgoing messages.

Post notifications, admin announcements, digest pages and posts for the channel are rows in the store's
`deliveries` table (one per item and chat; a digest page's message is rendered for its chat). One worker
task claims due rows oldest first, paces them under Telegram's limits with its own scheduler (a global
slot clock shared with interactive replies, plus a next-allowed time per chat) and sends them with
bounded concurrency, so the event loop stays free for answering queries.

Each row is marked 'sending' before the call and 'sent' (with the message id) after it, one commit each:
after a crash, `reset_in_flight` puts the 'sending' rows back, so nobody is missed and at most
`concurrency` messages repeat. An item may be several messages (a long announcement in parts) or copies of
messages (media, albums: `Copy`); each part delivered is recorded, so a retry or a restart goes on with the
next part.

Failures are decided here once: RetryAfter -> wait, pause everything, retry the same message;
Forbidden -> chat inactive, 'blocked'; ChatMigrated -> move the chat, retry; network errors and 5xx ->
exponential backoff up to `max_attempts`, then 'failed' with the reason; other BadRequests -> 'failed'.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from telegram import InputMediaAudio, InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.render.page import Album, Copy, Page, Part
from bot.settings import DeliveryLimits
from bot.store import Chat, Delivery, Item, Store

log = logging.getLogger(__name__)

CONCURRENCY = 10  # sends in flight at once: also the most messages a crash can make repeat
PER_CHAT = frozenset({"digest"})  # kinds of items whose message differs from chat to chat (not cached)

# Set inside the engine's send tasks, so the shared rate limiter can tell broadcasts from replies.
_BROADCASTING: contextvars.ContextVar[bool] = contextvars.ContextVar("broadcasting", default=False)


# (item, chat) -> the message, or the messages in order; None when it cannot be sent any more
# (e.g. the post was removed)
Renderer = Callable[[Item, Chat | None], Part | Sequence[Part] | None]


class Sender(Protocol):
    """The part of `telegram.Bot` the engine uses."""

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Message: ...

    async def copy_message(self, chat_id: int, from_chat_id: int, message_id: int, **kwargs: Any) -> Any: ...

    async def copy_messages(self, chat_id: int, from_chat_id: int, message_ids: Sequence[int]) -> Any: ...

    async def send_media_group(self, chat_id: int, media: Sequence[Any], **kwargs: Any) -> Any: ...


_INPUT_MEDIA = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument,
                "audio": InputMediaAudio}  # fmt: skip


async def send_part(bot: Sender, chat_id: int, part: Part) -> int | None:
    """Send one part of an item to `chat_id`; returns the (first) message id."""
    if isinstance(part, Page):
        sent = await bot.send_message(chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.markup)
        return getattr(sent, "message_id", None)
    if isinstance(part, Album):
        media = [
            _INPUT_MEDIA[kind](file_id, caption=part.caption or None, parse_mode=ParseMode.HTML)
            if number == 0
            else _INPUT_MEDIA[kind](file_id)
            for number, (kind, file_id) in enumerate(part.media)
        ]
        sent = await bot.send_media_group(chat_id, media)
        return getattr(sent[0], "message_id", None) if sent else None
    if len(part.message_ids) == 1:
        caption = {} if part.caption is None else {"caption": part.caption, "parse_mode": ParseMode.HTML}
        sent = await bot.copy_message(chat_id, part.from_chat_id, part.message_ids[0], **caption)
        return getattr(sent, "message_id", None)
    copies = await bot.copy_messages(chat_id, part.from_chat_id, part.message_ids)
    return getattr(copies[0], "message_id", None) if copies else None


def _messages_in(part: Part) -> int:
    """How many messages one part is (an album is sent in one call)."""
    if isinstance(part, Copy):
        return len(part.message_ids)
    return len(part.media) if isinstance(part, Album) else 1


def parts_of(rendered: Part | Sequence[Part] | None) -> tuple[Part, ...] | None:
    """A renderer's answer as the messages to send, in order."""
    if rendered is None:
        return None
    return (rendered,) if isinstance(rendered, (Page, Copy)) else tuple(rendered)


class Pacer:
    """Telegram-like limits: evenly spaced global slots, and a next-allowed time per chat.

    `headroom` keeps the global rate a little under the configured limit, so that network jitter
    never pushes two sends closer than the server's sliding window allows. A sender that fell behind
    (a busy event loop wakes late) may catch up by `burst` slots, 2% of a second's limit: any one-second
    window still sees at most 99% of the limit.
    """

    def __init__(
        self, limits: DeliveryLimits, *, headroom: float = 0.97, clock: Callable[[], float] = time.monotonic
    ):
        self.interval = 1.0 / (limits.global_per_second * headroom)
        self.slack = (max(1, int(limits.global_per_second * 0.02)) - 1) * self.interval
        self.chat_interval = 1.0 / (limits.per_chat_per_second * headroom)
        self.group_interval = 60.0 / (limits.group_per_minute * headroom)
        self.clock = clock
        self.next_slot = 0.0
        self.chat_ready: dict[int, float] = {}

    def take_slot(self) -> float:
        """Reserve the next global slot; returns how long to wait for it."""
        now = self.clock()
        slot = max(now - self.slack, self.next_slot)
        self.next_slot = slot + self.interval
        return max(0.0, slot - now)

    async def acquire(self) -> None:
        delay = self.take_slot()
        if delay > 0:
            await asyncio.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Flood control from the server: no global slot before `seconds` from now."""
        self.next_slot = max(self.next_slot, self.clock() + seconds)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may receive another message (0 = now)."""
        return max(0.0, self.chat_ready.get(chat_id, 0.0) - self.clock())

    def chat_used(self, chat_id: int) -> None:
        interval = self.group_interval if chat_id < 0 else self.chat_interval
        self.chat_ready[chat_id] = self.clock() + interval
        if len(self.chat_ready) > 50_000:
            now = self.clock()
            self.chat_ready = {c: t for c, t in self.chat_ready.items() if t > now}


class SharedRateLimiter(BaseRateLimiter):
    """PTB rate limiter for the Application's bot: interactive sends never wait, but they use up global
    slots so that a running broadcast slows down to make room for them. Flood control pauses both; an
    interactive call told to wait a little is made once more after the wait."""

    COUNTED = ("send", "edit", "copy", "forward")
    MAX_REPLY_WAIT = 10.0  # seconds an interactive call may wait for flood control before giving up

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
        interactive = not _BROADCASTING.get()
        if interactive and endpoint.lower().startswith(self.COUNTED):
            self.pacer.take_slot()
            chat_id = data.get("chat_id")
            if isinstance(chat_id, int):
                self.pacer.chat_used(chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            self.pacer.pause(seconds)
            if not interactive or seconds > self.MAX_REPLY_WAIT:
                raise
        await asyncio.sleep(seconds)
        return await callback(*args, **kwargs)


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the int will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class DeliveryEngine:
    """Sends the store's queued deliveries; `start()` runs the worker, `stop()` ends it cleanly."""

    def __init__(
        self,
        store: Store,
        bot: Sender,
        render: Renderer,
        limits: DeliveryLimits,
        *,
        pacer: Pacer | None = None,
        concurrency: int = CONCURRENCY,
        idle_poll: float = 1.0,
        backoff: float = 2.0,
        on_finished: Callable[[list[int]], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.bot = bot
        self.render = render
        self.limits = limits
        self.pacer = pacer or Pacer(limits)
        self.concurrency = concurrency
        self.idle_poll = idle_poll
        self.backoff = backoff
        self.on_finished = on_finished
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[asyncio.Task] = set()
        self._busy_chats: set[int] = set()
        self._rendered: dict[tuple[int, str | None], tuple[Part, ...] | None] = {}
        self._task: asyncio.Task | None = None
        self._only_item: int | None = None

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Resume deliveries interrupted by a crash, then run the worker in the background."""
        if self._task is None:
            self.store.reset_in_flight()
            self._task = asyncio.create_task(self._run_forever(), name="delivery-engine")

    async def stop(self) -> None:
        """Stop claiming new deliveries and let the ones in flight record their outcome."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=30)

    def wake(self) -> None:
        """New deliveries were queued in this process: look at the queue now."""
        self._wake.set()

    async def drain(self, item_id: int | None = None) -> None:
        """Deliver until nothing (of `item_id`, if given) is queued or in flight, retries included.

        For the CLI and tests; run it only when no bot process works on the same database."""
        self.store.reset_in_flight()
        self._only_item = item_id
        try:
            while True:
                await self._step()
                if not self._in_flight and self.store.queue_length(item_id) == 0:
                    break
        finally:
            self._only_item = None
        await self._finish_items()

    # the worker ---------------------------------------------------------------------------------

    async def _run_forever(self) -> None:
        await self._finish_items(always=True)  # reports a crash may have left unsent
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery worker step failed; retrying shortly")
                await asyncio.sleep(self.idle_poll)

    async def _step(self) -> None:
        """Launch every delivery that may go now, or wait until one may."""
        await self._finish_items()
        batch = self.store.due_deliveries(time.time(), max(64, 4 * self.concurrency), self._only_item)
        wait = self._next_retry_wait()
        launched = False
        for delivery in batch:
            chat_wait = self.pacer.chat_wait(delivery.chat_id)
            if delivery.chat_id in self._busy_chats or chat_wait > 0:
                wait = min(wait, chat_wait or self.idle_poll)
                continue
            await self._slots.acquire()
            await self.pacer.acquire()
            self._launch(delivery)
            launched = True
        if not launched:
            await self._sleep(wait)

    def _next_retry_wait(self) -> float:
        next_time = self.store.next_retry_time(self._only_item)
        if next_time is None:
            return self.idle_poll
        return min(self.idle_poll, max(0.0, next_time - time.time()))

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(seconds, 0.001))

    def _launch(self, delivery: Delivery) -> None:
        self.store.mark_sending(delivery.id)
        self._busy_chats.add(delivery.chat_id)
        self.pacer.chat_used(delivery.chat_id)
        task = asyncio.create_task(self._deliver(delivery))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        _BROADCASTING.set(True)
        try:
            await self._send(delivery)
        except Exception as exc:  # a bug or an unexpected reply: record it, never lose the worker
            log.exception("delivery %s failed unexpectedly", delivery.id)
            self.store.mark_failed(delivery.id, f"{type(exc).__name__}: {exc}")
        finally:
            self._busy_chats.discard(delivery.chat_id)
            self._slots.release()
            self._wake.set()

    async def _send(self, delivery: Delivery) -> None:
        parts = self._message(delivery)
        if not parts:
            self.store.mark_failed(delivery.id, "nothing to send (item gone)")
            return
        try:
            sent = None
            for number in range(delivery.parts_sent, len(parts)):
                if number > delivery.parts_sent:  # the next message of several: paced like any other
                    self.store.mark_parts_sent(delivery.id, number)
                    await asyncio.sleep(self.pacer.chat_wait(delivery.chat_id))
                    await self.pacer.acquire()
                    self.pacer.chat_used(delivery.chat_id)
                part = parts[number]
                for _ in range(1, _messages_in(part)):
                    self.pacer.take_slot()  # an album is one call, but several messages
                sent = await send_part(self.bot, delivery.chat_id, part)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            log.warning("flood control: pausing deliveries for %.1f s", seconds)
            self.pacer.pause(seconds)
            self.store.mark_retry(delivery.id, time.time() + seconds, str(exc), count=False)
        except Forbidden as exc:
            log.info("chat %s blocked the bot or is gone: %s", delivery.chat_id, exc)
            self.store.mark_blocked(delivery.id, delivery.chat_id, str(exc))
        except ChatMigrated as exc:
            log.info("chat %s migrated to %s", delivery.chat_id, exc.new_chat_id)
            self.store.migrate_chat(delivery.chat_id, exc.new_chat_id)
            self.store.mark_retry(delivery.id, 0.0, str(exc), count=False)
        except BadRequest as exc:
            self._bad_request(delivery, exc)
        except NetworkError as exc:  # timeouts, 5xx, connection errors
            self._retry_later(delivery, exc)
        except TelegramError as exc:
            self.store.mark_failed(delivery.id, str(exc))
        else:
            self.store.mark_sent(delivery.id, sent)

    def _bad_request(self, delivery: Delivery, exc: BadRequest) -> None:
        if "chat not found" in str(exc).lower():
            self.store.mark_blocked(delivery.id, delivery.chat_id, str(exc))
        else:
            log.error("delivery %s rejected: %s", delivery.id, exc)
            self.store.mark_failed(delivery.id, str(exc))

    def _retry_later(self, delivery: Delivery, exc: NetworkError) -> None:
        attempts = delivery.attempts + 1
        if attempts >= self.limits.max_attempts:
            log.warning("delivery %s failed after %d attempts: %s", delivery.id, attempts, exc)
            self.store.mark_failed(delivery.id, str(exc) or type(exc).__name__)
            return
        delay = min(self.backoff * 2 ** (attempts - 1), 300.0)
        self.store.mark_retry(delivery.id, time.time() + delay, str(exc) or type(exc).__name__)

    def _message(self, delivery: Delivery) -> tuple[Part, ...] | None:
        chat = self.store.chat(delivery.chat_id)
        key = (delivery.item_id, chat.language if chat else None)
        if key not in self._rendered:
            item = self.store.item(delivery.item_id)
            if item is not None and item.kind in PER_CHAT:
                return parts_of(self.render(item, chat))
            self._rendered[key] = None if item is None else parts_of(self.render(item, chat))
            if len(self._rendered) > 1000:
                self._rendered.pop(next(iter(self._rendered)))
        return self._rendered[key]

    async def _finish_items(self, *, always: bool = False) -> None:
        finished = self.store.finish_items()
        if (finished or always) and self.on_finished is not None:
            try:
                await self.on_finished(finished)
            except Exception:
                log.exception("reporting finished deliveries failed")
