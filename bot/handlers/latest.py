"""/latest [n]: the newest posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import lang_of, send_page
from bot.render.messages import t
from bot.render.page import Page
from bot.render.posts import hits_page

COMMANDS = ("latest",)
DEFAULT_COUNT = 5
MAX_COUNT = 10


def requested_count(args: list[str] | None) -> int | None:
    """`/latest` → 5, `/latest 3` → 3; None for anything but a number from 1 to MAX_COUNT."""
    if not args:
        return DEFAULT_COUNT
    typed = args[0].strip()
    if len(args) > 1 or not typed.isdigit() or not 1 <= int(typed) <= MAX_COUNT:
        return None
    return int(typed)


async def latest(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    services = context.services
    count = requested_count(context.args)
    if count is None:
        usage = t(lang, "latest_usage", most=MAX_COUNT, usual=DEFAULT_COUNT)
        await send_page(update.effective_message, Page(usage))
        return
    hits = await services.latest(count)
    if not hits:
        page = Page(t(lang, "latest_empty"))
    else:
        page = hits_page(
            t(lang, "latest_header"), hits, lang, site_search_url=services.settings.site_search_url
        )
    await send_page(update.effective_message, page)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("latest", latest, filters=filters.UpdateType.MESSAGE)]
