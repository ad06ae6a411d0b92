"""New posts → notifications, finished announcements → reports, and the delivery engine's place in the
Application.

`start(app)` (when the Application initializes, after the services are open) starts the delivery engine
and a repeating job that, every `poll_seconds`, polls the configured feeds (new entries become post
files), re-syncs the index from the content folder and queues each new post for its subscribers (a
notification now, or a place in their next digest: see `Store.enqueue_post` and bot.digests) and, with
a channel set, for the channel (bot.channel). A post is new when its id is not in the store's
announced-posts ledger, so an edit, a rebuilt index or a restart never notifies twice; the very first
poll of a fresh store records the back catalogue without notifying.
It also starts the scheduler of announcements (`bot.schedule`), whose missed schedules are reported to the
admin room or their author. `stop(app)` (at shutdown, before the services close) ends them cleanly. When
the engine has delivered an announcement, `send_reports` tells its author how it went.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
from dataclasses import asdict

from telegram import Bot
from telegram.ext import Application

from bot import admin_room, channel
from bot.context import CHANNEL, CLOCK, DELIVERY, SCHEDULER, SERVICES, BotContext
from bot.delivery import DeliveryEngine, Renderer
from bot.pacing import Pacer, PacingLimiter
from bot.render.admin import announcement_parts, delivery_report, missed_report
from bot.render.digest import channel_messages, digest_message
from bot.render.messages import chat_language
from bot.render.page import Page, Part
from bot.render.posts import notification
from bot.schedule import Scheduler
from bot.services import Services
from bot.store import Chat, Item, utcnow
from index import Post
from index.feeds import FeedState, missing_entries, poll_feed

log = logging.getLogger(__name__)

POLL_JOB = "content-poll"
SEEDED = "catalogue_seeded"
LAST_SYNC = "last_sync"
KEEP_DELIVERIES_DAYS = 30  # per-chat delivery records of finished items are kept this long


# what the engine sends -------------------------------------------------------------------------


def renderer(services: Services) -> Renderer:
    """How the engine turns an item into the message for one chat."""

    search_url = services.settings.site_search_url

    def render(item: Item, chat: Chat | None) -> Page | list[Part] | None:
        if item.kind == "digest":
            return _digest(item, chat)
        if item.kind not in ("post", "channel"):
            return announcement_parts(item)
        post = services.post_now(item.post_id) if item.post_id else None
        if post is None:
            return None
        if item.kind == "channel":
            parts = channel_messages(post, services.settings.default_language)
            return Page(parts[item.part - 1]) if item.part and item.part <= len(parts) else None
        return notification(post, _language(services, chat), site_search_url=search_url)

    @functools.lru_cache(maxsize=256)  # most chats of a run get the same posts: render them once
    def _digest_page(lang: str, posts: tuple[Post, ...], page: int, pages: int, total: int) -> Page:
        return digest_message(posts, lang, page=page, pages=pages, total=total, site_search_url=search_url)

    def _digest(item: Item, chat: Chat | None) -> Page | None:
        page = services.store.digest_page(item.id, chat.id) if chat else None
        posts = tuple(post for i in page.post_ids if (post := services.post_now(i))) if page else ()
        if not posts:
            return None
        return _digest_page(_language(services, chat), posts, page.page, page.pages, page.total)

    return render


async def send_reports(bot: Bot, services: Services, pacer: Pacer) -> None:
    """Tell how each finished announcement went (once, also after a restart): in the admin room if there
    is one, else to its author. A report is part of its broadcast: it takes a broadcast's turn."""
    store = services.store
    for item in store.unreported():
        store.mark_reported(item.id)
        if item.author is None and services.settings.admin_chat is None:
            continue
        lang = _report_language(services, item)
        report = delivery_report(store.report(item.id), lang, store.failure_reasons(item.id))
        await admin_room.tell(bot, services.settings, report, fallback=item.author, pacer=pacer)


def _report_language(services: Services, item: Item) -> str:
    """The language of a report about `item`: the admin room's (the default), else its author's."""
    if services.settings.admin_chat is not None or item.author is None:
        return services.settings.default_language
    return _language(services, services.store.chat(item.author))


def _language(services: Services, chat: Chat | None) -> str:
    """The language of a message the bot starts in `chat`."""
    default = services.settings.default_language
    return chat_language(chat.language, chat.language_code, default) if chat else default


# new posts -------------------------------------------------------------------------------------


async def poll_feeds(services: Services) -> int:
    """Poll every configured feed once (in a thread); returns how many post files were written."""
    written = 0
    folder = services.settings.feeds_dir
    for url in services.settings.feeds:
        key = f"feed:{url}"
        saved = services.store.get_meta(key)
        state = FeedState.from_dict(json.loads(saved)) if saved else None
        if state and (missing := await asyncio.to_thread(missing_entries, state, folder)):
            log.warning("feed %s: %d of its posts are gone from %s; fetching it whole", url, missing, folder)
            state = None
        try:
            result = await asyncio.to_thread(poll_feed, url, folder, state)
        except OSError as exc:  # e.g. an unwritable data dir: the other feeds and the sync go on
            log.error("feed %s: cannot write its posts: %s", url, exc)
            continue
        if result.error is None:
            services.store.set_meta(key, json.dumps(asdict(result.state)))
        written += len(result.written)
    return written


def queue_new_posts(services: Services, post_ids: list[str]) -> list[str]:
    """Queue notifications for the posts in `post_ids` not announced yet; returns the ids queued.

    On a store that has never seen posts, they are all recorded as the back catalogue instead."""
    store = services.store
    if store.get_meta(SEEDED) is None:
        store.mark_announced(post_ids)
        store.set_meta(SEEDED, utcnow())
        log.info("first start: %d existing posts recorded without notifying", len(post_ids))
        if services.settings.channel:
            channel.note_new_posts(services, post_ids, [])
        return []
    known = store.announced()
    new_posts = [post for i in post_ids if i not in known and (post := services.post_now(i)) is not None]
    new_posts.sort(key=lambda p: (p.date is not None, p.date, p.id))
    queued = []
    for post in new_posts:
        recipients = store.enqueue_post(post.id, post.tags)
        if recipients is not None:
            log.info("new post %s: %d subscribers to notify", post.id, recipients)
            queued.append(post.id)
    if services.settings.channel:
        channel.note_new_posts(services, post_ids, queued)
    return queued


async def check_for_new_posts(services: Services, engine: DeliveryEngine | None = None) -> list[str]:
    """One poll: feeds, index sync, notifications; returns the ids of the posts announced."""
    if services.settings.feeds:
        await poll_feeds(services)
    await services.sync()
    queued = queue_new_posts(services, list(services.post_keys.values()))
    services.store.set_meta(LAST_SYNC, utcnow())
    keep_since = dt.datetime.now(dt.UTC) - dt.timedelta(days=KEEP_DELIVERIES_DAYS)
    services.store.prune(keep_since.isoformat(timespec="seconds"))
    if queued and engine is not None:
        engine.wake()
    return queued


async def _poll_job(context: BotContext) -> None:
    try:
        await check_for_new_posts(context.services, context.delivery)
        if context.services.settings.channel:
            await publish_to_channel(context)
    except Exception:
        log.exception("content poll failed; trying again at the next interval")


async def publish_to_channel(context: BotContext) -> None:
    """Queue the posts waiting for the channel, if the bot may post there (see bot.channel)."""
    state, queued = await channel.publish(context.bot, context.services, context.bot_data.get(CHANNEL))
    context.bot_data[CHANNEL] = state
    if queued and context.delivery is not None:
        context.delivery.wake()


# lifecycle -------------------------------------------------------------------------------------


async def start(app: Application) -> None:
    """Start the delivery engine and the content poll; call after the services are open."""
    services: Services = app.bot_data[SERVICES]
    limiter = app.bot.rate_limiter
    pacer = limiter.pacer if isinstance(limiter, PacingLimiter) else Pacer(services.settings.delivery)

    async def report(_finished: list[int]) -> None:
        await send_reports(app.bot, services, pacer)

    engine = DeliveryEngine(
        services.store,
        app.bot,
        renderer(services),
        services.settings.delivery,
        pacer=pacer,
        on_finished=report,
    )
    app.bot_data[DELIVERY] = engine
    engine.start()

    async def missed(item: Item) -> None:
        lang = _report_language(services, item)
        text = missed_report(item, lang, services.settings.zone, services.settings.schedule_grace_minutes)
        await admin_room.tell(app.bot, services.settings, text, fallback=item.author)

    scheduler = Scheduler(
        services.store,
        app.bot_data[CLOCK],
        grace=services.settings.schedule_grace_minutes * 60,
        on_started=lambda _item, _count: engine.wake(),
        on_missed=missed,
    )
    app.bot_data[SCHEDULER] = scheduler
    scheduler.start()
    if app.job_queue is not None:
        # Scheduled before the job queue starts: a repeating job's first run would then slip a whole
        # interval, so the first poll is a one-off job that runs however late the queue starts.
        interval = services.settings.poll_seconds
        app.job_queue.run_once(_poll_job, 0, name=POLL_JOB, job_kwargs={"misfire_grace_time": None})
        app.job_queue.run_repeating(_poll_job, interval=interval, first=interval, name=POLL_JOB)


async def stop(app: Application) -> None:
    """Stop the content poll and let in-flight deliveries record their outcome."""
    if app.job_queue is not None:
        for job in app.job_queue.get_jobs_by_name(POLL_JOB):
            job.schedule_removal()
    scheduler: Scheduler | None = app.bot_data.pop(SCHEDULER, None)
    if scheduler is not None:
        await scheduler.stop()
    engine: DeliveryEngine | None = app.bot_data.pop(DELIVERY, None)
    if engine is not None:
        await engine.stop()
