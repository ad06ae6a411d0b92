"""`newsbot announce --text ... [--tag T] [--html] [--at WHEN] [--channel] [--send]`: an announcement from
the shell (CMS hook, cron).

It is queued in the bot's database; the running bot's delivery worker picks it up within a second. With
`--at` ("2026-12-01 09:00", "tomorrow 9:00", "sutra u 9": `bot.when`, in the `timezone` setting) it is
scheduled instead, and the running bot starts it at that time.
`--tag` must name a topic of the posts, as `/announce #tag` must (`bot.tags`).
With `--channel` it is published once in the `channel` too (checked first with the Bot API, as the bot
checks it: the bot must be allowed to post there; needs TELEGRAM_BOT_TOKEN).
With `--send` and no bot running on this data dir, it is delivered from here, with the same engine.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.channel import check
from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.instance import AlreadyRunning, InstanceLock
from bot.render.admin import MAX_PARTS, announcement, announcement_parts, moment
from bot.render.html import MAX_MESSAGE, escape, split_html
from bot.render.messages import counted
from bot.render.page import Part
from bot.settings import Settings
from bot.store import Chat, Item, Store
from bot.tags import Topics
from bot.when import parse_when
from index import Glossary, load_posts


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text", required=True, help="the announcement (plain text unless --html)")
    parser.add_argument("--tag", help="reach only this topic's subscribers (and those who follow everything)")
    parser.add_argument("--html", action="store_true", help="the text is already Telegram HTML")
    parser.add_argument(
        "--at", metavar="WHEN", help='schedule it, e.g. "2026-12-01 09:00" or "tomorrow 9:00" (local time)'
    )
    parser.add_argument(
        "--channel", action="store_true", help="publish it in the channel (the `channel` setting) too"
    )
    parser.add_argument(
        "--send", action="store_true", help="deliver now if no bot is running on this data dir"
    )


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    text = args.text.strip() if args.html else escape(args.text.strip())
    if not text:
        print("newsbot announce: the text is empty", file=sys.stderr)
        return 2
    parts = len(split_html(announcement(text)))
    if parts > MAX_PARTS:
        print(
            f"newsbot announce: longer than {MAX_PARTS} Telegram messages ({MAX_MESSAGE} characters each)",
            file=sys.stderr,
        )
        return 2
    tag = None
    if args.tag:
        topics = Topics.from_posts(
            load_posts(*settings.post_folders).posts, Glossary.load(settings.glossary_path)
        )
        tag = topics.one(args.tag)
        if tag is None:
            close = topics.suggestions(args.tag)
            hint = f" (did you mean: {', '.join(close)}?)" if close else ""
            print(f"newsbot announce: I know no topic called {args.tag!r}{hint}", file=sys.stderr)
            return 2
    due = None
    if args.at:
        if args.send:
            print("newsbot announce: --at and --send do not go together", file=sys.stderr)
            return 2
        due = parse_when(args.at, Clock().local(settings.zone))
        if due is None or due <= Clock().now():
            why = "is not a date and time I can read" if due is None else "has already passed"
            print(f"newsbot announce: --at {args.at!r} {why}", file=sys.stderr)
            return 2
    channel = None
    if args.channel:
        channel, problem = _channel(settings)
        if channel is None:
            print(f"newsbot announce: --channel: {problem}", file=sys.stderr)
            return 2
    also = f" and the channel {settings.channel}" if channel is not None else ""
    store = Store.open(settings.database_path)
    try:
        item = store.create_announcement(None, text, tag)
        if channel is not None:
            store.set_announcement_channel(item.id, channel)
        if due is not None:
            store.schedule_announcement(item.id, due.timestamp())
            chats = counted(len(store.recipients(None if tag is None else (tag,))), "chat")
            print(
                f"announcement {item.id} scheduled for {moment(due, 'en')} ({settings.timezone}), "
                f"{chats} now{also}"
            )
            return 0
        count = store.queue_announcement(item.id)
        each = f" ({counted(parts, 'message')} each)" if parts > 1 else ""
        print(f"announcement {item.id} queued for {counted(count, 'chat')}{also}{each}")
        if args.send and (count or channel is not None):
            return _send_here(settings, store, item.id)
        return 0
    finally:
        store.close()


def _channel(settings: Settings) -> tuple[int | None, str | None]:
    """The channel's chat id, when one is set and the bot may post there; else None and why."""
    if not settings.channel:
        return None, "no channel is set (`channel` in the config, or NEWSBOT_CHANNEL)"
    if not settings.token:
        return None, f"checking that the bot may post in {settings.channel} needs TELEGRAM_BOT_TOKEN"

    async def ask() -> tuple[int | None, str | None]:
        async with _bot(settings) as bot:
            state = await check(bot, settings.channel)
        return state.chat_id, state.problem

    return asyncio.run(ask())


def _send_here(settings: Settings, store: Store, item_id: int) -> int:
    if not settings.token:
        print("newsbot announce: --send needs TELEGRAM_BOT_TOKEN", file=sys.stderr)
        return 2
    try:
        lock = InstanceLock(settings.data_dir).acquire()
    except AlreadyRunning:
        print("a bot is running on this data dir: it delivers the announcement")
        return 0
    try:
        asyncio.run(_deliver(settings, store, item_id))
    finally:
        lock.release()
    report = store.report(item_id)
    channel = "" if report.channel is None else f"; the channel: {report.channel}"
    print(f"delivered {report.delivered}, blocked {report.blocked}, failed {report.failed}{channel}")
    return 0


def _render(item: Item, _chat: Chat | None) -> list[Part] | None:
    return announcement_parts(item) if item.kind in ("text", "copy") else None


def _bot(settings: Settings) -> Bot:
    return ExtBot(
        settings.token,
        base_url=f"{settings.api_url}/bot",
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        request=HTTPXRequest(connection_pool_size=16),
    )


async def _deliver(settings: Settings, store: Store, item_id: int) -> None:
    async with _bot(settings) as bot:
        await DeliveryEngine(store, bot, _render, settings.delivery).drain(item_id)
