"""The delivery engine: a persistent, rate-limited, resumable queue of outgoing messages.

Post notifications, admin announcements, digest pages and posts for the channel are rows in the store's
`deliveries` table (one per item and chat; a digest page's message is rendered for its chat). One worker
task claims due rows oldest first, takes each one's turn from the bot's one `Pacer` (bot/pacing.py:
Telegram's limits, members' answers first) and sends them with bounded concurrency, so the event loop
stays free for answering queries.

Each row is marked 'sending' before the call and 'sent' (with the message id) after it, one commit each:
after a crash, `reset_in_flight` puts the 'sending' rows back, so nobody is missed and at most
`concurrency` messages repeat. An item may be several messages (a long announcement in parts) or copies of
messages (media, albums: `Copy`); each part delivered is recorded, so a retry or a restart goes on with the
next part.

Failures are decided here once: RetryAfter -> pause every send, retry the same message after the wait;
Forbidden -> chat inactive, 'blocked'; ChatMigrated -> move the chat, retry; network errors and 5xx ->
exponential backoff up to `max_attempts`, then 'failed' with the reason; other BadRequests -> 'failed'.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from telegram import InputMediaAudio, InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.pacing import BROADCAST, Pacer, broadcasting, retry_seconds
from bot.render.page import Album, Copy, Page, Part
from bot.settings import DeliveryLimits
from bot.store import Chat, Delivery, Item, Store

log = logging.getLogger(__name__)

CONCURRENCY = 10  # sends in flight at once: also the most messages a crash can make repeat
PER_CHAT = frozenset({"digest"})  # kinds of items whose message differs from chat to chat (not cached)

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
            try:
                await self.pacer.turn(delivery.chat_id, priority=BROADCAST)
            except BaseException:
                self._slots.release()
                raise
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
        task = asyncio.create_task(self._deliver(delivery))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            with broadcasting():
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
                    await self.pacer.turn(delivery.chat_id, priority=BROADCAST)
                part = parts[number]
                for _ in range(1, _messages_in(part)):  # an album is one call, but several messages
                    await self.pacer.turn(None, priority=BROADCAST)
                sent = await send_part(self.bot, delivery.chat_id, part)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
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
