"""New posts → notifications, finished announcements → reports, and the delivery engine's place in the
Application.

`start(app)` (when the Application initializes, after the services are open) starts the delivery engine
and a repeating job that, every `poll_seconds`, polls the configured feeds (new entries become post
files), re-syncs the index from the content folder and queues one notification per new post to its
subscribers. A post is new when its id is not in the store's announced-posts ledger, so an edit, a
rebuilt index or a restart never notifies twice; the very first poll of a fresh store records the back
catalogue without notifying.
`stop(app)` (at shutdown, before the services close) ends the engine cleanly. When the engine has
delivered an announcement, `send_reports` tells its author how it went.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import asdict

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import DELIVERY, SERVICES, BotContext
from bot.delivery import DeliveryEngine, Renderer
from bot.render.admin import announcement, delivery_report
from bot.render.messages import chat_language
from bot.render.page import Page
from bot.render.posts import notification
from bot.scheduler import BROADCAST, Scheduler, SchedulingLimiter, broadcasting
from bot.services import Services
from bot.store import Chat, Item, utcnow
from index.feeds import FeedState, poll_feed

log = logging.getLogger(__name__)

POLL_JOB = "content-poll"
SEEDED = "catalogue_seeded"
LAST_SYNC = "last_sync"
KEEP_DELIVERIES_DAYS = 30  # per-chat delivery records of finished items are kept this long


# what the engine sends -------------------------------------------------------------------------


def renderer(services: Services) -> Renderer:
    """How the engine turns an item into the message for one chat."""

    def render(item: Item, chat: Chat | None) -> Page | None:
        if item.kind != "post":
            return Page(announcement(item.text))
        post = services.post_now(item.post_id) if item.post_id else None
        if post is None:
            return None
        lang = _language(services, chat)
        return notification(post, lang, site_search_url=services.settings.site_search_url)

    return render


async def send_reports(bot: Bot, services: Services, scheduler: Scheduler) -> None:
    """Tell each finished announcement's author how it went (once, also after a restart). A report is
    part of its broadcast: it takes a broadcast's turn, after the answers (e.g. "Sending to 2 chats…")."""
    store = services.store
    for item in store.unreported():
        store.mark_reported(item.id)
        if item.author is None:
            continue
        report = delivery_report(store.report(item.id), _language(services, store.chat(item.author)))
        try:
            await scheduler.turn(item.author, priority=BROADCAST)
            with broadcasting():
                await bot.send_message(item.author, report)
        except TelegramError as exc:
            log.warning("could not send the announcement report to %s: %s", item.author, exc)


def _language(services: Services, chat: Chat | None) -> str:
    """The language of a message the bot starts in `chat`."""
    default = services.settings.default_language
    return chat_language(chat.language, chat.language_code, default) if chat else default


# new posts -------------------------------------------------------------------------------------


async def poll_feeds(services: Services) -> int:
    """Poll every configured feed once (in a thread); returns how many post files were written."""
    written = 0
    for url in services.settings.feeds:
        key = f"feed:{url}"
        saved = services.store.get_meta(key)
        state = FeedState(**json.loads(saved)) if saved else None
        try:
            result = await asyncio.to_thread(poll_feed, url, services.settings.posts_dir / "feeds", state)
        except OSError as exc:  # e.g. a read-only content folder: the other feeds and the sync go on
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
    except Exception:
        log.exception("content poll failed; trying again at the next interval")


# lifecycle -------------------------------------------------------------------------------------


async def start(app: Application) -> None:
    """Start the delivery engine and the content poll; call after the services are open."""
    services: Services = app.bot_data[SERVICES]
    limiter = app.bot.rate_limiter
    scheduler = (
        limiter.scheduler if isinstance(limiter, SchedulingLimiter) else Scheduler(services.settings.delivery)
    )

    async def report(_finished: list[int]) -> None:
        await send_reports(app.bot, services, scheduler)

    engine = DeliveryEngine(
        services.store,
        app.bot,
        renderer(services),
        services.settings.delivery,
        scheduler=scheduler,
        on_finished=report,
    )
    app.bot_data[DELIVERY] = engine
    engine.start()
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
    engine: DeliveryEngine | None = app.bot_data.pop(DELIVERY, None)
    if engine is not None:
        await engine.stop()
