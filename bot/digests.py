"""Daily and weekly digests: one run at the start of every local hour, for the chats whose digest hour it is.

A post reaching a chat whose matching subscriptions are all daily or weekly waits in the store
(`Store.enqueue_post`). At each hour (in the `timezone` setting) a run takes the waiting posts of the chats
whose hour it is — the daily ones, and the weekly ones too on Mondays — splits each chat's into pages
that fit a message, and hands them to the store in one transaction (`Store.create_digests`) that also
records the hour as done: a run is made once, even across a crash, and a post goes into one digest
only. The delivery engine then sends the pages like any other queued message; a chat with nothing new
gets nothing.

`start(app)` runs the loop on the Application's Clock (tests move a ManualClock on); runs missed while
the bot was down are made at start (up to `CATCH_UP` back; posts of older ones go into the next digest).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.clock import Clock
from bot.context import CLOCK, DELIVERY, DIGESTS, SERVICES
from bot.render.digest import digest_pages
from bot.render.messages import chat_language
from bot.services import Services
from bot.store import Store
from index import Post

log = logging.getLogger(__name__)

HOUR = dt.timedelta(hours=1)
CATCH_UP = dt.timedelta(days=8)  # runs missed while the bot was down are made at start up to this far back
MONDAY = 0


def hour_start(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The start of the local hour `moment` falls in, in UTC."""
    local = moment.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def next_run(last: dt.datetime, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The run after `last`, but none older than CATCH_UP before `now`."""
    return max(hour_start(last + HOUR, zone), hour_start(now - CATCH_UP, zone))


def make_digests(
    store: Store,
    slot: dt.datetime,
    zone: ZoneInfo,
    post: Callable[[str], Post | None],
    *,
    default_language: str = "en",
    site_search_url: str | None = None,
) -> int | None:
    """Make the digest run of the local hour starting at `slot`; returns the messages queued, or None if
    that run was made already. `post` finds a post by id (a post removed since leaves the queue)."""
    local = slot.astimezone(zone)
    due = store.digest_due(local.hour, weekly=local.weekday() == MONDAY)
    pages: dict[int, list[list[str]]] = {}
    dropped: list[tuple[int, str]] = []
    split: dict[tuple[str, tuple[str, ...]], list[list[str]]] = {}  # most chats share their posts
    for chat_id, post_ids in due.items():
        chat = store.chat(chat_id)
        lang = (
            chat_language(chat.language, chat.language_code, default_language) if chat else default_language
        )
        posts = {post_id: post(post_id) for post_id in post_ids}
        dropped += [(chat_id, post_id) for post_id, found in posts.items() if found is None]
        key = (lang, tuple(post_ids))
        if key not in split:
            present = [found for found in posts.values() if found is not None]
            split[key] = [
                [p.id for p in page] for page in digest_pages(present, lang, site_search_url=site_search_url)
            ]
        if split[key]:
            pages[chat_id] = split[key]
    return store.create_digests(slot.isoformat(), pages, dropped)


class DigestLoop:
    """Wakes at each local hour and makes its run (and any missed ones)."""

    def __init__(self, services: Services, clock: Clock, wake: Callable[[], None]) -> None:
        self.services = services
        self.clock = clock
        self.wake = wake
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        zone = self.services.settings.zone
        self.services.store.start_digests(hour_start(self.clock.now(), zone).isoformat())
        self._task = asyncio.create_task(self._run_forever(), name="digests")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def run_due(self) -> dt.datetime:
        """Make every run whose time has come; returns when the next one is."""
        settings, store = self.services.settings, self.services.store
        zone = settings.zone
        while True:
            last = dt.datetime.fromisoformat(store.last_digest_slot() or self.clock.now().isoformat())
            slot = next_run(last, self.clock.now(), zone)
            if slot > self.clock.now():
                return slot
            queued = make_digests(
                store,
                slot,
                zone,
                self.services.post_now,
                default_language=settings.default_language,
                site_search_url=settings.site_search_url,
            )
            if queued:
                log.info(
                    "digests of %s: %d messages queued",
                    slot.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    queued,
                )
                self.wake()

    async def _run_forever(self) -> None:
        while True:
            try:
                upcoming = self.run_due()
            except Exception:
                log.exception("making digests failed; trying again in a minute")
                await self.clock.sleep(60)
                continue
            await self.clock.sleep((upcoming - self.clock.now()).total_seconds())


async def start(app: Application) -> None:
    """Start the digest loop (after the delivery engine: `bot.notify.start`)."""
    engine = app.bot_data.get(DELIVERY)
    loop = DigestLoop(app.bot_data[SERVICES], app.bot_data[CLOCK], engine.wake if engine else lambda: None)
    app.bot_data[DIGESTS] = loop
    loop.start()


async def stop(app: Application) -> None:
    loop: DigestLoop | None = app.bot_data.pop(DIGESTS, None)
    if loop is not None:
        await loop.stop()
